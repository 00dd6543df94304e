"""R3 (second half) and R20: every JSON response and every log record of the suite, scanned.

While a test runs, the watch collects the secrets the test makes, where they are made:

- issued and presented access tokens and their digests (`accounts.models.token_digest`),
- passwords and one-time codes, as they are hashed (the hashers' `encode`),
- plaintexts written to or read from encrypted fields (django-cryptography's `_dump`/`_load`,
  strings of 8 characters or more, also the values of encrypted JSON such as container secrets),
- users' emails (`post_save` of the user model),
- the Stripe webhook secret (`settings.STRIPE_WEBHOOK_SECRET`, read at scan time).

**Responses (R3).** Every response Django serves and closes (through the test client, or the
WSGI app schemathesis drives) with a JSON content type is scanned for: a password or code hash
(`md5$`, `argon2$`, `pbkdf2_…$`, …), a token digest, a plaintext of an encrypted field (in a
value: a generated secret may spell a field name), and
the email of a user other than the requester. What is legitimately shown: the requester's own
email; under `/api/v1/auth/`, the email of the account the response describes (`Me`, or
`user` of a TokenResponse: register, login and the OAuth callback answer an anonymous request
with the new session's user); the raw token, in the TokenResponse that issues it (it is not a
digest). Nothing else: the API gives staff, moderators and service accounts no view of other
users' emails (API.md §1), so there is no exemption for them.

**Logs (R20).** A handler on the root logger (and on the non-propagating `django.request` and
`django.server`), with the root level at DEBUG for the whole session, scans every record of the
application and of Django for raw tokens, passwords, codes, the webhook secret and decrypted
plaintexts. It scans what the project's formatters write (config/logging.py): the message with
its arguments, the `fields` extra and the exception text. Other extras, such as the `request`
Django attaches, are written by no formatter. Records of test-only libraries (factory_boy,
Faker, Hypothesis, schemathesis, Selenium, whose commands carry what a browser test types) are
not the application's logs and are not scanned; those loggers stay at INFO.

Under schema fuzzing (tests/api/test_schema_fuzzing.py), the generated strings go into
passwords and paths alike, so a logged path that equals a generated "password" is no leak: the
log scan skips passwords there. Likewise a generated address (`0@0.com`) is at once a
registered user's email and, say, the provider email of someone's git credential, so the
response scan skips other users' emails there (hashes, digests, tokens, codes and secrets
still count; other users' emails are scanned in every other test). A generated "secret" that
is text the project publishes anyway (its schema, a literal of its source that Hypothesis
draws on) is not watched under fuzzing. Benchmarks (tests whose id
says `benchmark`) time the rendering of large pages against a
baseline, so their responses are not scanned (the scan would weigh on both sides); their logs
are. A hit fails the test that caused it (at teardown). A test that leaks on purpose, to prove the
scan sees it, uses `watch.expect_leaks()`.
"""

import json
import logging
import re
import threading
from contextlib import contextmanager

HASH = re.compile(
    r"\b(?:argon2|pbkdf2_sha1|pbkdf2_sha256|bcrypt|bcrypt_sha256|scrypt|md5|sha1)\$[^\s\"]{8,}"
)
MIN_SECRET = 8
TEST_LIBRARIES = (
    "factory",
    "faker",
    "hypothesis",
    "schemathesis",
    "asyncio",
    "urllib3",
    "selenium",
)


def generator_constants():
    """The strings Hypothesis draws from besides its strategies: its own stock values and the
    literals of the local modules loaded so far (grown, and cached, by Hypothesis itself).
    Hypothesis exposes no public name for them; `hypothesis~=6.170` is pinned in pyproject."""
    from hypothesis.internal.conjecture.providers import GLOBAL_CONSTANTS, _get_local_constants

    return GLOBAL_CONSTANTS.strings | _get_local_constants().strings


