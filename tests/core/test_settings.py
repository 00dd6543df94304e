"""Production settings refuse to start without real secrets, and pass `check --deploy`."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config.settings import base
from tests import figures

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "studio.example.com",
    "DATABASE_URL": "postgres://studio@db.invalid/studio",
    "EMAIL_URL": "smtp+tls://mailer@smtp.example.com:587",
    "CACHE_URL": "rediscache://127.0.0.1:6379/0",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
}


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    issues = re.search(r"identified (\d+) issue", result.stdout + result.stderr)
    figures.count("R15", "check --deploy warnings", int(issues.group(1)) if issues else 0)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_a_missing_or_placeholder_secret():
    for secret in ("", "django-insecure-" + "x" * 60, "short"):
        result = manage("check", **{**PRODUCTION_ENV, "SECRET_KEY": secret})
        assert result.returncode != 0
        assert "SECRET_KEY must be set" in result.stderr


def test_production_requires_shared_cache_broker_and_email():
    for missing in ("CACHE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "ALLOWED_HOSTS"):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
        assert manage("check", **env).returncode != 0, missing


def test_production_hashes_passwords_with_argon2_first():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_time_zone_aware():
    assert settings.USE_TZ is True
