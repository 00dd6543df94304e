"""R13 rotation drill for `rotate_encryption_keys` (DATA_MODEL.md §1.6).

Secrets are written under key A, the deployment moves to key B, the command re-encrypts with
A read from OLD_*, A is dropped, and everything reads. The command is generic: it finds every
encrypted column itself; the projects models provide the rows.
"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.signing import BadSignature
from django_cryptography.core.signing import FernetSigner
from django_cryptography.utils.crypto import FernetBytes

from config.management.commands.rotate_encryption_keys import derive_key, encrypted_models
from projects.models import (
    ConnectorCredential,
    Container,
    DeploymentCredential,
    GitProviderCredential,
)
from tests import figures
from tests.projects.factories import (
    ConnectorCredentialFactory,
    ContainerFactory,
    DeploymentCredentialFactory,
    GitProviderCredentialFactory,
)

pytestmark = pytest.mark.django_db

KEY_B = "rotated-secret-key-B-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH"
CRYPTO_K = "a-dedicated-cryptography-key-K-0123456789-abcdefghijklmnopqrstuv"


@pytest.fixture
def switch_keys(settings, monkeypatch):
    """Makes the process run with new settings, as a restarted deployment would."""

    def switch(*, secret_key, cryptography_key=None):
        derived = derive_key(cryptography_key or secret_key)
        settings.SECRET_KEY = secret_key
        settings.CRYPTOGRAPHY_KEY = derived
        for _, fields in encrypted_models():
            for field in fields:
                monkeypatch.setattr(
                    field, "_fernet", FernetBytes(derived, FernetSigner(secret_key))
                )

    return switch


@pytest.fixture
def seeded(user):
    """Secrets of every encrypted projects column, written under the starting key (A)."""
    return {
        "deploy": DeploymentCredentialFactory(user=user, access_token_encrypted="deploy-token-A"),
        "git": GitProviderCredentialFactory(
            user=user, access_token="git-access-A", refresh_token="git-refresh-A"
        ),
        "git_no_refresh": GitProviderCredentialFactory(
            user=user, provider="gitlab", refresh_token=None
        ),
        "container": ContainerFactory(encrypted_secrets={"DB_PASSWORD": "container-secret-A"}),
        "connector": ConnectorCredentialFactory(
            user=user,
            access_token="connector-access-A",
            refresh_token="connector-refresh-A",
            endpoint_url="https://mcp.example.com/connector-A",
        ),
    }


def read_all(seeded):
    return (
        DeploymentCredential.objects.get(pk=seeded["deploy"].pk).access_token_encrypted,
        GitProviderCredential.objects.get(pk=seeded["git"].pk).access_token,
        GitProviderCredential.objects.get(pk=seeded["git"].pk).refresh_token,
        GitProviderCredential.objects.get(pk=seeded["git_no_refresh"].pk).refresh_token,
        tuple(
            ConnectorCredential.objects.filter(pk=seeded["connector"].pk).values_list(
                "access_token", "refresh_token", "endpoint_url"
            )[0]
        ),
        Container.objects.get(pk=seeded["container"].pk).encrypted_secrets,
    )


EXPECTED = (
    "deploy-token-A",
    "git-access-A",
    "git-refresh-A",
    None,
    ("connector-access-A", "connector-refresh-A", "https://mcp.example.com/connector-A"),
    {"DB_PASSWORD": "container-secret-A"},
)


def rotate(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_finds_every_encrypted_column_by_itself():
    found = {(m._meta.label, f.name) for m, fields in encrypted_models() for f in fields}
    assert {
        ("accounts.McpServer", "headers"),
        ("projects.Container", "encrypted_secrets"),
        ("projects.DeploymentCredential", "access_token_encrypted"),
        ("projects.GitProviderCredential", "access_token"),
        ("projects.GitProviderCredential", "refresh_token"),
        ("projects.ConnectorCredential", "access_token"),
        ("projects.ConnectorCredential", "refresh_token"),
        ("projects.ConnectorCredential", "endpoint_url"),
        ("projects.ProjectDatabase", "connection_string"),
    } <= found


def test_r13_a_wrong_key_raises_and_never_returns_ciphertext(seeded, switch_keys):
    switch_keys(secret_key=KEY_B)
    with pytest.raises(BadSignature):
        DeploymentCredential.objects.get(pk=seeded["deploy"].pk)
    with pytest.raises(BadSignature):
        Container.objects.get(pk=seeded["container"].pk)


def test_r13_rotation_drill(seeded, settings, switch_keys, monkeypatch):
    key_a = settings.SECRET_KEY
    switch_keys(secret_key=KEY_B)
    monkeypatch.setenv("OLD_SECRET_KEY", key_a)
    output = rotate()
    assert "projects.GitProviderCredential (access_token, refresh_token): 3 rotated" in output
    assert "projects.Container (encrypted_secrets): 1 rotated, 0 already current" in output
    assert (
        "projects.ConnectorCredential (access_token, refresh_token, endpoint_url): 3 rotated"
        in output
    )
    monkeypatch.delenv("OLD_SECRET_KEY")  # drop key A
    read_back = read_all(seeded) == EXPECTED
    figures.record("R13", f"rotation drill: {'0' if read_back else 'some'} unreadable after A")
    assert read_back
    again = rotate()  # idempotent: nothing left to do
    assert "0 rotated" in again and "1 already current" in again


@pytest.mark.parametrize(
    ("new_keys", "old_env"),
    [
        # only SECRET_KEY changes, the encryption key material follows it
        ({"secret_key": KEY_B}, {"OLD_SECRET_KEY": "<A>"}),
        # a dedicated CRYPTOGRAPHY_KEY is introduced; SECRET_KEY stays
        ({"secret_key": "<A>", "cryptography_key": CRYPTO_K}, {"OLD_CRYPTOGRAPHY_KEY": "<A>"}),
    ],
    ids=["secret-key", "cryptography-key"],
)
def test_r13_each_kind_of_rotation(seeded, settings, switch_keys, monkeypatch, new_keys, old_env):
    key_a = settings.SECRET_KEY
    switch_keys(**{k: key_a if v == "<A>" else v for k, v in new_keys.items()})
    for name, value in old_env.items():
        monkeypatch.setenv(name, key_a if value == "<A>" else value)
    rotate()
    for name in old_env:
        monkeypatch.delenv(name)
    assert read_all(seeded) == EXPECTED


def test_r13_secret_key_rotation_with_an_unchanged_cryptography_key(
    seeded, settings, switch_keys, monkeypatch
):
    key_a = settings.SECRET_KEY
    switch_keys(secret_key=key_a, cryptography_key=CRYPTO_K)
    monkeypatch.setenv("OLD_CRYPTOGRAPHY_KEY", key_a)
    rotate()
    monkeypatch.delenv("OLD_CRYPTOGRAPHY_KEY")
    switch_keys(secret_key=KEY_B, cryptography_key=CRYPTO_K)
    monkeypatch.setenv("OLD_SECRET_KEY", key_a)
    rotate()
    monkeypatch.delenv("OLD_SECRET_KEY")
    assert read_all(seeded) == EXPECTED


def test_dry_run_reports_and_writes_nothing(seeded, settings, switch_keys, monkeypatch):
    key_a = settings.SECRET_KEY
    switch_keys(secret_key=KEY_B)
    monkeypatch.setenv("OLD_SECRET_KEY", key_a)
    output = rotate("--dry-run")
    assert "projects.DeploymentCredential (access_token_encrypted): 1 would rotate" in output
    with pytest.raises(BadSignature):
        DeploymentCredential.objects.get(pk=seeded["deploy"].pk)


def test_batches_cover_every_row(settings, switch_keys, monkeypatch):
    key_a = settings.SECRET_KEY
    credentials = [DeploymentCredentialFactory(access_token_encrypted=f"t{i}") for i in range(7)]
    switch_keys(secret_key=KEY_B)
    monkeypatch.setenv("OLD_SECRET_KEY", key_a)
    output = rotate("--batch-size", "3")
    assert "access_token_encrypted: 7 checked" in output
    monkeypatch.delenv("OLD_SECRET_KEY")
    assert sorted(
        DeploymentCredential.objects.get(pk=c.pk).access_token_encrypted for c in credentials
    ) == [f"t{i}" for i in range(7)]


def test_a_value_no_key_reads_fails_the_command_but_the_rest_rotates(
    seeded, settings, switch_keys, monkeypatch
):
    key_a = settings.SECRET_KEY
    switch_keys(secret_key="a-third-key-C-that-nobody-remembers-0123456789-abcdefghijklmnop")
    stranger = DeploymentCredentialFactory(access_token_encrypted="written-under-C")
    switch_keys(secret_key=KEY_B)
    monkeypatch.setenv("OLD_SECRET_KEY", key_a)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 value"):
        call_command("rotate_encryption_keys", stdout=io.StringIO(), stderr=err)
    assert str(stranger.pk) in err.getvalue()
    assert Container.objects.get(pk=seeded["container"].pk).encrypted_secrets == EXPECTED[-1]


def test_without_old_keys_it_only_checks(seeded):
    output = rotate()
    assert "checking only" in output
    assert "0 rotated" in output


def test_batch_size_must_be_positive():
    with pytest.raises(CommandError):
        rotate("--batch-size", "0")
