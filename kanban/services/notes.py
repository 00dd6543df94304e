"""The project note (KAN-14), with its optimistic version."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now

from config.exceptions import StaleVersion, require
from kanban.errors import InvalidInput
from kanban.models import ContentFormat, ProjectNote
from kanban.validators import validate_json_text
from projects.permissions import user_owns_project


@transaction.atomic
def note_get_or_create(*, actor, project):
    """KAN-14: the project's note, created empty on first use.

    `get_or_create` inserts inside a savepoint and re-reads after losing the one-to-one race,
    so two first uses at once end with one note.
    """
    require(user_owns_project(actor, project.owner_id))
    note, _ = ProjectNote.objects.get_or_create(project=project)
    return note


@transaction.atomic
def note_update(*, actor, project, content, content_format, version=None):
    """KAN-14: a write replaces the content and its format; `json` content must parse (400);
    a `version` that is not the stored one is 409 `stale_version` (KAN-11). Every write
    increments `version`."""
    if content_format == ContentFormat.JSON:
        try:
            validate_json_text(content)
        except ValidationError as error:
            raise InvalidInput(fields={"content": error.messages}) from None
    note = note_get_or_create(actor=actor, project=project)
    notes = ProjectNote.objects.filter(pk=note.pk)
    if version is not None:
        notes = notes.filter(version=version)
    updated = notes.update(
        content=content, content_format=content_format, version=F("version") + 1, updated_at=Now()
    )
    if not updated:
        raise StaleVersion()
    return note
