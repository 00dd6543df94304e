import hashlib
import re
import secrets
import string
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    Group,
    PermissionsMixin,
)
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django_cryptography.fields import encrypt

from config.audit import audited, audited_membership
from config.encryption import SecretFieldsModel
from config.exceptions import violated_unique_fields
from config.models import BaseModel, contains_index
from config.prepared import PreparedQuery
from config.validators import JsonValidator, validate_public_https_url

USERNAME_PATTERN = r"^[a-z0-9_]{3,40}$"
IDENTIFIER_ATTEMPTS = 10
_LOWER_DIGITS = string.ascii_lowercase + string.digits
_UPPER_DIGITS = string.ascii_uppercase + string.digits


def random_chars(alphabet, length):
    return "".join(secrets.choice(alphabet) for _ in range(length))


def generate_username(email):
    """ACC-2: the email's local part, reduced to `[a-z0-9_]` and 20 characters, `_`, 6 random."""
    local = "".join(c for c in email.split("@", 1)[0].lower() if c in _LOWER_DIGITS + "_")
    return f"{local[:20] or 'user'}_{random_chars(_LOWER_DIGITS, 6)}"


def generate_slug(username):
    return f"{username.replace('_', '-')}-{random_chars(_LOWER_DIGITS, 6)}"


def generate_referral_code():
    return random_chars(_UPPER_DIGITS, 8)


def normalize_email(email):
    """Emails are stored stripped and lower-cased, and looked up the same way (ACC-1)."""
    return (email or "").strip().lower()


class SubscriptionTier(models.TextChoices):
    FREE = "free"
    BASIC = "basic"
    PRO = "pro"
    ULTRA = "ultra"


class ChatPosition(models.TextChoices):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return normalize_email(email)

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email(username))

    def create_user(self, email, password=None, *, name, **extra):
        user = self.model(email=email, name=name, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, *, name, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, name=name, **extra)


