"""Who may call each auth/ endpoint (API.md §3, §9.1): one row per endpoint and method.

Statuses past the permission checks (400 for an empty body, 204, 200) show the caller got
through; `{token}` and `{oauth}` are rows owned by the owner.
"""

from datetime import timedelta

import pytest

from accounts.models import AccessToken
from tests.accounts.factories import OAuthAccountFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "owner", "other", "moderator", "service", "staff")


def signed_in(status):
    """Any signed-in user gets `status`; anonymous callers 401."""
    return {role: (401 if role == "anonymous" else status) for role in ROLES}


def owner_only(status):
    return {role: {"anonymous": 401, "owner": status}.get(role, 404) for role in ROLES}


def everyone(status):
    return dict.fromkeys(ROLES, status)


MATRIX = [
    ("post", "auth/register/", everyone(400)),
    ("post", "auth/login/", everyone(400)),
    ("post", "auth/login/2fa/", everyone(400)),
    ("post", "auth/login/2fa/resend/", everyone(400)),
    ("post", "auth/password-reset/", everyone(400)),
    ("post", "auth/password-reset/confirm/", everyone(400)),
    ("get", "auth/oauth/github/authorize/", everyone(400)),
    ("post", "auth/oauth/github/callback/", everyone(400)),
    ("post", "auth/logout/", signed_in(204)),
    ("post", "auth/logout-all/", signed_in(204)),
    ("post", "auth/password/change/", signed_in(400)),
    ("post", "auth/verify-email/", signed_in(400)),
    ("post", "auth/verify-email/resend/", signed_in(202)),
    ("post", "auth/email/change/", signed_in(400)),
    ("post", "auth/email/confirm/", signed_in(400)),
    ("get", "auth/me/", signed_in(200)),
    ("patch", "auth/me/", signed_in(200)),
    ("delete", "auth/me/", signed_in(400)),
    ("get", "auth/tokens/", signed_in(200)),
    ("delete", "auth/tokens/{token}/", owner_only(204)),
    ("get", "auth/oauth-accounts/", signed_in(200)),
    ("delete", "auth/oauth-accounts/{oauth}/", owner_only(204)),
    ("get", "auth/login/", everyone(405)),
    ("put", "auth/me/", signed_in(405)),
]


@pytest.fixture
def callers(api_client, client_for, user, other_user, moderator, service_account, staff_user):
    return {
        "anonymous": api_client,
        "owner": client_for(user),
        "other": client_for(other_user),
        "moderator": client_for(moderator),
        "service": client_for(service_account),
        "staff": client_for(staff_user),
    }


@pytest.fixture
def owned_rows(user):
    token, _ = AccessToken.issue(user=user, ttl=timedelta(days=1), name="target")
    return {"token": token.pk, "oauth": OAuthAccountFactory(user=user).pk}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=lambda v: str(v)[:40])
def test_accounts_permission_matrix(callers, owned_rows, role, method, path, expected):
    url = "/api/v1/" + path.format(**owned_rows)
    response = getattr(callers[role], method)(url, {}, format="json")
    assert response.status_code == expected[role], (role, method, url, response.content)
