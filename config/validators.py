import ipaddress
import json
import re
import unicodedata
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# JSON columns (DATA_MODEL.md §1.2)

JSON_MAX_BYTES = 64 * 1024
JSON_MAX_DEPTH = 64
# jsonb keeps numbers as `numeric` and gives `1e100` back as a 101-digit integer; the JSON
# renderer (orjson) and most clients stop at 64-bit integers.
JSON_INT_MIN, JSON_INT_MAX = -(2**63), 2**63 - 1
_JSON_KINDS = {dict: "a JSON object", list: "a JSON list"}


def _bad_text(text):
    """Why `text` cannot be stored in jsonb and read back, or None: PostgreSQL refuses NUL
    (`\\u0000`), and a lone UTF-16 surrogate (`\\ud800`) has no UTF-8 encoding."""
    if "\x00" in text:
        return "Text may not contain NUL characters."
    try:
        text.encode()
    except UnicodeEncodeError:
        return "Text may not contain unpaired surrogates (\\ud800 … \\udfff)."
    return None


def _bad_number(number):
    if isinstance(number, bool):
        return None
    if isinstance(number, int):
        fits = JSON_INT_MIN <= number <= JSON_INT_MAX
    else:
        fits = number == number and abs(number) <= JSON_INT_MAX  # NaN is not equal to itself
    return None if fits else f"Numbers must lie between {JSON_INT_MIN} and {JSON_INT_MAX}."


def _pg_number_growth(number):
    """How many more characters PostgreSQL prints for a float than Python: jsonb writes
    numbers without an exponent (`1e18` comes back as 19 digits)."""
    return len(format(Decimal(repr(number)), "f")) - len(repr(number))


def json_problem(value, *, max_depth=JSON_MAX_DEPTH):
    """What makes `value` unfit for a jsonb column the API renders back, or None; and how much
    longer PostgreSQL's text form of it is than Python's `json.dumps`. Walked without
    recursion, so no nesting exhausts Python's stack."""
    growth, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > max_depth:
            return f"Nest this at most {max_depth} levels deep.", growth
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    return "Object keys are strings.", growth
                problem = _bad_text(key)
                if problem:
                    return problem, growth
                pending.append((child, depth + 1))
        elif isinstance(item, list):
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            problem = _bad_text(item)
            if problem:
                return problem, growth
        elif isinstance(item, int | float):
            problem = _bad_number(item)
            if problem:
                return problem, growth
            if isinstance(item, float):
                growth += _pg_number_growth(item)
        elif item is not None:
            return "Use JSON values only.", growth
    return None, growth


@deconstructible
class JsonValidator:
    """The one rule of every JSON column and JSON request field (DATA_MODEL.md §1.2): `kind`
    (an object or a list) at the top, at most `max_bytes` in PostgreSQL's text form, nested at
    most `max_depth` levels, keys and strings that PostgreSQL stores and UTF-8 can write (no
    NUL, no unpaired surrogate), and numbers within a signed 64-bit integer's range.

    A column's own rules (names, shapes), `rules`, run after these pass, on a value they have
    made safe to walk; so every JSON field names one validator.
    """

    def __init__(self, kind=dict, max_bytes=JSON_MAX_BYTES, max_depth=JSON_MAX_DEPTH, rules=()):
        self.kind, self.max_bytes, self.max_depth = kind, max_bytes, max_depth
        self.rules = tuple(rules)

    def __call__(self, value):
        if not isinstance(value, self.kind):
            raise ValidationError(f"Enter {_JSON_KINDS[self.kind]}.", code="invalid")
        problem, growth = json_problem(value, max_depth=self.max_depth)
        if problem:
            raise ValidationError(problem, code="invalid")
        size = len(json.dumps(value, ensure_ascii=False).encode()) + growth
        if size > self.max_bytes:
            raise ValidationError(
                f"Keep this under {self.max_bytes // 1024} KiB.", code="max_length"
            )
        for rule in self.rules:
            rule(value)

    def __eq__(self, other):
        return isinstance(other, JsonValidator) and (
            (self.kind, self.max_bytes, self.max_depth, self.rules)
            == (other.kind, other.max_bytes, other.max_depth, other.rules)
        )


# URLs (R18)

# Only https is a target the platform sends anyone to or fetches.
URL_SCHEMES = ("https",)
# NAT64 prefixes (RFC 6052, RFC 8215): the last 32 bits are the IPv4 address reached.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_HOST = re.compile(r"[\w-]+(\.[\w-]+)*")
# A host whose last label is a number is an IPv4 address to a browser (`2130706433`,
# `0x7f.1`, `127.1`, `1.2.3.0x4`), whatever it looks like; such hosts are refused, not guessed.
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)


def _embedded_ipv4(ip):
    """The IPv4 address an IPv6 address hands traffic to (mapped, 6to4, NAT64), or None."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(ip):
    """Whether `ip` is globally routable (`is_global`, which leaves out private, loopback,
    link-local, 100.64/10 carrier-grade NAT and its 100.100.100.200 metadata address, ...),
    and not multicast or reserved; for IPv6 carrying an IPv4 address, that address too."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None and not is_public_address(embedded):
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


def _refuse_host(host):
    """Refuses a host that is not a public name or address."""
    name = unicodedata.normalize("NFKC", host).casefold().removesuffix(".")
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        ip = None
    if ip is not None:
        if not is_public_address(ip):
            raise ValidationError(
                "Private and local addresses are not accepted.", code="local_host"
            )
        return
    if not _HOST.fullmatch(name):
        raise ValidationError("Enter a valid host name.", code="invalid")
    if name == "localhost" or name.endswith(".localhost"):
        raise ValidationError("Local addresses are not accepted.", code="local_host")
    if _NUMERIC_LABEL.fullmatch(name.rsplit(".", 1)[-1]):
        raise ValidationError("Write IP addresses as dotted quads.", code="local_host")


def validate_public_https_url(value):
    """The one URL guard (R18): every URL a client or the runtime sends that the server could
    fetch or send a browser to. `https://` only, no user name or password, and a host that is a
    public name or a globally routable address. Validation only: nothing is fetched or
    resolved, so a public name that resolves to a private address is the fetcher's check.
    """
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in value) or "\\" in value:
        raise ValidationError("Enter a valid URL.", code="invalid")
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise ValidationError("Enter a valid URL.", code="invalid") from None
    if parts.scheme.lower() not in URL_SCHEMES:
        raise ValidationError("Only https:// URLs are accepted.", code="https_only")
    if "@" in parts.netloc:
        raise ValidationError("The URL may not carry a user name or password.", code="userinfo")
    if not host:
        raise ValidationError("Enter a valid URL.", code="invalid")
    _refuse_host(host)


# API.md §1: a time's offset is at most ±15:59; Python would take up to ±23:59.
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)


def validate_utc_offset(value):
    """A date-time whose UTC offset, if it has one, lies within ±15:59 (API.md §1)."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError("Use a UTC offset between -15:59 and +15:59.", code="invalid")
