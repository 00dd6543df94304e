from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AccessToken, McpServer, User, WaitlistEntry, WaitlistStatus
from accounts.services import mcp_server_create, waitlist_join
from accounts.tasks import send_invite_email
from config import admin as config_admin
from config.admin import EstimatedCountPaginator
from config.roles import SUPPORT_GROUP
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers import admin_url, change_form_data, messages, run_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_admin_login_with_email_and_password(client, staff_user):
    response = client.post(
        "/admin/login/?next=/admin/",
        {"email": staff_user.email.upper(), "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "Studio back office" in index.content.decode()


def test_admin_login_refuses_non_staff(client, user):
    client.post("/admin/login/?next=/admin/", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/accesstoken/",
    ],
)
def test_pages_load(admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_user_change_page_shows_buckets_read_only(admin_client, user):
    html = admin_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert 'name="purchased_credits"' not in html
    assert "Purchased credits" in html


def test_posting_buckets_in_the_change_form_changes_nothing(admin_client, user):
    data = change_form_data(admin_client.get(f"/admin/accounts/user/{user.pk}/change/"))
    data.update(purchased_credits=999, is_active="on", chat_position="left")
    data["groups"] = []
    data["user_permissions"] = []
    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.chat_position == "left"
    assert user.purchased_credits == 0


def test_add_user_from_admin(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.Person@Example.com",
            "name": "New Person",
            "password1": "a-strong-admin-chosen-9",
            "password2": "a-strong-admin-chosen-9",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(email="new.person@example.com")
    assert created.check_password("a-strong-admin-chosen-9")


@pytest.mark.parametrize("term", ["exact@example.com", "EXACT@example.com", "exactuser"])
def test_user_search_is_index_backed(admin_client, term):
    wanted = UserFactory(email="exact@example.com", username="exactuser_abc123")
    UserFactory.create_batch(3)
    response = admin_client.get("/admin/accounts/user/", {"q": term})
    assert list(response.context["cl"].result_list) == [wanted]


def test_user_search_by_referral_code(admin_client, user):
    response = admin_client.get("/admin/accounts/user/", {"q": user.referral_code.lower()})
    assert list(response.context["cl"].result_list) == [user]


def test_large_tables_are_never_counted_in_full(admin_client, monkeypatch):
    UserFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")
    monkeypatch.setattr(config_admin, "EXACT_COUNT_BELOW", 1)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get("/admin/accounts/user/")
    assert response.status_code == 200
    counts = [
        q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "accounts_user" in q["sql"]
    ]
    assert counts == []


def test_estimated_paginator_counts_small_or_filtered_lists_exactly(monkeypatch):
    UserFactory.create_batch(3)
    assert EstimatedCountPaginator(User.objects.order_by("pk"), 10).count == 3
    monkeypatch.setattr(config_admin, "EXACT_COUNT_BELOW", 1)
    filtered = User.objects.filter(is_staff=False).order_by("pk")
    assert EstimatedCountPaginator(filtered, 10).count == 3


def test_access_tokens_are_read_only_in_admin(admin_client, user):
    token, _ = AccessToken.issue(user=user, ttl=timedelta(days=1), name="web")
    assert admin_client.get("/admin/accounts/accesstoken/add/").status_code == 403
    response = admin_client.post(f"/admin/accounts/accesstoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessToken.objects.filter(pk=token.pk).exists()


# --- actions and related admins ---------------------------------------------------------------


def test_deactivate_action_revokes_tokens(admin_client, user, other_user):
    AccessToken.issue(user=user, ttl=timedelta(days=1), name="web")
    response = run_action(admin_client, User, "deactivate_and_revoke", [user])
    assert "Deactivated 1 user." in response.content.decode()
    user.refresh_from_db()
    assert user.is_active is False
    assert not AccessToken.objects.filter(user=user).exists()


def test_revoke_all_tokens_action(admin_client, user):
    AccessToken.issue(user=user, ttl=timedelta(days=1), name="a")
    AccessToken.issue(user=user, ttl=timedelta(days=1), name="b")
    response = run_action(admin_client, User, "revoke_all_tokens", [user])
    assert "Revoked 2 tokens." in response.content.decode()
    assert not AccessToken.objects.filter(user=user).exists()


def test_issue_service_token_refuses_ordinary_users(admin_client, user):
    response = run_action(admin_client, User, "issue_service_token", [user])
    assert "holds no service permission" in response.content.decode()
    assert not AccessToken.objects.filter(user=user).exists()


def test_issue_service_token_shows_the_raw_token_once(admin_client, superuser):
    form = run_action(admin_client, User, "issue_service_token", [superuser])
    assert form.status_code == 200 and 'name="ttl_days"' in form.content.decode()
    response = run_action(
        admin_client, User, "issue_service_token", [superuser], name="runtime", ttl_days=30
    )
    html = response.content.decode()
    token = AccessToken.objects.get(user=superuser, name="runtime")
    assert token.token_prefix in html and "shown only this once" in html
    assert abs(token.expires_at - token.created_at - timedelta(days=30)) < timedelta(seconds=1)
    # Issue 22: the date reads plainly, and a button copies the token.
    assert f"it expires on {token.expires_at:%Y-%m-%d %H:%M} UTC." in html
    assert 'id="copy-service-token"' in html


def test_issue_service_token_refuses_a_bad_lifetime(admin_client, superuser):
    run_action(admin_client, User, "issue_service_token", [superuser], name="x", ttl_days=400)
    assert not AccessToken.objects.filter(user=superuser, name="x").exists()


def test_admin_delete_goes_through_user_delete(admin_client, user, staff_user):
    response = admin_client.post(
        "/admin/accounts/user/",
        {
            "action": "delete_selected",
            "_selected_action": [str(user.pk), str(staff_user.pk)],
            "post": "yes",
        },
        follow=True,
    )
    assert "deactivate them instead" in response.content.decode()
    assert not User.objects.filter(pk=user.pk).exists()
    assert User.objects.filter(pk=staff_user.pk).exists()


def test_oauth_and_code_admins_never_show_secrets(admin_client, user, committed):
    from accounts import services
    from accounts.models import CodePurpose
    from tests.accounts.factories import OAuthAccountFactory

    account = OAuthAccountFactory(user=user, access_token="gho_secret_value_9876")
    with committed():
        code = services.code_issue(user=user, purpose=CodePurpose.TWO_FA_LOGIN)
    pages = [
        "/admin/accounts/oauthaccount/",
        f"/admin/accounts/oauthaccount/{account.pk}/change/",
        "/admin/accounts/emailverificationcode/",
        f"/admin/accounts/emailverificationcode/{code.pk}/change/",
        f"/admin/accounts/user/{user.pk}/change/",
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "gho_secret_value_9876" not in html and code.code_hash not in html
    assert "•••• 9876" in admin_client.get(pages[1]).content.decode()
    assert admin_client.get("/admin/accounts/oauthaccount/add/").status_code == 403
    assert admin_client.get("/admin/accounts/emailverificationcode/add/").status_code == 403


def test_email_codes_are_view_only_and_never_show_the_hash(admin_client, user):
    """The coverage guard's gap (issue 10): EmailVerificationCodeAdmin had no test."""
    from accounts import services
    from accounts.models import CodePurpose, EmailVerificationCode

    code = services.code_issue(user=user, purpose=CodePurpose.PASSWORD_RESET)
    code_hash = EmailVerificationCode.objects.get(pk=code.pk).code_hash
    for path in (
        "/admin/accounts/emailverificationcode/",
        f"/admin/accounts/emailverificationcode/{code.pk}/change/",
    ):
        response = admin_client.get(path)
        assert response.status_code == 200
        assert code_hash not in response.content.decode()
        assert code_hash.split("$")[-1] not in response.content.decode()
    assert admin_client.get("/admin/accounts/emailverificationcode/add/").status_code == 403


def test_acc_44_mcp_server_admin_masks_headers_and_deletes_through_the_service(client, user):
    server = mcp_server_create(
        actor=user,
        name="admin-view",
        url="https://mcp.example.com/",
        headers={"X-Key": "hidden-42"},
    )
    support = UserFactory(staff=True)
    support.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    client.force_login(support)
    page = client.get(admin_url(McpServer, f"{server.pk}/change/"))
    assert page.status_code == 200
    assert "X-Key" in page.content.decode() and "hidden-42" not in page.content.decode()
    assert client.get(admin_url(McpServer)).status_code == 200
    assert client.get(admin_url(McpServer, "add/")).status_code == 403
    deleted = client.post(admin_url(McpServer, f"{server.pk}/delete/"), {"post": "yes"})
    assert deleted.status_code == 302
    assert not McpServer.objects.filter(pk=server.pk).exists()


def test_acc_48_support_searches_filters_and_invites_in_admin(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(send_invite_email, "delay", lambda **kwargs: sent.append(kwargs["to"]))
    for email in ("ann@example.com", "bob@example.com", "cy@example.com"):
        waitlist_join(email=email)
    joined = UserFactory(email="cy-user@example.com")
    WaitlistEntry.objects.filter(email="cy@example.com").update(
        status=WaitlistStatus.JOINED, joined_user=joined
    )
    support = UserFactory(staff=True)
    support.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    client.force_login(support)
    found = client.get(admin_url(WaitlistEntry), {"q": "ANN@exa"})
    assert [row.email for row in found.context["cl"].result_list] == ["ann@example.com"]
    waiting = client.get(admin_url(WaitlistEntry), {"status__exact": "waiting"})
    assert {row.email for row in waiting.context["cl"].result_list} == {
        "ann@example.com",
        "bob@example.com",
    }
    entries = WaitlistEntry.objects.order_by("email")
    with django_capture_on_commit_callbacks(execute=True):
        page = run_action(client, WaitlistEntry, "invite", entries)
    assert messages(page) == ["Sent 2 invitations; skipped 1: already joined."]
    assert sent == ["ann@example.com", "bob@example.com"]
    assert sorted(WaitlistEntry.objects.values_list("status", flat=True)) == [
        "invited",
        "invited",
        "joined",
    ]
    again = run_action(client, WaitlistEntry, "invite", entries.filter(email="ann@example.com"))
    assert messages(again) == ["Sent 0 invitations; skipped 1: already invited."]
    assert client.get(admin_url(WaitlistEntry, "add/")).status_code == 403
