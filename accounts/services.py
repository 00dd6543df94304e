"""Every write of accounts: sign-up, sign-in, one-time codes, tokens, email and deletion.

Rule ids refer to DATA_MODEL.md §2. Each service takes keyword-only arguments, runs in one
transaction and raises the domain errors of `accounts.errors`. Emails go out after commit.
The one deliberate exception is `code_verify`: it counts the attempt in its own statement
before checking the hash, so a wrong guess stays counted although the request fails (ACC-33).
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, F, Max
from django.db.models.functions import Now
from django.utils import timezone

from accounts.errors import (
    AlreadyVerified,
    ChallengeInvalid,
    CodeExpired,
    CodeInvalid,
    CodeLocked,
    DeactivateInstead,
    InvalidCredentials,
    LastLoginMethod,
    McpServerLimitReached,
    McpServerNameTaken,
    NotAServiceAccount,
    TooManyCodes,
)
from accounts.models import (
    MCP_SERVERS_PER_USER,
    AccessToken,
    CodePurpose,
    EmailVerificationCode,
    McpServer,
    OAuthAccount,
    TokenKind,
    User,
    WaitlistEntry,
    WaitlistStatus,
    normalize_email,
)
from accounts.permissions import (
    user_can_deactivate,
    user_can_delete_account,
    user_can_invite_from_waitlist,
    user_can_issue_service_tokens,
    user_can_unlink_oauth,
    user_owns_mcp_server,
)
from accounts.signals import email_verified, user_deleting, user_registered
from accounts.tasks import send_code_email, send_invite_email
from config.encryption import seal
from config.exceptions import AlreadyExists, DomainError, require
from config.roles import is_service_account

security_log = logging.getLogger("studio.security")

CODE_TTL = timedelta(minutes=10)
CODES_PER_HOUR = 5
CODE_SPACING = timedelta(seconds=60)
CHALLENGE_SALT = "accounts.2fa-challenge"
CHALLENGE_MAX_AGE = int(CODE_TTL.total_seconds())
SERVICE_TOKEN_DAYS = range(1, 366)  # also the lifetimes of personal tokens (ACC-41)


class CodeHasher(Argon2PasswordHasher):
    """argon2id at OWASP's minimum cost (19 MiB, t=2, p=1) for one-time codes.

    A 6-digit code that locks after 5 tries gains nothing from the 100 MiB password cost, and
    20 concurrent guesses must not need 2 GiB. Django's argon2 hasher verifies it, since the
    parameters travel in the hash.
    """

    memory_cost = 19456
    time_cost = 2
    parallelism = 1


CODE_HASHER = CodeHasher()
# Checked when there is no code to check, so a missing account costs the same time.
_DUMMY_CODE_HASH = make_password("000000", hasher=CODE_HASHER)

CODE_EMAILS = {
    CodePurpose.TWO_FA_LOGIN: "Your Studio sign-in code",
    CodePurpose.PASSWORD_RESET: "Reset your Studio password",
    CodePurpose.VERIFY_EMAIL: "Confirm your email address for Studio",
}


# --- passwords ------------------------------------------------------------------------------


def check_password_rules(password, *, user, field):
    """Django's validators (ACC-4) as a 400 on `field`."""
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise DomainError(fields={field: list(exc.messages)}) from None


def require_current_password(user, password, *, field="current_password"):
    if not password or not user.check_password(password):
        security_log.info("Wrong current password for user %s", user.pk)
        raise InvalidCredentials(fields={field: ["The password is not correct."]})


# --- tokens (ACC-20…25) ---------------------------------------------------------------------


def token_issue(*, user, request=None, name="web", ttl=None):
    """A login token and its raw value (shown once); stamps `last_login`."""
    token, raw = AccessToken.issue(
        user=user, ttl=ttl or settings.ACCESS_TOKEN_TTL, name=name, request=request
    )
    User.objects.filter(pk=user.pk).update(last_login=Now())
    return token, raw


def tokens_revoke_all(*, user, keep=None):
    """Deletes the user's tokens, all but `keep` when given. Returns how many went."""
    tokens = AccessToken.objects.filter(user=user)
    if keep is not None:
        tokens = tokens.exclude(pk=keep.pk)
    deleted, _ = tokens.delete()
    return deleted