@audited()
class User(AbstractBaseUser, PermissionsMixin, BaseModel):
    """The person or service account behind every request (DATA_MODEL.md §2.1).

    The four credit buckets change only through billing services; everything else that the
    API may not write is listed in ACC-6.
    """

    email = models.EmailField(max_length=320, unique=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    name = models.CharField(max_length=150)
    username = models.CharField(
        max_length=40,
        unique=True,
        validators=[RegexValidator(USERNAME_PATTERN, "3 to 40 characters: a-z, 0-9 and _.")],
    )
    slug = models.SlugField(max_length=60, unique=True, editable=False)
    subscription_tier = models.CharField(
        max_length=10, choices=SubscriptionTier, default=SubscriptionTier.FREE
    )
    stripe_customer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    bundled_credits = models.IntegerField(default=0)
    purchased_credits = models.IntegerField(default=0)
    signup_bonus_credits = models.IntegerField(default=0)
    signup_bonus_expires_at = models.DateTimeField(null=True, blank=True)
    daily_credits = models.IntegerField(default=0)
    daily_credits_reset_at = models.DateTimeField(null=True, blank=True)
    credits_reset_at = models.DateTimeField(null=True, blank=True)
    total_spend_cents = models.BigIntegerField(default=0)
    theme_preset = models.CharField(max_length=64, default="default-dark")
    chat_position = models.CharField(
        max_length=10, choices=ChatPosition, default=ChatPosition.CENTER
    )
    disabled_models = models.JSONField(default=list, blank=True, validators=[JsonValidator(list)])
    two_fa_enabled = models.BooleanField("two-factor enabled", default=False)
    avatar_url = models.URLField(
        max_length=2048, blank=True, validators=[validate_public_https_url]
    )
    referral_code = models.CharField(max_length=12, unique=True, editable=False)
    referred_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        # docs/roles.md: held by no group by default; superusers hold every permission.
        permissions = [
            ("manage_staff", "Can manage staff accounts: staff flag, groups, permissions"),
            ("issue_service_token", "Can issue service-account tokens"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(subscription_tier__in=SubscriptionTier.values),
                name="accounts_user_subscription_tier_valid",
            ),
            models.CheckConstraint(
                condition=Q(chat_position__in=ChatPosition.values),
                name="accounts_user_chat_position_valid",
            ),
            models.CheckConstraint(
                condition=Q(bundled_credits__gte=0)
                & Q(purchased_credits__gte=0)
                & Q(signup_bonus_credits__gte=0)
                & Q(daily_credits__gte=0),
                name="accounts_user_credit_buckets_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(total_spend_cents__gte=0),
                name="accounts_user_total_spend_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="accounts_user_email_lowercase"
            ),
            models.CheckConstraint(
                condition=Q(signup_bonus_credits=0) | Q(signup_bonus_expires_at__isnull=False),
                name="accounts_user_bonus_has_expiry",
            ),
            models.CheckConstraint(
                condition=Q(username__regex=USERNAME_PATTERN),
                name="accounts_user_username_valid",
            ),
        ]
        indexes = [
            # The admin changelist's order, newest first, read as a range (PERFORMANCE.md W8).
            models.Index(fields=["created_at", "id"], name="accounts_user_created"),
            contains_index("email", "name", "username", name="accounts_user_search"),
            models.Index(fields=["subscription_tier", "daily_credits_reset_at"]),
            models.Index(
                fields=["credits_reset_at"],
                name="accounts_user_credits_reset",
                condition=Q(credits_reset_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    def save(self, *args, **kwargs):
        """Fills the generated identifiers on insert, retrying a clash in a savepoint (ACC-2)."""
        if not self._state.adding:
            return super().save(*args, **kwargs)
        self.email = normalize_email(self.email)
        generated = set()
        for attempt in range(IDENTIFIER_ATTEMPTS):
            generated |= self._fill_identifiers()
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError as exc:
                clashed = set(violated_unique_fields(exc)) & generated
                if not clashed or attempt == IDENTIFIER_ATTEMPTS - 1:
                    raise
                for field in clashed:
                    setattr(self, field, "")
        return None

    def _fill_identifiers(self):
        filled = set()
        if not self.username:
            self.username = generate_username(self.email)
            filled.add("username")
        if not self.slug:
            self.slug = generate_slug(self.username)
            filled.add("slug")
        if not self.referral_code:
            self.referral_code = generate_referral_code()
            filled.add("referral_code")
        return filled

    @property
    def hashed_password(self):
        """The seed's `hashed_password`: Django's `password` column (an argon2id hash)."""
        return self.password

    def signup_bonus_active(self, now=None):
        now = now or timezone.now()
        return self.signup_bonus_expires_at is not None and self.signup_bonus_expires_at > now

    @property
    def total_credits(self):
        bonus = self.signup_bonus_credits if self.signup_bonus_active() else 0
        return self.daily_credits + self.bundled_credits + self.purchased_credits + bonus

    @property
    def is_moderator(self):
        return self.has_perm("feedback.moderate_feedback")


def token_digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class AccessTokenQuerySet(models.QuerySet):
    def live(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now())

    def find_live(self, raw, *, now=None):
        """The live token for a raw value, with its user, in one query; else None.

        Every authenticated API request runs this, so its statement is built once per process
        (`live_token_lookup`) instead of compiled by the ORM each time: that compilation was a
        quarter of a small request's time (PERFORMANCE.md W1, W2)."""
        return live_token_lookup.get(self.db, now=now or timezone.now(), digest=token_digest(raw))


def _live_token(now, digest):
    return AccessToken.objects.live(now).select_related("user").filter(token_digest=digest)[:2]


# The stand-ins are told apart in the compiled parameters (config.prepared).
live_token_lookup = PreparedQuery(
    _live_token, now=datetime(2000, 1, 1, tzinfo=UTC), digest="digest-to-be-replaced"
)


class TokenKind(models.TextChoices):
    SESSION = "session"
    PERSONAL = "personal"
    SERVICE = "service"


@audited()
class AccessToken(BaseModel):
    """An API bearer token; only the SHA-256 digest of the raw value is stored (§2.3)."""

    RAW_PREFIX = "stu_"

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="access_tokens", db_index=False
    )
    token_digest = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=12)
    name = models.CharField(max_length=100, blank=True)
    # ACC-40: the ACC-23 cap and eviction count per kind, so a login never evicts a personal
    # or service token.
    kind = models.CharField(
        max_length=10, choices=TokenKind, default=TokenKind.SESSION, db_default=TokenKind.SESSION
    )
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="accounts_accesstoken_expires_after_created",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=TokenKind.values), name="accounts_accesstoken_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self):
        return f"{self.token_prefix}… ({self.name or 'token'})"

    @classmethod
    def issue(cls, *, user, ttl, name, request=None, kind=TokenKind.SESSION):
        """A new token and its raw value, shown only this once (ACC-20, ACC-23, ACC-40).

        Under a lock on the user row, so concurrent logins cannot push the user past
        ACCESS_TOKEN_MAX_PER_USER live tokens of this `kind`: the oldest of that kind go in the
        same transaction.
        """
        raw = cls.RAW_PREFIX + secrets.token_urlsafe(32)
        now = timezone.now()
        meta = request.META if request is not None else {}
        with transaction.atomic():
            type(user).objects.select_for_update().only("pk").get(pk=user.pk)
            token = cls.objects.create(
                user=user,
                token_digest=token_digest(raw),
                token_prefix=raw[:12],
                name=name[:100],
                kind=kind,
                expires_at=now + ttl,
                user_agent=meta.get("HTTP_USER_AGENT", "")[:255],
                ip_address=meta.get("REMOTE_ADDR") or None,
            )
            keep = settings.ACCESS_TOKEN_MAX_PER_USER
            surplus = (
                cls.objects.live(now)
                .filter(user=user, kind=kind)
                .order_by("-created_at", "-id")
                .values_list("pk", flat=True)[keep:]
            )
            cls.objects.filter(pk__in=list(surplus)).delete()
        return token, raw

    def mark_used(self, *, now, resolution):
        """Stamps `last_used_at`, at most once per `resolution`, by a conditional update."""
        AccessToken.objects.filter(pk=self.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - resolution)
        ).update(last_used_at=now)
        self.last_used_at = now

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()


