"""Re-encrypts every encrypted column of every installed model (DATA_MODEL.md §1.6, R13).

django-cryptography (the django-cryptography-5 fork) seals a value with AES-CBC under
`settings.CRYPTOGRAPHY_KEY` (derived with PBKDF2 from the raw CRYPTOGRAPHY_KEY, or from
SECRET_KEY when that is unset) and signs it with an HMAC keyed by SECRET_KEY. It knows one key
of each kind, so after a rotation every older value fails to load. Deploy the new keys, then
run this command with the previous ones in the environment:

    OLD_SECRET_KEY        the previous SECRET_KEY, when it changed (it signs every value, and
                          is also the encryption key material while CRYPTOGRAPHY_KEY is unset)
    OLD_CRYPTOGRAPHY_KEY  the previous encryption key material, when it changed: the previous
                          CRYPTOGRAPHY_KEY, or the previous SECRET_KEY if CRYPTOGRAPHY_KEY was
                          unset before and is set now

An unset OLD_* variable means that key did not change.

Each value that does not read with the current keys is read with the old ones and written back
under the current ones, keeping its original timestamp (so a field's `ttl` is not extended).
Rows are visited in primary-key order in batches, one transaction per batch, with the batch's
rows locked so a concurrent write is never overwritten. Values already readable are skipped,
so the command can be run again. Without any OLD_* variable it only checks that everything
reads. It exits non-zero when a value reads with neither key.
"""

import os
import pickle
import struct
from dataclasses import dataclass, field
from functools import cache, cached_property

from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils.encoding import force_bytes
from django_cryptography.core.signing import FernetSigner
from django_cryptography.fields import EncryptedMixin
from django_cryptography.utils.crypto import FernetBytes

DEFAULT_BATCH_SIZE = 500
KDF_ITERATIONS = 30_000  # django_cryptography.conf.CryptographyConf.configure
TIMESTAMP = struct.Struct(">Q")  # the signed token: version byte, 8-byte time, payload, HMAC


@cache
def derive_key(material):
    """The AES key django-cryptography derives from raw key material (PBKDF2, so cached)."""
    digest = settings.CRYPTOGRAPHY_DIGEST
    kdf = PBKDF2HMAC(
        algorithm=digest,
        length=digest.digest_size,
        salt=settings.CRYPTOGRAPHY_SALT,
        iterations=KDF_ITERATIONS,
        backend=settings.CRYPTOGRAPHY_BACKEND,
    )
    return kdf.derive(force_bytes(material))


def encrypted_models():
    """Every concrete model with encrypted columns, and those columns."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
        if fields:
            yield model, fields


def read(fernet, token):
    """The pickled plaintext of `token` under `fernet`, or None if it does not read.

    Any failure (signature, padding, unpickling) means "not this key": the HMAC is checked
    before anything is unpickled, so only authentic data reaches pickle.
    """
    try:
        plaintext = fernet.decrypt(token)
        pickle.loads(plaintext)  # noqa: S301 - authenticated by the HMAC above
    except Exception:  # every failure means the key does not fit
        return None
    return plaintext


@dataclass
class Tally:
    rotated: int = 0
    current: int = 0
    unreadable: int = 0
    fields: list = field(default_factory=list)


class OldKeys:
    """The previous key material from the environment, as a Fernet per encrypted field."""

    def __init__(self, environ):
        self.secret_key = environ.get("OLD_SECRET_KEY") or None
        self.cryptography_key = environ.get("OLD_CRYPTOGRAPHY_KEY") or None

    def __bool__(self):
        return bool(self.secret_key or self.cryptography_key)

    def fernet_for(self, encrypted_field):
        if not self:
            return None
        return FernetBytes(
            self._encryption_key(encrypted_field),
            FernetSigner(self.secret_key or settings.SECRET_KEY),
        )

    def _encryption_key(self, encrypted_field):
        if encrypted_field.key:  # a field's own key is not part of the settings rotation
            return encrypted_field.key
        if self.cryptography_key:
            return derive_key(self.cryptography_key)
        if self.secret_key and self._current_key_follows_secret_key:
            return derive_key(self.secret_key)
        return settings.CRYPTOGRAPHY_KEY

    @cached_property
    def _current_key_follows_secret_key(self):
        # With CRYPTOGRAPHY_KEY unset, the library derives the AES key from SECRET_KEY, so the
        # old AES key came from the old SECRET_KEY.
        return derive_key(settings.SECRET_KEY) == settings.CRYPTOGRAPHY_KEY


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column with the current SECRET_KEY/CRYPTOGRAPHY_KEY, reading "
        "old values with OLD_SECRET_KEY/OLD_CRYPTOGRAPHY_KEY from the environment."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)

    def handle(self, *args, dry_run=False, batch_size=DEFAULT_BATCH_SIZE, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        old_keys = OldKeys(os.environ)
        if not old_keys:
            self.stdout.write("No OLD_SECRET_KEY or OLD_CRYPTOGRAPHY_KEY: checking only.")
        unreadable = 0
        for model, fields in encrypted_models():
            tally = Tally(fields=[f.name for f in fields])
            for encrypted_field in fields:
                self._rotate(model, encrypted_field, old_keys, tally, dry_run, batch_size)
            unreadable += tally.unreadable
            self._report(model, tally, dry_run)
        if unreadable:
            raise CommandError(
                f"{unreadable} value(s) could not be decrypted with the current or the old keys."
            )

    def _rotate(self, model, encrypted_field, old_keys, tally, dry_run, batch_size):
        current = encrypted_field._fernet
        old = old_keys.fernet_for(encrypted_field)
        rows = model._base_manager.filter(**{f"{encrypted_field.attname}__isnull": False})
        label = f"{model._meta.label}.{encrypted_field.name}"
        checked, last_pk = 0, None
        while True:
            with transaction.atomic():
                batch = rows if last_pk is None else rows.filter(pk__gt=last_pk)
                batch = list(
                    batch.select_for_update()
                    .order_by("pk")
                    .annotate(token=Cast(encrypted_field.attname, models.BinaryField()))
                    .values_list("pk", "token")[:batch_size]
                )
                for pk, token in batch:
                    token = bytes(token)
                    if read(current, token) is not None:
                        tally.current += 1
                        continue
                    plaintext = read(old, token) if old is not None else None
                    if plaintext is None:
                        tally.unreadable += 1
                        self.stderr.write(f"  {label} {pk}: unreadable with either key")
                        continue
                    tally.rotated += 1
                    if not dry_run:
                        (created_at,) = TIMESTAMP.unpack_from(token, 1)
                        sealed = current.encrypt_at_time(plaintext, created_at)
                        model._base_manager.filter(pk=pk).update(
                            **{encrypted_field.attname: models.Value(sealed, models.BinaryField())}
                        )
            if not batch:
                return
            checked += len(batch)
            last_pk = batch[-1][0]
            self.stdout.write(f"  {label}: {checked} checked")

    def _report(self, model, tally, dry_run):
        rotated = "would rotate" if dry_run else "rotated"
        self.stdout.write(
            f"{model._meta.label} ({', '.join(tally.fields)}): {tally.rotated} {rotated}, "
            f"{tally.current} already current, {tally.unreadable} unreadable"
        )