def service_token_issue(*, user, actor, name, ttl_days):
    """A long-lived token for the agent runtime (ACC-22), issued from admin by holders of
    `accounts.issue_service_token` (superusers by default)."""
    require(user_can_issue_service_tokens(actor))
    if not is_service_account(user):
        raise NotAServiceAccount()
    if ttl_days not in SERVICE_TOKEN_DAYS:
        raise DomainError(fields={"ttl_days": ["Between 1 and 365 days."]})
    security_log.info("Service token %r issued to %s by %s", name, user.pk, actor.pk)
    return AccessToken.issue(
        user=user, ttl=timedelta(days=ttl_days), name=name, kind=TokenKind.SERVICE
    )


def personal_token_issue(*, actor, name, ttl_days):
    """ACC-41: a user's own API token for scripts, `ttl_days` 1 to 365; the raw value is returned
    this once. It counts against the personal cap only (ACC-40), so logins never evict it."""
    if ttl_days not in SERVICE_TOKEN_DAYS:
        raise DomainError(fields={"ttl_days": ["Between 1 and 365 days."]})
    security_log.info("Personal token %r issued to %s", name, actor.pk)
    return AccessToken.issue(
        user=actor, ttl=timedelta(days=ttl_days), name=name, kind=TokenKind.PERSONAL
    )


# --- one-time codes (ACC-30…35) -------------------------------------------------------------


