"""The ground layer's value kinds (config/validators.py): the one JSON rule of every JSON column
and the one URL guard (R18) of every URL the platform stores, fetches or sends a browser to."""

import pytest
from django.core.exceptions import ValidationError

from config.validators import JsonValidator, validate_public_https_url


def nested(depth):
    value = []
    for _ in range(depth - 1):
        value = [value]
    return value


REFUSED = [
    "http://example.com/",
    "ftp://example.com/file",
    "file:///etc/passwd",
    "gopher://example.com/",
    "javascript:alert(1)",
    "data:image/png;base64,AAAA",
    "//example.com/",
    "https://user:pass@example.com/",
    "https://token@example.com/",
    "https://example.com@127.0.0.1/",
    "https://example.com%40127.0.0.1/",
    "https://example.com\\@127.0.0.1/",
    "https://localhost/",
    "https://localhost./",
    "https://LocalHost/",
    "https://api.localhost/",
    "https://a.localhost./x.git",
    "https://127.0.0.1/",
    "https://127.0.0.1./",
    "https://127.1/",
    "https://2130706433/",
    "https://0x7f000001/",
    "https://0x7f.1/",
    "https://0177.0.0.1/",
    "https://017700000001/",
    "https://1.2.3.0x4/",
    "https://%31%32%37.0.0.1/",
    "https://\uff11\uff12\uff17.0.0.1/",  # full-width digits
    "https://10.0.0.8/",
    "https://172.16.3.4/",
    "https://192.168.1.1/",
    "https://100.64.0.1/",
    "https://100.100.100.200/latest/meta-data/",
    "https://169.254.169.254/latest/meta-data/",
    "https://192.0.0.170/",
    "https://198.18.0.1/",
    "https://224.0.0.1/",
    "https://0.0.0.0/",
    "https://240.0.0.1/",
    "https://255.255.255.255/",
    "https://[::1]/",
    "https://[::]/",
    "https://[fe80::1]/",
    "https://[fe80::1%25eth0]/",
    "https://[fc00::1]/",
    "https://[ff02::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[::ffff:8.8.8.8]/",
    "https://[::127.0.0.1]/",
    "https://[2002:a9fe:a9fe::]/",
    "https://[2002:7f00:1::]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://[64:ff9b::10.0.0.1]/",
    "https://[64:ff9b:1::8.8.8.8]/",
    "https://[2001:db8::1]/",
    "https://[2001::1]/",
    "https:///nohost",
    "https://[not-an-ip/",
    "https://exa mple.com/",
    "https://example.com/a\nb",
]
ACCEPTED = [
    "https://example.com/avatar.png",
    "https://github.com/acme/app.git",
    "HTTPS://Example.com/",
    "https://example.com./",
    "https://example.com:8443/path?q=1#top",
    "https://8.8.8.8/",
    "https://[2606:4700::1111]/",
    "https://[2002:808:808::]/",
    "https://face.be/",
    "https://bücher.example/",
    "https://xn--bcher-kva.example/",
    "https://localhost.example.com/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_url_guard_refuses(url):
    with pytest.raises(ValidationError):
        validate_public_https_url(url)


@pytest.mark.parametrize("url", ACCEPTED)
def test_url_guard_accepts(url):
    validate_public_https_url(url)


JSON_REFUSED = [
    ([], JsonValidator()),
    ("text", JsonValidator()),
    ({}, JsonValidator(list)),
    ({"big": "x" * 16 * 1024}, JsonValidator(max_bytes=16 * 1024)),
    ({"nul": "a\x00b"}, JsonValidator()),
    ({"a\x00": 1}, JsonValidator()),
    ({"lone": "\ud800"}, JsonValidator()),
    ({"\udc00": "lone key"}, JsonValidator()),
    (["\ud9ea"], JsonValidator(list)),
    ({"big": 2**63}, JsonValidator()),
    ({"big": -(2**63) - 1}, JsonValidator()),
    ({"big": 2**70}, JsonValidator()),
    ({"big": 1e300}, JsonValidator()),
    ({"big": float("nan")}, JsonValidator()),
    ({"big": float("inf")}, JsonValidator()),
    ({"deep": nested(900)}, JsonValidator()),
    ({"deep": nested(64)}, JsonValidator()),
    ({1: "key"}, JsonValidator()),
]


@pytest.mark.parametrize(("value", "validator"), JSON_REFUSED, ids=range(len(JSON_REFUSED)))
def test_json_validator_refuses(value, validator):
    with pytest.raises(ValidationError):
        validator(value)


def test_json_validator_keeps_64_bit_numbers_and_allowed_depth():
    JsonValidator()({"max": 2**63 - 1, "min": -(2**63), "ratio": 0.25, "deep": nested(63)})
    JsonValidator(list)([True, None, "é", {"k": []}])


def test_json_validator_counts_postgresql_text_form():
    """1e18 is 5 characters to Python and 19 digits in jsonb's text form."""
    value = {"n": 1e18}
    size = len('{"n": 1000000000000000000}')
    JsonValidator(max_bytes=size)(value)
    with pytest.raises(ValidationError):
        JsonValidator(max_bytes=size - 1)(value)


def test_json_validator_runs_column_rules_only_on_bounded_values():
    seen = []
    validator = JsonValidator(rules=(seen.append,))
    with pytest.raises(ValidationError):
        validator({"deep": nested(900)})
    validator({"fine": 1})
    assert seen == [{"fine": 1}]