class OAuthProvider(models.TextChoices):
    GOOGLE = "google"
    GITHUB = "github", "GitHub"


@audited()
class OAuthAccount(SecretFieldsModel, BaseModel):
    """A Google or GitHub identity linked to a user; the provider's tokens are encrypted (§2.2)."""

    secret_fields = ("access_token", "refresh_token")

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="oauth_accounts", db_index=False
    )
    oauth_name = models.CharField(max_length=20, choices=OAuthProvider)
    account_id = models.CharField(max_length=320)
    account_email = models.EmailField(max_length=320)
    access_token = encrypt(models.TextField())
    access_token_last4 = models.CharField(max_length=4, blank=True)
    refresh_token = encrypt(models.TextField(null=True, blank=True))
    refresh_token_last4 = models.CharField(max_length=4, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "OAuth account"
        constraints = [
            models.CheckConstraint(
                condition=Q(oauth_name__in=OAuthProvider.values),
                name="accounts_oauthaccount_oauth_name_valid",
            ),
            models.UniqueConstraint(
                fields=["oauth_name", "account_id"], name="accounts_oauthaccount_identity_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "oauth_name"], name="accounts_oauthaccount_one_per_provider"
            ),
        ]

    def __str__(self):
        return f"{self.get_oauth_name_display()} {self.account_email}"


class CodePurpose(models.TextChoices):
    TWO_FA_LOGIN = "2fa_login", "Two-factor sign-in"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a secret
    VERIFY_EMAIL = "verify_email"


@audited()
class EmailVerificationCode(BaseModel):
    """A one-time 6-digit code sent by email; only its argon2 hash is stored (§2.4).

    `target_email` is the address the code was sent to. The spec's table has no such field,
    but a `verify_email` code after an email change must remember the new address until it is
    confirmed (ACC-14); for other codes it is the user's address at issue.
    """

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="email_verification_codes",
        db_index=False,
    )
    code_hash = models.CharField(max_length=255)
    purpose = models.CharField(max_length=20, choices=CodePurpose)
    target_email = models.EmailField(max_length=320)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    expires_at = models.DateTimeField()
    used = models.BooleanField(default=False)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=CodePurpose.values), name="accounts_code_purpose_valid"
            ),
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1) & Q(attempts__lte=F("max_attempts")),
                name="accounts_code_attempts_in_range",
            ),
            models.CheckConstraint(
                condition=Q(used=True, used_at__isnull=False) | Q(used=False, used_at__isnull=True),
                name="accounts_code_used_has_time",
            ),
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=Q(used=False),
                name="accounts_code_one_live_per_purpose",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "purpose", "created_at"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} code for {self.target_email}"


# Staff roles are groups and permissions (auth's tables): who was given which is audited too.
# Proxies, so that the triggers' migrations are this app's, not auth's.


@audited()
class StaffGroup(Group):
    """A group (a staff role), for its audit events."""

    class Meta:
        proxy = True