def _queue_code_email(*, to, purpose, raw, expires_at):
    """Queues the code's mail (accounts.tasks), sealed so the broker never holds it in the clear."""
    send_code_email.delay(
        to=to,
        subject=CODE_EMAILS[purpose],
        sealed_code=seal(raw),
        minutes=int(CODE_TTL.total_seconds() // 60),
        expires_at=expires_at.isoformat(),
    )


def code_issue(*, user, purpose, target_email=None):
    """Voids the user's live code for `purpose` and sends a new one (ACC-31, ACC-34).

    Under a lock on the user row, so two concurrent issues cannot both insert a live code.
    Raises `TooManyCodes` past 5 codes in a rolling hour or within 60 s of the previous one.
    """
    target_email = target_email or user.email
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        now = timezone.now()
        recent = EmailVerificationCode.objects.filter(
            user=user, purpose=purpose, created_at__gt=now - timedelta(hours=1)
        ).aggregate(count=Count("id"), latest=Max("created_at"))
        if recent["count"] >= CODES_PER_HOUR or (
            recent["latest"] and now - recent["latest"] < CODE_SPACING
        ):
            raise TooManyCodes()
        EmailVerificationCode.objects.filter(user=user, purpose=purpose, used=False).update(
            used=True, used_at=now
        )
        raw = f"{secrets.randbelow(10**6):06d}"
        code = EmailVerificationCode.objects.create(
            user=user,
            purpose=purpose,
            target_email=target_email,
            code_hash=make_password(raw, hasher=CODE_HASHER),
            expires_at=now + CODE_TTL,
        )
        # robust: with the broker down the code is kept and the request still answers; the
        # user asks for another code (docs/operations.md, "Failure behaviour").
        transaction.on_commit(
            lambda: _queue_code_email(
                to=target_email, purpose=purpose, raw=raw, expires_at=code.expires_at
            ),
            robust=True,
        )
    return code


def code_verify(*, code, raw):
    """ACC-33: count the attempt, check the hash, consume the code; exactly one winner."""
    now = timezone.now()
    counted = EmailVerificationCode.objects.filter(
        pk=code.pk, used=False, attempts__lt=F("max_attempts"), expires_at__gt=now
    ).update(attempts=F("attempts") + 1)
    if not counted:
        code.refresh_from_db()
        if code.used:
            raise CodeInvalid()
        if code.expires_at <= now:
            raise CodeExpired()
        security_log.warning("Locked %s code for user %s", code.purpose, code.user_id)
        raise CodeLocked()
    if not check_password(raw, code.code_hash):
        security_log.info("Wrong %s code for user %s", code.purpose, code.user_id)
        raise CodeInvalid()
    consumed = EmailVerificationCode.objects.filter(pk=code.pk, used=False).update(
        used=True, used_at=now
    )
    if not consumed:
        raise CodeInvalid()


def _live_code(user, purpose):
    if user is None:
        return None
    return EmailVerificationCode.objects.filter(user=user, purpose=purpose, used=False).first()


def _verify_live_code(*, user, purpose, raw):
    code = _live_code(user, purpose)
    if code is None:
        check_password(raw, _DUMMY_CODE_HASH)
        raise CodeInvalid()
    code_verify(code=code, raw=raw)
    return code


# --- registration and email (ACC-1, ACC-3, ACC-13, ACC-14) ----------------------------------


def _ensure_email_free(email, *, field, exclude=None):
    taken = User.objects.filter(email=email)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise AlreadyExists(fields={field: ["A user with this email already exists."]})


def user_register(*, email, password, name, username="", referral_code="", request=None):
    """ACC-3: the user, the referral, the daily credits, a verification code and a token; the
    address's waitlist entry, if any, becomes joined (ACC-47)."""
    email = normalize_email(email)
    _ensure_email_free(email, field="email")
    if username and User.objects.filter(username=username).exists():
        raise AlreadyExists(fields={"username": ["This username is taken."]})
    check_password_rules(
        password, user=User(email=email, username=username, name=name), field="password"
    )
    with transaction.atomic():
        referrer = None
        if referral_code:
            referrer = User.objects.filter(referral_code=referral_code.strip().upper()).first()
            if referrer is None:
                raise DomainError(fields={"referral_code": ["Unknown referral code."]})
        user = User.objects.create_user(
            email, password, name=name, username=username, referred_by=referrer
        )
        user_registered.send(sender=User, user=user)
        waitlist_mark_joined(user=user)
        code_issue(user=user, purpose=CodePurpose.VERIFY_EMAIL)
        token, raw = token_issue(user=user, request=request)
    return user, token, raw


def mark_email_verified(*, user):
    """Sets `email_verified_at`; the first verification ever sends `email_verified` (ACC-13)."""
    first = User.objects.filter(pk=user.pk, email_verified_at__isnull=True).update(
        email_verified_at=Now(), updated_at=Now()
    )
    if first:
        email_verified.send(sender=User, user=user)
    else:
        User.objects.filter(pk=user.pk).update(email_verified_at=Now(), updated_at=Now())
    user.refresh_from_db(fields=["email", "email_verified_at", "updated_at"])


def email_verify_resend(*, user):
    if user.email_verified_at is not None:
        raise AlreadyVerified()
    code_issue(user=user, purpose=CodePurpose.VERIFY_EMAIL)


def email_change_request(*, user, new_email, current_password):
    """ACC-14: the code goes to the new address; nothing changes until it is confirmed."""
    require_current_password(user, current_password)
    new_email = normalize_email(new_email)
    _ensure_email_free(new_email, field="new_email", exclude=user)
    code_issue(user=user, purpose=CodePurpose.VERIFY_EMAIL, target_email=new_email)


def email_confirm(*, user, raw, current_token=None):
    """Confirms the address the live `verify_email` code was sent to (ACC-13, ACC-14).

    For a sign-up code that is the current address; after an email change it is the new one,
    which then replaces the old, and every other token of the user is deleted.
    """
    code = _live_code(user, CodePurpose.VERIFY_EMAIL)
    if code is not None and code.target_email != user.email:
        _ensure_email_free(code.target_email, field="email", exclude=user)
    code = _verify_live_code(user=user, purpose=CodePurpose.VERIFY_EMAIL, raw=raw)
    with transaction.atomic():
        if code.target_email != user.email:
            User.objects.filter(pk=user.pk).update(email=code.target_email, updated_at=Now())
            tokens_revoke_all(user=user, keep=current_token)
        mark_email_verified(user=user)


# --- sign-in (ACC-8, ACC-24, API.md §9.1) ---------------------------------------------------


@dataclass(frozen=True)
class Challenge:
    token: str
    expires_at: datetime


def _challenge_for(code):
    payload = {"u": str(code.user_id), "c": str(code.pk)}
    return Challenge(
        token=signing.dumps(payload, salt=CHALLENGE_SALT),
        expires_at=timezone.now() + timedelta(seconds=CHALLENGE_MAX_AGE),
    )


def _code_of_challenge(challenge_token):
    try:
        payload = signing.loads(challenge_token, salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
        code = EmailVerificationCode.objects.select_related("user").get(
            pk=payload["c"], user_id=payload["u"], purpose=CodePurpose.TWO_FA_LOGIN
        )
    except (
        signing.BadSignature,
        KeyError,
        TypeError,
        ValueError,
        DjangoValidationError,
        EmailVerificationCode.DoesNotExist,
    ):
        raise ChallengeInvalid() from None
    if not code.user.is_active:
        raise ChallengeInvalid()
    return code


def login_password(*, email, password, request=None):
    """The password step: the user, or a 2FA `Challenge` when `two_fa_enabled` (a code is sent).

    Unknown email, wrong password and inactive user give the same answer, in about the same
    time (Django's backend hashes for unknown users too).
    """
    user = authenticate(request, username=normalize_email(email), password=password)
    if user is None:
        security_log.info("Failed sign-in")
        raise InvalidCredentials()
    if user.two_fa_enabled:
        return _challenge_for(code_issue(user=user, purpose=CodePurpose.TWO_FA_LOGIN))
    return user


def login_two_factor(*, challenge_token, raw):
    """The code step of a 2FA sign-in: the user, once the challenge's own code verifies."""
    code = _code_of_challenge(challenge_token)
    code_verify(code=code, raw=raw)
    return code.user


def login_two_factor_resend(*, challenge_token):
    """A new code and challenge; the old challenge stops working with its code (ACC-31)."""
    code = _code_of_challenge(challenge_token)
    if code.used:
        raise ChallengeInvalid()
    return _challenge_for(code_issue(user=code.user, purpose=CodePurpose.TWO_FA_LOGIN))


def password_change(*, user, current_password, new_password, current_token=None):
    """ACC-24: every token but the presented one is deleted."""
    require_current_password(user, current_password)
    check_password_rules(new_password, user=user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password", "updated_at"])
        tokens_revoke_all(user=user, keep=current_token)


def password_reset_request(*, email):
    """Sends a reset code when the account exists; silent past the limit (ACC-34)."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is None:
        return
    try:
        code_issue(user=user, purpose=CodePurpose.PASSWORD_RESET)
    except TooManyCodes:
        security_log.info("Password reset codes exhausted for user %s", user.pk)


def password_reset_confirm(*, email, raw, new_password):
    """Sets the new password once the reset code verifies; every token is deleted (ACC-24)."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    check_password_rules(new_password, user=user, field="new_password")
    _verify_live_code(user=user, purpose=CodePurpose.PASSWORD_RESET, raw=raw)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password", "updated_at"])
        tokens_revoke_all(user=user)


# --- profile, deactivation and deletion (ACC-5, ACC-7, ACC-8) -------------------------------


def me_update(*, user, changes, current_password=None):
    """PATCH of the profile. Turning 2FA on or off needs the current password (ACC-8)."""
    if "two_fa_enabled" in changes and changes["two_fa_enabled"] != user.two_fa_enabled:
        if not current_password:
            raise DomainError(
                fields={"current_password": ["Required to change two-factor sign-in."]}
            )
        require_current_password(user, current_password)
    username = changes.get("username")
    if username and User.objects.filter(username=username).exclude(pk=user.pk).exists():
        raise AlreadyExists(fields={"username": ["This username is taken."]})
    for field, value in changes.items():
        setattr(user, field, value)
    user.save(update_fields=[*changes, "updated_at"])
    return user


def user_deactivate(*, user, actor):
    """ACC-5: inactive, and every token deleted in the same transaction."""
    require(user_can_deactivate(actor, user))
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False, updated_at=Now())
        tokens_revoke_all(user=user)
    security_log.info("User %s deactivated by %s", user.pk, actor.pk)


def user_is_protected(user):
    """Staff, superusers, moderators and service accounts are deactivated, never deleted."""
    return user.is_staff or user.is_superuser or user.is_moderator or is_service_account(user)


def user_delete(*, user, actor):
    """ACC-7: higher apps clean up through `user_deleting`, then the cascade runs."""
    require(user_can_delete_account(actor, user))
    if user_is_protected(user):
        raise DeactivateInstead()
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        user_deleting.send(sender=User, user=user)
        user.delete()
    security_log.info("User %s deleted by %s", user.pk, actor.pk)


def oauth_account_unlink(*, account, actor):
    """ACC-12: the last OAuth account of a user without a usable password stays."""
    require(user_can_unlink_oauth(actor, account))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=account.user_id)
        others = OAuthAccount.objects.filter(user=user).exclude(pk=account.pk).exists()
        if not others and not user.has_usable_password():
            raise LastLoginMethod()
        account.delete()


# --- MCP servers (ACC-42…44) ------------------------------------------------------------------


def mcp_server_create(*, actor, **fields):
    """ACC-43: a new MCP server of the caller's. Under a lock on the user row, so concurrent
    adds cannot pass MCP_SERVERS_PER_USER; a name the user already has is a 409 (and, in a
    race, the constraint's)."""
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=actor.pk)
        servers = McpServer.objects.filter(user=actor)
        if servers.count() >= MCP_SERVERS_PER_USER:
            raise McpServerLimitReached()
        if servers.filter(name=fields["name"]).exists():
            raise McpServerNameTaken(fields={"name": [McpServerNameTaken.message]})
        server = McpServer(user=actor, **fields)
        server.save()
    return server


