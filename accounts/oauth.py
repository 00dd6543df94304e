"""Sign-in with Google and GitHub (DATA_MODEL.md §2.2, API.md §9.1).

Every call to a provider goes through `transport`, the one function that leaves the machine;
tests replace it with recorded responses. The `state` sent through the browser is signed and
lives 10 minutes, and carries the provider and the redirect URI it was issued for.
"""

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from accounts.errors import (
    InvalidCredentials,
    OAuthEmailUnverified,
    OAuthFailed,
    OAuthProviderUnavailable,
    StateInvalid,
)
from accounts.models import OAuthAccount, OAuthProvider, User, normalize_email
from accounts.services import mark_email_verified, waitlist_mark_joined
from accounts.signals import user_registered

STATE_SALT = "accounts.oauth-state"
STATE_MAX_AGE = 600
TIMEOUT_SECONDS = 10


def transport(method, url, *, data=None, headers=None):
    """One HTTP exchange with a provider, answering the decoded JSON body."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(  # noqa: S310 - the URLs are the providers' fixed https ones
        url, data=body, method=method, headers={"Accept": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise OAuthProviderUnavailable() from None
        raise OAuthFailed() from None
    except (urllib.error.URLError, TimeoutError):
        raise OAuthProviderUnavailable() from None
    except ValueError:
        raise OAuthFailed() from None


@dataclass(frozen=True)
class Identity:
    account_id: str
    email: str
    email_verified: bool
    name: str
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None


class Provider:
    name = ""
    authorize_endpoint = ""
    token_endpoint = ""
    scope = ""

    @property
    def client_id(self):
        return settings.OAUTH_CLIENTS.get(self.name, {}).get("client_id", "")

    @property
    def client_secret(self):
        return settings.OAUTH_CLIENTS.get(self.name, {}).get("client_secret", "")

    def authorization_url(self, *, state, redirect_uri):
        query = urllib.parse.urlencode(
            {
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": self.scope,
                "state": state,
            }
        )
        return f"{self.authorize_endpoint}?{query}"

    def exchange(self, *, code, redirect_uri):
        tokens = transport(
            "POST",
            self.token_endpoint,
            data={
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "code": code,
                "redirect_uri": redirect_uri,
                "grant_type": "authorization_code",
            },
        )
        if not isinstance(tokens, dict) or not tokens.get("access_token"):
            raise OAuthFailed()
        return tokens

    def identity(self, *, code, redirect_uri):
        raise NotImplementedError


def _expiry(tokens):
    """The access token's expiry: providers send its lifetime in seconds."""
    seconds = tokens.get("expires_in")
    if not isinstance(seconds, int):
        return None
    return timezone.now() + timedelta(seconds=seconds)


class Google(Provider):
    name = OAuthProvider.GOOGLE
    authorize_endpoint = "https://accounts.google.com/o/oauth2/v2/auth"
    token_endpoint = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL
    userinfo_endpoint = "https://openidconnect.googleapis.com/v1/userinfo"
    scope = "openid email profile"

    def identity(self, *, code, redirect_uri):
        tokens = self.exchange(code=code, redirect_uri=redirect_uri)
        profile = transport(
            "GET",
            self.userinfo_endpoint,
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        if not profile.get("sub") or not profile.get("email"):
            raise OAuthFailed()
        return Identity(
            account_id=str(profile["sub"]),
            email=normalize_email(profile["email"]),
            email_verified=profile.get("email_verified") is True,
            name=profile.get("name") or "",
            access_token=tokens["access_token"],
            refresh_token=tokens.get("refresh_token"),
            expires_at=_expiry(tokens),
        )


class GitHub(Provider):
    name = OAuthProvider.GITHUB
    authorize_endpoint = "https://github.com/login/oauth/authorize"
    token_endpoint = "https://github.com/login/oauth/access_token"  # noqa: S105 - a URL
    user_endpoint = "https://api.github.com/user"
    emails_endpoint = "https://api.github.com/user/emails"
    scope = "read:user user:email"

    def identity(self, *, code, redirect_uri):
        tokens = self.exchange(code=code, redirect_uri=redirect_uri)
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        profile = transport("GET", self.user_endpoint, headers=auth)
        emails = transport("GET", self.emails_endpoint, headers=auth)
        primary = (
            next((e for e in emails if isinstance(e, dict) and e.get("primary")), None)
            if isinstance(emails, list)
            else None
        )
        if not profile.get("id") or primary is None or not primary.get("email"):
            raise OAuthFailed()
        return Identity(
            account_id=str(profile["id"]),
            email=normalize_email(primary["email"]),
            email_verified=primary.get("verified") is True,
            name=profile.get("name") or profile.get("login") or "",
            access_token=tokens["access_token"],
            refresh_token=tokens.get("refresh_token"),
            expires_at=_expiry(tokens),
        )


PROVIDERS = {provider.name: provider for provider in (Google(), GitHub())}


def configured_provider(name):
    provider = PROVIDERS.get(name)
    if provider is None or not provider.client_id:
        return None
    return provider


def state_issue(*, provider, redirect_uri):
    return signing.dumps(
        {"p": provider.name, "r": redirect_uri, "n": secrets.token_urlsafe(16)}, salt=STATE_SALT
    )


def state_redirect_uri(*, provider, state):
    try:
        payload = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:
        raise StateInvalid() from None
    if payload.get("p") != provider.name or payload.get("r") not in settings.OAUTH_REDIRECT_URIS:
        raise StateInvalid()
    return payload["r"]


def _store_tokens(account, identity):
    account.account_email = identity.email
    account.access_token = identity.access_token
    account.refresh_token = identity.refresh_token
    account.expires_at = identity.expires_at


def oauth_sign_in(*, provider, code, state):
    """ACC-10, ACC-11: the user behind a provider identity, and whether it was created.

    The provider is asked before the transaction opens, so no lock waits on the network.
    """
    redirect_uri = state_redirect_uri(provider=provider, state=state)
    identity = provider.identity(code=code, redirect_uri=redirect_uri)
    created = False
    with transaction.atomic():
        account = (
            OAuthAccount.objects.select_for_update()
            .select_related("user")
            .filter(oauth_name=provider.name, account_id=identity.account_id)
            .first()
        )
        if account is not None:
            user = account.user
        else:
            user = User.objects.filter(email=identity.email).first()
            if user is not None and not identity.email_verified:
                raise OAuthEmailUnverified()
            if user is None:
                user = User.objects.create_user(
                    identity.email, None, name=identity.name or identity.email.split("@")[0][:150]
                )
                user_registered.send(sender=User, user=user)
                waitlist_mark_joined(user=user)
                created = True
            account = OAuthAccount(
                user=user, oauth_name=provider.name, account_id=identity.account_id
            )
        if not user.is_active:
            raise InvalidCredentials()
        _store_tokens(account, identity)
        account.save()
        if created and identity.email_verified:
            mark_email_verified(user=user)
    return user, created