@audited_membership("group")
class UserGroupMembership(User.groups.through):
    """A user's membership of a group (staff roles), for its audit events."""

    class Meta:
        proxy = True


@audited_membership("permission")
class UserPermissionGrant(User.user_permissions.through):
    """A permission given to a user directly, for its audit events."""

    class Meta:
        proxy = True


@audited_membership("permission")
class GroupPermissionGrant(Group.permissions.through):
    """A permission given to a group, for its audit events."""

    class Meta:
        proxy = True


MCP_SERVERS_PER_USER = 20
MCP_HEADERS_MAX = 50
MCP_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$")
MCP_TOOLS_MAX = 200


def validate_mcp_headers(value):
    """ACC-42: HTTP header names (RFC 9110 tokens) to string values, at most 50."""
    if len(value) > MCP_HEADERS_MAX:
        raise ValidationError(f"At most {MCP_HEADERS_MAX} headers.")
    for name, header in value.items():
        if not MCP_HEADER_NAME.fullmatch(name):
            raise ValidationError(f"{name!r} is not a header name.")
        if not isinstance(header, str) or len(header) > 8192 or "\n" in header or "\r" in header:
            raise ValidationError(f"{name}: a single-line text of at most 8192 characters.")


def validate_tool_names(value):
    """ACC-42: tool names, each a text of at most 200 characters, at most 200 of them."""
    if len(value) > MCP_TOOLS_MAX:
        raise ValidationError(f"At most {MCP_TOOLS_MAX} tools.")
    if not all(isinstance(tool, str) and 0 < len(tool) <= 200 for tool in value):
        raise ValidationError("Each tool is a name of 1 to 200 characters.")


class McpTransport(models.TextChoices):
    HTTP = "http", "HTTP"
    SSE = "sse", "SSE"


@audited()
class McpServer(BaseModel):
    """A user's MCP server (EXTENSIONS.md §10, ACC-42…44): a preference like `disabled_models`.
    Its headers (credentials, typically) are encrypted at rest and never leave in an answer:
    `header_names`, kept in step on save, is what listings and admin show."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="mcp_servers", db_index=False
    )
    name = models.SlugField(max_length=64)
    transport = models.CharField(max_length=4, choices=McpTransport, default=McpTransport.HTTP)
    url = models.URLField(max_length=2048, validators=[validate_public_https_url])
    headers = encrypt(
        models.JSONField(
            default=dict, blank=True, validators=[JsonValidator(rules=(validate_mcp_headers,))]
        )
    )
    header_names = models.JSONField(
        default=list, blank=True, editable=False, validators=[JsonValidator(list)]
    )
    enabled_tools = models.JSONField(
        default=list, blank=True, validators=[JsonValidator(list, rules=(validate_tool_names,))]
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "MCP server"
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="accounts_mcpserver_unique"),
            models.CheckConstraint(
                condition=Q(transport__in=McpTransport.values),
                name="accounts_mcpserver_transport_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.header_names = sorted(self.headers or {})
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "headers" in update_fields:
            kwargs["update_fields"] = {*update_fields, "header_names"}
        super().save(*args, **kwargs)


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting"
    INVITED = "invited"
    JOINED = "joined"


@audited()
class WaitlistEntry(BaseModel):
    """Someone waiting for an account (EXTENSIONS.md §14, ACC-45…48). Keyed by a UUID, not by
    the email: the email is a unique, lower-cased column. Support invites people in admin
    (waiting → invited); signing up with the address makes the entry joined."""

    email = models.EmailField(max_length=320)
    source = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=7, choices=WaitlistStatus, default=WaitlistStatus.WAITING)
    invited_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    joined_user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="waitlist_entries",
    )

    class Meta:
        verbose_name = "waitlist entry"
        verbose_name_plural = "waitlist entries"
        permissions = [("invite_waitlistentry", "Can invite people from the waitlist")]
        constraints = [
            models.UniqueConstraint(fields=["email"], name="accounts_waitlistentry_email_unique"),
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="accounts_waitlistentry_email_lowercase"
            ),
            models.CheckConstraint(
                condition=Q(status__in=WaitlistStatus.values),
                name="accounts_waitlistentry_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=WaitlistStatus.INVITED) | Q(invited_at__isnull=False),
                name="accounts_waitlistentry_invited_has_time",
            ),
        ]
        indexes = [contains_index("email", name="accounts_waitlistentry_search")]

    def __str__(self):
        return self.email
