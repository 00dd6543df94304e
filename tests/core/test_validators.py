"""R18: URLs the platform stores or would fetch refuse non-public and non-https targets."""

import pytest
from django.core.exceptions import ValidationError

from config.validators import validate_public_https_url

REFUSED = [
    "http://example.com/",
    "ftp://example.com/file",
    "javascript:alert(1)",
    "data:image/png;base64,AAAA",
    "https://user:pass@example.com/",
    "https://token@example.com/",
    "https://localhost/",
    "https://api.localhost/",
    "https://127.0.0.1/",
    "https://127.1/",
    "https://2130706433/",
    "https://0x7f000001/",
    "https://10.0.0.8/",
    "https://172.16.3.4/",
    "https://192.168.1.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://224.0.0.1/",
    "https://0.0.0.0/",
    "https://240.0.0.1/",
    "https://[::1]/",
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https:///nohost",
    "https://[not-an-ip/",
]
ACCEPTED = [
    "https://example.com/avatar.png",
    "https://github.com/acme/app.git",
    "https://8.8.8.8/",
    "https://[2606:4700::1111]/",
    "https://face.be/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_refused(url):
    with pytest.raises(ValidationError):
        validate_public_https_url(url)


@pytest.mark.parametrize("url", ACCEPTED)
def test_accepted(url):
    validate_public_https_url(url)
