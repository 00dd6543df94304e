import uuid

from django.db import models


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