class Watch:
    def __init__(self):
        self.lock = threading.Lock()
        self.scanning = True
        self.fuzzing = False
        self.reset()
        self.expecting = False

    def reset(self):
        self.tokens, self.digests, self.passwords, self.codes = set(), set(), set(), set()
        self.plaintexts, self.emails = set(), set()
        # Under fuzzing: the API's own published text (its schema), set by the fuzz tests.
        self.public_text = ""
        self.response_hits, self.log_hits = [], []
        self.responses = self.records = 0

    # --- collecting ---------------------------------------------------------------------

    def add_plaintext(self, value):
        if isinstance(value, str) and len(value) >= MIN_SECRET:
            # A generated secret that spells part of the schema ("containers") cannot be told
            # apart from the descriptions and paths every response and log line repeats.
            if self.fuzzing and value in self.public_text:
                return
            # Hypothesis also draws strings from the literals of the code under test (a model's
            # `related_name`, "base_reviews"), for a secret and a post's title alike: a literal
            # of the project's own source is no secret either.
            if self.fuzzing and value in generator_constants():
                return
            # A generated URL written to an encrypted column (a connector's endpoint) is drawn
            # from the same few URLs the fuzzer hands every `uri` field, a feedback post's
            # included: seeing it again there is the generator repeating itself, not a leak.
            if self.fuzzing and value.startswith(("http://", "https://")):
                return
            self.plaintexts.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                self.add_plaintext(item)
        elif isinstance(value, list | tuple):
            for item in value:
                self.add_plaintext(item)

    def webhook_secret(self):
        from django.conf import settings

        secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
        return secret if len(secret) >= MIN_SECRET else None

    # --- scanning -----------------------------------------------------------------------

    def scan_response(self, request, response):
        if not self.scanning:
            return
        if getattr(response, "streaming", False) or "json" not in response.get("Content-Type", ""):
            return
        body = response.content.decode("utf-8", "replace")
        found = []
        if match := HASH.search(body):
            found.append(f"a hash {match.group()[:20]}…")
        found += [f"token digest {d[:8]}…" for d in list(self.digests) if d in body]
        secret = self.webhook_secret()
        if secret and secret in body:
            found.append("the webhook secret")
        lowered = body.lower()
        # Generated addresses serve as many users' emails and as any email field at once.
        others = set() if self.fuzzing else {e for e in list(self.emails) if e in lowered}
        plaintexts = list(self.plaintexts)
        # Parsed once, and only when a check needs the structure.
        data = json_or_none(body) if plaintexts or others else None
        if plaintexts:
            values = body if data is None else string_values(data)
            found += [f"decrypted secret {p[:6]}…" for p in plaintexts if p in values]
        if others:
            others -= self.allowed_emails(request, data)
        found += [f"another user's email {e}" for e in sorted(others)]
        with self.lock:
            self.responses += 1
            if self.expecting:
                return
            where = f"{request.method} {request.path} → {response.status_code}"
            self.response_hits += [f"{where}: {what}" for what in found]

    def allowed_emails(self, request, data):
        allowed = set()
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            allowed.add(user.email.lower())
        if request.path.startswith("/api/v1/auth/") and isinstance(data, dict):
            for described in (data, data.get("user")):
                if isinstance(described, dict) and isinstance(described.get("email"), str):
                    allowed.add(described["email"].lower())
        return allowed

    def scan_text(self, text):
        found = [f"token {t[:10]}…" for t in list(self.tokens) if t in text]
        if not self.fuzzing:
            found += ["a password" for p in list(self.passwords) if p in text]
        found += [
            f"code {c}" for c in list(self.codes) if re.search(rf"(?<![0-9A-Za-z]){c}(?!\d)", text)
        ]
        found += [f"decrypted secret {p[:6]}…" for p in list(self.plaintexts) if p in text]
        secret = self.webhook_secret()
        if secret and secret in text:
            found.append("the webhook secret")
        return found

    @contextmanager
    def expect_leaks(self):
        """For tests proving the scan works: hits inside the block are not failures."""
        self.expecting = True
        try:
            yield self
        finally:
            self.expecting = False


watch = Watch()