def mcp_server_update(*, actor, server, changes):
    """ACC-42: the owner renames, repoints or (de)activates a server, or replaces its headers
    or tools; a name the user already has is a 409."""
    require(user_owns_mcp_server(actor, server))
    with transaction.atomic():
        name = changes.get("name")
        if name and McpServer.objects.filter(user=actor, name=name).exclude(pk=server.pk).exists():
            raise McpServerNameTaken(fields={"name": [McpServerNameTaken.message]})
        for field, value in changes.items():
            setattr(server, field, value)
        server.save()
    return server


def mcp_server_delete(*, actor, server):
    """ACC-42: the owner (API), or staff holding `accounts.delete_mcpserver` (admin)."""
    require(user_owns_mcp_server(actor, server) or actor.has_perm("accounts.delete_mcpserver"))
    with transaction.atomic():
        server.delete()


# --- waitlist (ACC-45…48) ---------------------------------------------------------------------


def waitlist_join(*, email, source=""):
    """ACC-46: lists the address once. `INSERT … ON CONFLICT DO NOTHING`, so an address already
    listed, even by a concurrent call, changes nothing; one that already has an account is not
    listed (it has nothing to wait for). The caller learns none of this: the answer is the same."""
    email = normalize_email(email)
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            return
        WaitlistEntry.objects.bulk_create(
            [WaitlistEntry(email=email, source=source)], ignore_conflicts=True
        )


def waitlist_mark_joined(*, user):
    """ACC-47: at sign-up (password or OAuth), in its transaction, the address's entry links
    the new user and becomes joined, whether it was waiting or invited."""
    WaitlistEntry.objects.filter(email=user.email).update(
        status=WaitlistStatus.JOINED, joined_user=user, updated_at=Now()
    )


def waitlist_invite(*, actor, entry):
    """ACC-48: Support invites a waiting entry; its mail goes out after commit. Answers whether
    this call invited it: an entry already invited or joined (even by a concurrent call, since
    the update is conditional) is left as it is, and no second mail goes."""
    require(user_can_invite_from_waitlist(actor))
    with transaction.atomic():
        invited = WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.WAITING).update(
            status=WaitlistStatus.INVITED, invited_at=Now(), invited_by=actor, updated_at=Now()
        )
        if invited:
            # robust: with the broker down the invitation stands (logged); Support sees it in
            # the entry's history and the person may sign up anyway.
            transaction.on_commit(lambda: send_invite_email.delay(to=entry.email), robust=True)
    return bool(invited)
