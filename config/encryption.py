"""Third-party secrets at rest (DATA_MODEL.md §1.6).

A secret is `encrypt(models.TextField(...))` (django-cryptography) with a companion
`<field>_last4` that `save()` keeps in step, so admin and listings can show `•••• last4`
without decrypting anything.
"""

from django.db import models

MASK = "••••"


def last4(secret):
    return secret[-4:] if secret else ""


def masked(last_four):
    return f"{MASK} {last_four}" if last_four else ""


class SecretFieldsModel(models.Model):
    """Keeps each `<name>_last4` in step with the encrypted field `<name>` on save.

    Subclasses list their encrypted text fields in `secret_fields`.
    """

    secret_fields = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        for name in self.secret_fields:
            setattr(self, f"{name}_last4", last4(getattr(self, name)))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            touched = [name for name in self.secret_fields if name in update_fields]
            kwargs["update_fields"] = {*update_fields, *(f"{name}_last4" for name in touched)}
        super().save(*args, **kwargs)


# Columns that hold a secret in another form than an encrypted field: hashes and digests.
HASHED_COLUMNS = frozenset({"password", "token_digest", "code_hash"})


def is_secret_field(field):
    """True for a column that must never leave the database in the clear: an encrypted field
    (its decrypted value), a password hash, a token digest or a code hash. Audit history and
    CSV export both leave these out."""
    from django_cryptography.fields import EncryptedMixin

    return isinstance(field, EncryptedMixin) or field.name in HASHED_COLUMNS


def seal(text):
    """`text` encrypted for a queue message: a secret (a one-time code) that a task needs must
    not sit in the broker in the clear."""
    from django_cryptography.utils.crypto import Fernet

    return Fernet().encrypt(text.encode()).decode()


def unseal(token):
    from django_cryptography.utils.crypto import Fernet

    return Fernet().decrypt(token.encode()).decode()
