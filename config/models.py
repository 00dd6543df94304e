import uuid

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper


class BaseModel(models.Model):
    """UUID key and timestamps shared by every model (docs/spec/DATA_MODEL.md §1.1).

    `QuerySet.update()` does not touch `updated_at`: a service update that changes visible
    state sets `updated_at=Now()` itself; counter-only updates leave it alone.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def contains_index(*fields, name):
    """A pg_trgm GIN index serving `<field>__icontains` on each of `fields` (the admin's
    contains-search, config.admin.contains). Django writes `icontains` as
    `UPPER(field::text) LIKE UPPER(%term%)`, so the index is on the same expression."""
    return GinIndex(*(OpClass(Upper(field), name="gin_trgm_ops") for field in fields), name=name)
