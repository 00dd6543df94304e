"""Sign-in with Google and GitHub (ACC-10…12) against recorded provider responses."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection

from accounts import oauth
from accounts.errors import OAuthProviderUnavailable
from accounts.models import OAuthAccount, User, WaitlistEntry, WaitlistStatus
from accounts.services import waitlist_join
from tests.accounts.factories import OAuthAccountFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REDIRECT = "https://studio.example.com/oauth/callback"


@pytest.fixture(autouse=True)
def oauth_settings(settings):
    settings.OAUTH_CLIENTS = {
        "github": {"client_id": "gh-client", "client_secret": "gh-secret"},
        "google": {"client_id": "gg-client", "client_secret": "gg-secret"},
    }
    settings.OAUTH_REDIRECT_URIS = [REDIRECT]


class RecordedProvider:
    """Stands in for `oauth.transport`: answers each provider URL with a recorded body."""

    def __init__(self, responses):
        self.responses = responses
        self.calls = []

    def __call__(self, method, url, *, data=None, headers=None):
        self.calls.append((method, url, data))
        answer = self.responses[url]
        if isinstance(answer, Exception):
            raise answer
        return answer


def github(*, user_id=4242, email="octo@example.com", verified=True, token="gho_recorded_1234"):
    return RecordedProvider(
        {
            oauth.GitHub.token_endpoint: {
                "access_token": token,
                "token_type": "bearer",
                "scope": "read:user,user:email",
            },
            oauth.GitHub.user_endpoint: {"id": user_id, "login": "octo", "name": "Octo Cat"},
            oauth.GitHub.emails_endpoint: [
                {"email": "old@example.com", "primary": False, "verified": True},
                {"email": email, "primary": True, "verified": verified},
            ],
        }
    )


def google(*, sub="g-1", email="gmail@example.com", verified=True):
    return RecordedProvider(
        {
            oauth.Google.token_endpoint: {
                "access_token": "ya29.recorded",
                "expires_in": 3599,
                "refresh_token": "1//refresh-recorded",
            },
            oauth.Google.userinfo_endpoint: {
                "sub": sub,
                "email": email,
                "email_verified": verified,
                "name": "G User",
            },
        }
    )


def state_for(api_client, provider="github"):
    response = api_client.get(f"/api/v1/auth/oauth/{provider}/authorize/")
    assert response.status_code == 200, response.content
    return response.json()["state"]


def callback(api_client, monkeypatch, recorded, provider="github", state=None):
    monkeypatch.setattr(oauth, "transport", recorded)
    return api_client.post(
        f"/api/v1/auth/oauth/{provider}/callback/",
        {"code": "provider-code", "state": state or state_for(api_client, provider)},
        format="json",
    )


def test_authorize_gives_the_provider_url_with_a_signed_state(api_client):
    body = api_client.get("/api/v1/auth/oauth/github/authorize/").json()
    query = parse_qs(urlsplit(body["authorization_url"]).query)
    assert body["authorization_url"].startswith("https://github.com/login/oauth/authorize?")
    assert query["client_id"] == ["gh-client"]
    assert query["redirect_uri"] == [REDIRECT]
    assert query["state"] == [body["state"]]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/oauth/myspace/authorize/",
        "/api/v1/auth/oauth/github/authorize/?redirect_uri=https://evil.example.com/cb",
    ],
)
def test_authorize_refuses_unknown_providers_and_redirects(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_unconfigured_provider_is_refused(api_client, settings):
    settings.OAUTH_CLIENTS = {"github": {"client_id": ""}}
    assert api_client.get("/api/v1/auth/oauth/github/authorize/").status_code == 400


def test_acc_11_new_identity_creates_a_verified_user(api_client, monkeypatch):
    recorded = github()
    response = callback(api_client, monkeypatch, recorded)
    assert response.status_code == 201, response.content
    user = User.objects.get(email="octo@example.com")
    assert not user.has_usable_password()
    assert user.email_verified_at is not None
    assert user.name == "Octo Cat"
    account = OAuthAccount.objects.get(user=user)
    assert (account.account_id, account.access_token) == ("4242", "gho_recorded_1234")
    assert account.access_token_last4 == "1234"
    token_call = recorded.calls[0]
    assert (
        token_call[2]["client_secret"] == "gh-secret" and token_call[2]["code"] == "provider-code"
    )


def test_acc_47_an_oauth_sign_up_joins_its_waitlist_entry(api_client, monkeypatch):
    waitlist_join(email="octo@example.com")
    response = callback(api_client, monkeypatch, github())
    assert response.status_code == 201, response.content
    entry = WaitlistEntry.objects.get()
    assert entry.status == WaitlistStatus.JOINED
    assert entry.joined_user == User.objects.get(email="octo@example.com")


def test_acc_10_known_identity_signs_in_and_replaces_tokens(api_client, monkeypatch):
    account = OAuthAccountFactory(account_id="4242", oauth_name="github")
    response = callback(api_client, monkeypatch, github(token="gho_newer_5678"))
    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(account.user_id)
    account.refresh_from_db()
    assert account.access_token == "gho_newer_5678" and account.access_token_last4 == "5678"


def test_acc_11_verified_email_of_an_existing_user_links(api_client, monkeypatch):
    existing = UserFactory(email="gmail@example.com")
    response = callback(api_client, monkeypatch, google(), provider="google")
    assert response.status_code == 200
    account = OAuthAccount.objects.get(user=existing)
    assert account.refresh_token == "1//refresh-recorded"
    assert account.expires_at is not None


def test_acc_11_unverified_email_of_an_existing_user_is_409(api_client, monkeypatch):
    UserFactory(email="octo@example.com")
    response = callback(api_client, monkeypatch, github(verified=False))
    assert response.status_code == 409
    assert response.json()["code"] == "oauth_email_unverified"
    assert not OAuthAccount.objects.exists()


def test_new_user_with_an_unverified_email_stays_unverified(api_client, monkeypatch):
    response = callback(api_client, monkeypatch, github(verified=False))
    assert response.status_code == 201
    assert User.objects.get(email="octo@example.com").email_verified_at is None


@pytest.mark.parametrize("state", ["forged", None])
def test_bad_or_foreign_state_is_state_invalid(api_client, monkeypatch, state):
    google_state = state_for(api_client, "google")
    response = callback(api_client, monkeypatch, github(), state=state or google_state)
    assert response.status_code == 400
    assert response.json()["code"] == "state_invalid"


def test_provider_refusing_the_code_is_oauth_failed(api_client, monkeypatch):
    recorded = github()
    recorded.responses[oauth.GitHub.token_endpoint] = {"error": "bad_verification_code"}
    response = callback(api_client, monkeypatch, recorded)
    assert response.status_code == 400
    assert response.json()["code"] == "oauth_failed"


def test_provider_down_is_503(api_client, monkeypatch):
    recorded = github()
    recorded.responses[oauth.GitHub.token_endpoint] = OAuthProviderUnavailable()
    response = callback(api_client, monkeypatch, recorded)
    assert response.status_code == 503
    assert response.json()["code"] == "oauth_provider_unavailable"


def test_provider_tokens_are_encrypted_at_rest(api_client, monkeypatch):
    callback(api_client, monkeypatch, google(), provider="google")
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(a)::text FROM accounts_oauthaccount a")
        rows = [row[0] for row in cursor.fetchall()]
    assert rows
    assert not any("ya29.recorded" in row or "refresh-recorded" in row for row in rows)


# --- the linked accounts list (ACC-12) --------------------------------------------------------


def test_oauth_accounts_list_shows_only_ones_own_without_tokens(client_for, user, other_user):
    OAuthAccountFactory(user=user)
    OAuthAccountFactory(user=other_user)
    body = client_for(user).get("/api/v1/auth/oauth-accounts/").json()
    assert body["count"] == 1
    assert set(body["results"][0]) == {"id", "oauth_name", "account_email", "created_at"}


def test_acc_12_unlinking_the_last_way_to_sign_in_is_409(client_for, user):
    user.set_unusable_password()
    user.save()
    account = OAuthAccountFactory(user=user)
    response = client_for(user).delete(f"/api/v1/auth/oauth-accounts/{account.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "last_login_method"
    assert OAuthAccount.objects.filter(pk=account.pk).exists()


def test_acc_12_unlinking_with_a_password_or_another_provider(client_for, user):
    github_account = OAuthAccountFactory(user=user, oauth_name="github")
    assert (
        client_for(user).delete(f"/api/v1/auth/oauth-accounts/{github_account.pk}/").status_code
        == 204
    )
    user.set_unusable_password()
    user.save()
    google_account = OAuthAccountFactory(user=user, oauth_name="google")
    OAuthAccountFactory(user=user, oauth_name="github")
    assert (
        client_for(user).delete(f"/api/v1/auth/oauth-accounts/{google_account.pk}/").status_code
        == 204
    )


def test_unlinking_another_users_account_is_404(client_for, user, other_user):
    theirs = OAuthAccountFactory(user=other_user)
    response = client_for(user).delete(f"/api/v1/auth/oauth-accounts/{theirs.pk}/")
    assert response.status_code == 404
    assert OAuthAccount.objects.filter(pk=theirs.pk).exists()
