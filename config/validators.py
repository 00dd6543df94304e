import ipaddress
import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

# Hosts written as numbers (`2130706433`, `0x7f.1`, `127.1`) are IP addresses to HTTP clients
# even though they are not dotted quads; they are refused rather than guessed at.
_NUMERIC_HOST = re.compile(r"(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+))*\.?", re.IGNORECASE)


def _refused_ip(ip):
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def validate_public_https_url(value):
    """URLs a client or the runtime sends (DATA_MODEL.md §1.2, R18): `https://` only, no user
    or password, and not a local or non-public IP host. Validation only: nothing is fetched
    or resolved.
    """
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise ValidationError("Enter a valid URL.", code="invalid") from None
    if parts.scheme != "https":
        raise ValidationError("Only https:// URLs are accepted.", code="https_only")
    if parts.username is not None or parts.password is not None:
        raise ValidationError("The URL may not carry a user name or password.", code="userinfo")
    if not host:
        raise ValidationError("Enter a valid URL.", code="invalid")
    if host == "localhost" or host.endswith(".localhost"):
        raise ValidationError("Local addresses are not accepted.", code="local_host")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if _NUMERIC_HOST.fullmatch(host):
            raise ValidationError(
                "Write IP addresses as dotted quads.", code="local_host"
            ) from None
        return
    if _refused_ip(ip):
        raise ValidationError("Private and local addresses are not accepted.", code="local_host")


# API.md §1: a time's offset is at most ±15:59; Python would take up to ±23:59.
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)


def validate_utc_offset(value):
    """A date-time whose UTC offset, if it has one, lies within ±15:59 (API.md §1)."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError("Use a UTC offset between -15:59 and +15:59.", code="invalid")