class LogScanner(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.formatter = logging.Formatter()

    def emit(self, record):
        if record.name.startswith(TEST_LIBRARIES):
            return
        parts = [record.getMessage()]
        parts.append(repr(getattr(record, "fields", "")))
        if record.exc_info:
            parts.append(self.formatter.formatException(record.exc_info))
        found = watch.scan_text("\n".join(parts))
        with watch.lock:
            watch.records += 1
            if found and not watch.expecting:
                watch.log_hits += [f"{record.name} {record.levelname}: {what}" for what in found]


def json_or_none(body):
    try:
        return json.loads(body)
    except ValueError:
        return None


def string_values(data):
    """The string values of parsed JSON, one per line (keys aside: a field name is no secret,
    though a generated secret may spell one)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            found.append(node)

    walk(data)
    return "\n".join(found)


def _request_of(response):
    """The request of a response served by Django's WSGIHandler (the test client sets
    `wsgi_request` instead): the handler registers `request.close` among the closers."""
    from django.http import HttpRequest

    for closer in getattr(response, "_resource_closers", ()):
        owner = getattr(closer, "__self__", None)
        if isinstance(owner, HttpRequest):
            return owner
    return None


def install():
    """Patches the collecting points and the response path, and attaches the log scanner.
    Called once per session, after Django is set up."""
    from django.contrib.auth import hashers
    from django.core.handlers.wsgi import WSGIHandler
    from django.db.models.signals import post_save
    from django.http.response import HttpResponseBase
    from django_cryptography.fields import EncryptedMixin

    import accounts.models
    from accounts.models import User
    from accounts.services import CodeHasher

    original_digest = accounts.models.token_digest

    def token_digest(raw):
        digest = original_digest(raw)
        watch.tokens.add(raw)
        watch.digests.add(digest)
        return digest

    accounts.models.token_digest = token_digest

    for hasher in (
        hashers.MD5PasswordHasher,
        hashers.Argon2PasswordHasher,
        hashers.PBKDF2PasswordHasher,
    ):
        original_encode = hasher.encode

        def encode(self, password, salt, *args, _original=original_encode, **kwargs):
            if isinstance(self, CodeHasher):
                watch.codes.add(password)
            elif isinstance(password, str) and len(password) >= MIN_SECRET:
                watch.passwords.add(password)
            return _original(self, password, salt, *args, **kwargs)

        hasher.encode = encode

    original_dump, original_load = EncryptedMixin._dump, EncryptedMixin._load

    def _dump(self, value):
        watch.add_plaintext(value)
        return original_dump(self, value)

    def _load(self, value):
        plain = original_load(self, value)
        watch.add_plaintext(plain)
        return plain

    EncryptedMixin._dump, EncryptedMixin._load = _dump, _load

    def remember_email(sender, instance, **kwargs):
        if instance.email:
            watch.emails.add(instance.email.lower())

    post_save.connect(remember_email, sender=User, weak=False)

    # Scanned when the response is closed, as a WSGI server closes it after sending: a wrapper
    # around `get_response` would add a frame to every request's stack, and the parser's
    # recursion limit (config/parsers.py) is measured against that stack.
    original_close = HttpResponseBase.close

    def close(self):
        request = getattr(self, "wsgi_request", None) or _request_of(self)
        if request is not None and not getattr(self, "_leak_scanned", False):
            self._leak_scanned = True
            watch.scan_response(request, self)
        original_close(self)

    HttpResponseBase.close = close

    # Behind Django's WSGI handler (schemathesis drives it), the caller may never close the
    # response: it is scanned as the handler returns it.
    original_call = WSGIHandler.__call__

    def __call__(self, environ, start_response):
        response = original_call(self, environ, start_response)
        request = _request_of(response)
        if request is not None and not getattr(response, "_leak_scanned", False):
            response._leak_scanned = True
            watch.scan_response(request, response)
        return response

    WSGIHandler.__call__ = __call__

    attach_log_scanner()


_scanner = None


def attach_log_scanner():
    """Puts the scanner on the root logger (and the non-propagating request loggers) at DEBUG.
    Called for every test: `django.setup()` (e.g. through `get_wsgi_application()`) applies
    LOGGING again, which takes the scanner off."""
    global _scanner
    if _scanner is None:
        _scanner = LogScanner()
    root = logging.getLogger()
    if _scanner in root.handlers:
        return
    previous = root.level if root.level != logging.DEBUG else logging.INFO
    for handler in root.handlers:
        if handler.level == logging.NOTSET:
            handler.setLevel(previous)  # the console prints what it printed before
    root.addHandler(_scanner)
    root.setLevel(logging.DEBUG)
    for name in ("django.request", "django.server"):
        logger = logging.getLogger(name)
        for handler in logger.handlers:
            if handler.level == logging.NOTSET:
                handler.setLevel(logger.level)
        if _scanner not in logger.handlers:
            logger.addHandler(_scanner)
        logger.setLevel(logging.DEBUG)
    for name in TEST_LIBRARIES:
        logging.getLogger(name).setLevel(logging.INFO)
