"""The auth/ endpoints (API.md §9.1) through real HTTP: ACC-1…14, ACC-20…25, R3, R11, R12."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AccessToken, CodePurpose, EmailVerificationCode, User
from accounts.signals import email_verified, user_deleting, user_registered
from tests import figures
from tests.accounts.conftest import reload
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers import assert_refused

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-7"


def register(client, committed, **fields):
    body = {"email": "new@example.com", "password": NEW_PASSWORD, "name": "New Person", **fields}
    with committed():
        return client.post("/api/v1/auth/register/", body, format="json")


def login(client, email, password=DEFAULT_PASSWORD, committed=None):
    body = {"email": email, "password": password}
    if committed is None:
        return client.post("/api/v1/auth/login/", body, format="json")
    with committed():
        return client.post("/api/v1/auth/login/", body, format="json")


def bearer(client, raw):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


# --- registration (ACC-1…3) ------------------------------------------------------------------


def test_acc_3_register_returns_a_working_token_and_mails_a_code(api_client, committed, mailoutbox):
    received = []
    user_registered.connect(
        lambda **kw: received.append(kw["user"].email), weak=False, dispatch_uid="test-registered"
    )
    try:
        response = register(api_client, committed)
    finally:
        user_registered.disconnect(dispatch_uid="test-registered")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token"].startswith("stu_") and body["token_prefix"] == body["token"][:12]
    assert body["user"]["email"] == "new@example.com"
    assert body["user"]["email_verified_at"] is None
    assert received == ["new@example.com"]
    assert mailoutbox[-1].to == ["new@example.com"]
    me = bearer(api_client, body["token"]).get("/api/v1/auth/me/")
    assert me.status_code == 200
    created = User.objects.get(email="new@example.com")
    assert created.check_password(NEW_PASSWORD)
    assert created.email_verification_codes.filter(purpose=CodePurpose.VERIFY_EMAIL).exists()


def test_acc_1_email_taken_in_any_case_is_409(api_client, committed, user):
    response = register(api_client, committed, email=user.email.upper())
    assert response.status_code == 409
    assert response.json()["code"] == "already_exists"
    assert list(response.json()["fields"]) == ["email"]


def test_register_username_taken_is_409(api_client, committed, user):
    response = register(api_client, committed, username=user.username)
    assert response.status_code == 409
    assert list(response.json()["fields"]) == ["username"]


def test_acc_3_referral_code_sets_referred_by(api_client, committed, user):
    response = register(api_client, committed, referral_code=user.referral_code.lower())
    assert response.status_code == 201
    assert User.objects.get(email="new@example.com").referred_by == user


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"referral_code": "NOPE0000"}, "referral_code"),
        ({"password": "short"}, "password"),
        ({"password": "12345678901234"}, "password"),
        ({"password": "new@example.com!!"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
        ({"username": "Has Spaces"}, "username"),
        ({"username": "ab"}, "username"),
    ],
)
def test_register_bad_input_is_400_and_creates_nothing(api_client, committed, fields, bad_field):
    response = register(api_client, committed, **fields)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert bad_field in response.json()["fields"]
    assert not User.objects.filter(email="new@example.com").exists()


def test_r3_register_refuses_privileged_fields(api_client, committed):
    privileged = {
        "is_staff": True,
        "is_superuser": True,
        "purchased_credits": 10**6,
        "subscription_tier": "ultra",
        "email_verified_at": "2020-01-01T00:00:00Z",
        "slug": "chosen",
    }
    response = register(api_client, committed, **privileged)
    assert_refused(response, *privileged)
    assert not User.objects.filter(email="new@example.com").exists()


# --- sign-in (ACC-24, R11) --------------------------------------------------------------------


def test_login_returns_a_token_and_stamps_last_login(api_client, user):
    response = login(api_client, user.email.upper())
    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(user.pk)
    assert reload(user).last_login is not None


def test_r11_unknown_email_wrong_password_and_inactive_answer_identically(api_client, user):
    inactive = UserFactory(inactive=True)
    answers = [
        login(api_client, "nobody@example.com"),
        login(api_client, user.email, "wrong-password-123"),
        login(api_client, inactive.email),
    ]
    assert {response.status_code for response in answers} == {400}
    assert len({response.content for response in answers}) == 1
    assert answers[0].json()["code"] == "invalid_credentials"


def test_r11_login_throttled_per_email_exactly_after_five(api_client, user):
    statuses = [login(api_client, user.email, "wrong-password-123").status_code for _ in range(6)]
    figures.record("R11", f"login per email: first 429 at attempt {statuses.index(429) + 1}")
    assert statuses == [400] * 5 + [429]
    response = login(api_client, user.email)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_r11_login_throttled_per_ip_exactly_after_ten(api_client):
    statuses = [login(api_client, f"someone{i}@example.com").status_code for i in range(11)]
    assert statuses == [400] * 10 + [429]


# --- 2FA sign-in (ACC-8, ACC-31) --------------------------------------------------------------


def start_two_fa(api_client, committed, user):
    response = login(api_client, user.email, committed=committed)
    assert response.status_code == 202, response.content
    return response.json()


def test_two_fa_login_needs_the_emailed_code(api_client, committed, two_fa_user, mailed_code):
    challenge = start_two_fa(api_client, committed, two_fa_user)
    assert challenge["two_factor_required"] is True
    assert "token" not in challenge
    response = api_client.post(
        "/api/v1/auth/login/2fa/",
        {"challenge_token": challenge["challenge_token"], "code": mailed_code(two_fa_user.email)},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["token"].startswith("stu_")


@pytest.mark.parametrize(
    ("challenge", "code", "expected"),
    [
        ("tampered", None, "challenge_invalid"),
        (None, "000000", None),
        (None, "12ab56", "validation_error"),
    ],
)
def test_two_fa_failures(
    api_client, committed, two_fa_user, mailed_code, challenge, code, expected
):
    started = start_two_fa(api_client, committed, two_fa_user)
    right = mailed_code(two_fa_user.email)
    if code == "000000" and right == "000000":
        code = "000001"
    body = {
        "challenge_token": challenge or started["challenge_token"],
        "code": code or right,
    }
    response = api_client.post("/api/v1/auth/login/2fa/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == (expected or "code_invalid")
    assert not AccessToken.objects.filter(user=two_fa_user).exists()


def test_two_fa_expired_code(api_client, committed, two_fa_user, mailed_code):
    started = start_two_fa(api_client, committed, two_fa_user)
    EmailVerificationCode.objects.filter(user=two_fa_user).update(
        created_at=timezone.now() - timedelta(minutes=11),
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    response = api_client.post(
        "/api/v1/auth/login/2fa/",
        {"challenge_token": started["challenge_token"], "code": mailed_code(two_fa_user.email)},
        format="json",
    )
    assert response.json()["code"] == "code_expired"


def test_two_fa_resend_gives_a_new_challenge_and_kills_the_old(
    api_client, committed, two_fa_user, mailed_code
):
    old = start_two_fa(api_client, committed, two_fa_user)
    old_code = mailed_code(two_fa_user.email)
    EmailVerificationCode.objects.filter(user=two_fa_user).update(
        created_at=timezone.now() - timedelta(seconds=61)
    )
    with committed():
        resent = api_client.post(
            "/api/v1/auth/login/2fa/resend/",
            {"challenge_token": old["challenge_token"]},
            format="json",
        )
    assert resent.status_code == 202
    new = resent.json()
    stale = api_client.post(
        "/api/v1/auth/login/2fa/",
        {"challenge_token": old["challenge_token"], "code": old_code},
        format="json",
    )
    assert stale.json()["code"] in {"code_invalid", "challenge_invalid"}
    fresh = api_client.post(
        "/api/v1/auth/login/2fa/",
        {"challenge_token": new["challenge_token"], "code": mailed_code(two_fa_user.email)},
        format="json",
    )
    assert fresh.status_code == 200


def test_two_fa_resend_within_a_minute_is_429(api_client, committed, two_fa_user):
    started = start_two_fa(api_client, committed, two_fa_user)
    response = api_client.post(
        "/api/v1/auth/login/2fa/resend/",
        {"challenge_token": started["challenge_token"]},
        format="json",
    )
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_codes"


# --- tokens: logout, everywhere, password change and reset (ACC-24, R12) ---------------------


def tokens_of(user, count):
    return [
        AccessToken.issue(user=user, ttl=timedelta(days=1), name=f"t{i}")[1] for i in range(count)
    ]


def status_with(raw):
    from rest_framework.test import APIClient

    return bearer(APIClient(), raw).get("/api/v1/auth/me/").status_code


def test_acc_24_logout_revokes_only_the_presented_token(api_client, user):
    first, second = tokens_of(user, 2)
    assert bearer(api_client, first).post("/api/v1/auth/logout/").status_code == 204
    assert (status_with(first), status_with(second)) == (401, 200)


def test_acc_24_logout_everywhere(api_client, user):
    first, second = tokens_of(user, 2)
    assert bearer(api_client, first).post("/api/v1/auth/logout-all/").status_code == 204
    assert (status_with(first), status_with(second)) == (401, 401)


def test_acc_24_password_change_keeps_only_the_presented_token(api_client, user):
    first, second = tokens_of(user, 2)
    response = bearer(api_client, first).post(
        "/api/v1/auth/password/change/",
        {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 204
    assert (status_with(first), status_with(second)) == (200, 401)
    assert reload(user).check_password(NEW_PASSWORD)


def test_password_change_with_a_wrong_current_password(api_client, user):
    (raw,) = tokens_of(user, 1)
    response = bearer(api_client, raw).post(
        "/api/v1/auth/password/change/",
        {"current_password": "not-it-at-all-1", "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert reload(user).check_password(DEFAULT_PASSWORD)


def test_password_change_refuses_a_weak_password(api_client, user):
    (raw,) = tokens_of(user, 1)
    response = bearer(api_client, raw).post(
        "/api/v1/auth/password/change/",
        {"current_password": DEFAULT_PASSWORD, "new_password": "password"},
        format="json",
    )
    assert response.status_code == 400
    assert "new_password" in response.json()["fields"]
    assert reload(user).check_password(DEFAULT_PASSWORD)


def test_acc_24_password_reset_sets_the_password_and_revokes_every_token(
    api_client, committed, user, mailed_code
):
    (raw,) = tokens_of(user, 1)
    with committed():
        response = api_client.post(
            "/api/v1/auth/password-reset/", {"email": user.email}, format="json"
        )
    assert response.status_code == 202
    assert response.json() == {}
    response = api_client.post(
        "/api/v1/auth/password-reset/confirm/",
        {"email": user.email, "code": mailed_code(user.email), "new_password": NEW_PASSWORD},
        format="json",
    )
    assert response.status_code == 204
    assert reload(user).check_password(NEW_PASSWORD)
    assert status_with(raw) == 401


def test_password_reset_for_an_unknown_email_answers_the_same(api_client, committed, mailoutbox):
    with committed():
        response = api_client.post(
            "/api/v1/auth/password-reset/", {"email": "nobody@example.com"}, format="json"
        )
    assert (response.status_code, response.json()) == (202, {})
    assert mailoutbox == []
    confirm = api_client.post(
        "/api/v1/auth/password-reset/confirm/",
        {"email": "nobody@example.com", "code": "123456", "new_password": NEW_PASSWORD},
        format="json",
    )
    assert confirm.status_code == 400
    assert confirm.json()["code"] == "code_invalid"


def test_password_reset_weak_password_keeps_the_code(api_client, committed, user, mailed_code):
    with committed():
        api_client.post("/api/v1/auth/password-reset/", {"email": user.email}, format="json")
    code = mailed_code(user.email)
    weak = api_client.post(
        "/api/v1/auth/password-reset/confirm/",
        {"email": user.email, "code": code, "new_password": "password"},
        format="json",
    )
    assert weak.status_code == 400
    good = api_client.post(
        "/api/v1/auth/password-reset/confirm/",
        {"email": user.email, "code": code, "new_password": NEW_PASSWORD},
        format="json",
    )
    assert good.status_code == 204


def test_password_reset_throttled_per_email_after_three(api_client):
    statuses = [
        api_client.post(
            "/api/v1/auth/password-reset/", {"email": "x@example.com"}, format="json"
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [202, 202, 202, 429]


# --- email verification and change (ACC-13, ACC-14) -------------------------------------------


def test_acc_13_verification_sets_the_time_and_signals_once(api_client, committed, mailed_code):
    received = []
    email_verified.connect(
        lambda **kw: received.append(kw["user"].pk), weak=False, dispatch_uid="test-verified"
    )
    try:
        token = register(api_client, committed).json()["token"]
        client = bearer(api_client, token)
        response = client.post(
            "/api/v1/auth/verify-email/", {"code": mailed_code("new@example.com")}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["email_verified_at"] is not None
        again = client.post("/api/v1/auth/verify-email/resend/")
        assert again.status_code == 409
        assert again.json()["code"] == "already_verified"
    finally:
        email_verified.disconnect(dispatch_uid="test-verified")
    assert len(received) == 1


def test_acc_14_email_change_needs_the_password_and_the_new_address_code(
    api_client, committed, user, mailed_code
):
    keep, other = tokens_of(user, 2)
    client = bearer(api_client, keep)
    wrong = client.post(
        "/api/v1/auth/email/change/",
        {"new_email": "moved@example.com", "current_password": "not-it-at-all-1"},
        format="json",
    )
    assert wrong.json()["code"] == "invalid_credentials"
    with committed():
        response = client.post(
            "/api/v1/auth/email/change/",
            {"new_email": "Moved@Example.com", "current_password": DEFAULT_PASSWORD},
            format="json",
        )
    assert response.status_code == 202
    assert reload(user).email == user.email
    confirmed = client.post(
        "/api/v1/auth/email/confirm/", {"code": mailed_code("moved@example.com")}, format="json"
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["email"] == "moved@example.com"
    assert (status_with(keep), status_with(other)) == (200, 401)


def test_acc_14_new_address_taken_meanwhile_is_409(api_client, committed, user, mailed_code):
    (raw,) = tokens_of(user, 1)
    client = bearer(api_client, raw)
    with committed():
        client.post(
            "/api/v1/auth/email/change/",
            {"new_email": "moved@example.com", "current_password": DEFAULT_PASSWORD},
            format="json",
        )
    UserFactory(email="moved@example.com")
    response = client.post(
        "/api/v1/auth/email/confirm/", {"code": mailed_code("moved@example.com")}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_exists"
    assert reload(user).email == user.email


def test_email_change_to_a_taken_address_is_409(api_client, user, other_user):
    (raw,) = tokens_of(user, 1)
    response = bearer(api_client, raw).post(
        "/api/v1/auth/email/change/",
        {"new_email": other_user.email, "current_password": DEFAULT_PASSWORD},
        format="json",
    )
    assert response.status_code == 409


# --- me (ACC-6, ACC-8, ACC-7) -----------------------------------------------------------------


def test_me_shows_the_profile_and_balance_never_secrets(client_for, user):
    body = client_for(user).get("/api/v1/auth/me/").json()
    assert body["email"] == user.email
    assert body["credits"]["total_credits"] == 0
    assert body["is_moderator"] is False and body["has_usable_password"] is True
    assert "password" not in body and "hashed_password" not in body


def test_me_patch_updates_preferences(client_for, user, model_catalogue):
    response = client_for(user).patch(
        "/api/v1/auth/me/",
        {
            "name": "Renamed",
            "theme_preset": "solarized",
            "chat_position": "left",
            "disabled_models": ["openai/gpt-5", "openai/gpt-5", "anthropic/claude-haiku-4"],
            "avatar_url": "https://cdn.example.com/me.png",
            "username": "renamed_user",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["disabled_models"] == ["openai/gpt-5", "anthropic/claude-haiku-4"]
    assert (body["name"], body["chat_position"], body["username"]) == (
        "Renamed",
        "left",
        "renamed_user",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"chat_position": "top"},
        {"avatar_url": "http://example.com/a.png"},
        {"avatar_url": "https://127.0.0.1/a.png"},
        {"avatar_url": "data:image/png;base64,AAAA"},
        {"disabled_models": "not-a-list"},
        {"disabled_models": ["x" * 201]},
        {"disabled_models": [f"m{i}" for i in range(501)]},
        {"theme_preset": "t" * 65},
        {"username": "UPPER"},
        {"name": ""},
    ],
)
def test_me_patch_bad_input_changes_nothing(client_for, user, change):
    before = reload(user)
    response = client_for(user).patch("/api/v1/auth/me/", change, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    after = reload(user)
    assert (
        after.name,
        after.chat_position,
        after.avatar_url,
        after.disabled_models,
        after.username,
    ) == (
        before.name,
        before.chat_position,
        before.avatar_url,
        before.disabled_models,
        before.username,
    )


def test_me_patch_username_taken_is_409(client_for, user, other_user):
    response = client_for(user).patch(
        "/api/v1/auth/me/", {"username": other_user.username}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["fields"].keys() == {"username"}


def test_r3_acc_6_me_patch_refuses_privileged_fields(client_for, user):
    privileged = {
        "email": "hijack@example.com",
        "is_staff": True,
        "is_superuser": True,
        "purchased_credits": 999,
        "subscription_tier": "ultra",
        "slug": "mine",
        "referral_code": "AAAAAAAA",
        "stripe_customer_id": "cus_x",
        "is_active": False,
        "total_spend_cents": 5,
    }
    response = client_for(user).patch("/api/v1/auth/me/", privileged, format="json")
    assert_refused(response, *privileged)
    after = reload(user)
    assert (after.email, after.is_staff, after.is_superuser, after.purchased_credits) == (
        user.email,
        False,
        False,
        0,
    )
    assert (after.subscription_tier, after.slug, after.referral_code, after.is_active) == (
        "free",
        user.slug,
        user.referral_code,
        True,
    )
    assert after.stripe_customer_id is None and after.total_spend_cents == 0


@pytest.mark.parametrize("password", [None, "not-it-at-all-1"])
def test_acc_8_two_fa_change_needs_the_current_password(client_for, user, password):
    body = {"two_fa_enabled": True}
    if password:
        body["current_password"] = password
    response = client_for(user).patch("/api/v1/auth/me/", body, format="json")
    assert response.status_code == 400
    assert "current_password" in response.json()["fields"]
    assert reload(user).two_fa_enabled is False


def test_acc_8_two_fa_change_with_the_password(client_for, user):
    response = client_for(user).patch(
        "/api/v1/auth/me/",
        {"two_fa_enabled": True, "current_password": DEFAULT_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    assert reload(user).two_fa_enabled is True


def test_acc_7_delete_me_with_the_password(client_for, user):
    deleting = []
    user_deleting.connect(
        lambda **kw: deleting.append(User.objects.filter(pk=kw["user"].pk).exists()),
        weak=False,
        dispatch_uid="test-deleting",
    )
    try:
        client = client_for(user)
        wrong = client.delete(
            "/api/v1/auth/me/", {"current_password": "nope-nope-nope"}, format="json"
        )
        assert wrong.json()["code"] == "invalid_credentials"
        response = client.delete(
            "/api/v1/auth/me/", {"current_password": DEFAULT_PASSWORD}, format="json"
        )
    finally:
        user_deleting.disconnect(dispatch_uid="test-deleting")
    assert response.status_code == 204
    assert deleting == [True]  # sent while the row still existed
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize("role", ["staff_user", "superuser"])
def test_acc_7_protected_accounts_are_not_deleted(client_for, request, role):
    protected = request.getfixturevalue(role)
    response = client_for(protected).delete(
        "/api/v1/auth/me/", {"current_password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "deactivate_instead"
    assert User.objects.filter(pk=protected.pk).exists()


# --- token and OAuth-account lists ------------------------------------------------------------


def test_tokens_list_marks_the_current_one_and_hides_others(client_for, user, other_user):
    client = client_for(user)
    tokens_of(other_user, 2)
    body = client.get("/api/v1/auth/tokens/").json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert row["is_current"] is True and row["kind"] == "session"
    assert set(row) == {
        "id",
        "token_prefix",
        "name",
        "kind",
        "created_at",
        "last_used_at",
        "expires_at",
        "is_current",
    }


def test_deleting_another_users_token_is_404(client_for, user, other_user):
    theirs, _ = AccessToken.issue(user=other_user, ttl=timedelta(days=1), name="x")
    response = client_for(user).delete(f"/api/v1/auth/tokens/{theirs.pk}/")
    assert response.status_code == 404
    assert AccessToken.objects.filter(pk=theirs.pk).exists()


def test_deleting_ones_own_token_revokes_it(client_for, user):
    client = client_for(user)
    (raw,) = tokens_of(user, 1)
    other = AccessToken.objects.get(token_prefix=raw[:12])
    assert client.delete(f"/api/v1/auth/tokens/{other.pk}/").status_code == 204
    assert status_with(raw) == 401


@pytest.mark.parametrize("path", ["/api/v1/auth/tokens/", "/api/v1/auth/oauth-accounts/"])
def test_list_query_count_does_not_grow(client_for, user, path, django_assert_num_queries):
    from tests.accounts.factories import OAuthAccountFactory

    client = client_for(user)
    client.get(path)
    OAuthAccountFactory(user=user, oauth_name="github")
    tokens_of(user, 1)
    with django_assert_num_queries(3):
        client.get(path)
    OAuthAccountFactory(user=user, oauth_name="google")
    tokens_of(user, 10)
    with django_assert_num_queries(3):
        assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    ("path", "extra"),
    [("/api/v1/auth/login/", {"password": "x"}), ("/api/v1/auth/password-reset/", {})],
)
def test_an_overlong_email_is_a_400_not_a_500(api_client, path, extra):
    """R14 regression: the email throttle put the raw address in the cache key."""
    response = api_client.post(path, {"email": "a" * 400, **extra}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()["fields"]
