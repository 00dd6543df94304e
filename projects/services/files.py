"""File and asset services: optimistic edits, upserts and checked uploads (PRJ-40 to PRJ-53)."""

import uuid

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from config.exceptions import DomainError, NotFound, StaleVersion, require
from projects.assets import inspect_upload
from projects.models import ProjectAsset, ProjectFile
from projects.permissions import user_can_work_on
from projects.validators import validate_file_content

_UPSERT_FILE = """
INSERT INTO {table} AS f
    (id, created_at, updated_at, project_id, file_path, content, size_bytes, version)
VALUES (%(id)s, %(now)s, %(now)s, %(project_id)s, %(file_path)s, %(content)s, %(size)s, 1)
ON CONFLICT ON CONSTRAINT projects_file_path_unique DO UPDATE
SET content = EXCLUDED.content,
    size_bytes = EXCLUDED.size_bytes,
    version = f.version + 1,
    updated_at = EXCLUDED.updated_at
WHERE %(expected)s::integer IS NULL OR f.version = %(expected)s::integer
RETURNING id, (xmax = 0) AS created
"""  # xmax = 0 only on a freshly inserted row version: it tells an insert from an update.


def content_size(content):
    """PRJ-41: the UTF-8 size of a file's content, refused over PROJECT_FILE_MAX_BYTES."""
    try:
        validate_file_content(content)
    except ValidationError as exc:
        raise DomainError(fields={"content": exc.messages}) from None
    return len(content.encode())


def file_create(*, actor, project, file_path, content):
    require(user_can_work_on(actor, project, "projects.add_projectfile"))
    size = content_size(content)
    with transaction.atomic():
        return ProjectFile.objects.create(
            project=project, file_path=file_path, content=content, size_bytes=size
        )


def file_upsert(*, actor, project, file_path, content, version=None):
    """PRJ-42: one `INSERT … ON CONFLICT DO UPDATE`, so concurrent upserts of a path never make
    two rows. With `version`, an existing file is updated only at that version (else 409).

    Returns `(file, created)`.
    """
    require(user_can_work_on(actor, project, "projects.add_projectfile"))
    size = content_size(content)
    sql = _UPSERT_FILE.format(table=connection.ops.quote_name(ProjectFile._meta.db_table))
    params = {
        "id": uuid.uuid4(),
        "now": timezone.now(),
        "project_id": project.pk,
        "file_path": file_path,
        "content": content,
        "size": size,
        "expected": version,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise StaleVersion()
    file_id, created = row
    return ProjectFile.objects.get(pk=file_id), created


def file_update(*, actor, file, content=None, file_path=None, version=None):
    """Edits content and/or path (a rename) as one optimistic update (DATA_MODEL.md §1.7)."""
    require(user_can_work_on(actor, file.project, "projects.change_projectfile"))
    changes = {"version": F("version") + 1, "updated_at": timezone.now()}
    if content is not None:
        changes.update(content=content, size_bytes=content_size(content))
    if file_path is not None:
        changes["file_path"] = file_path
    rows = ProjectFile.objects.filter(pk=file.pk)
    if version is not None:
        rows = rows.filter(version=version)
    with transaction.atomic():
        if not rows.update(**changes):
            if version is not None:
                raise StaleVersion()
            raise NotFound()
    file.refresh_from_db()
    return file


# --- Assets ----------------------------------------------------------------------------------


def asset_upload(*, actor, project, upload, filename, directory):
    """PRJ-50, PRJ-51: stores the checked bytes, then the row.

    The bytes are written first so a row never points at nothing; if the insert fails they
    are removed again.
    """
    require(user_can_work_on(actor, project, "projects.add_projectasset"))
    info = inspect_upload(upload, filename)
    asset = ProjectAsset(
        id=uuid.uuid4(),
        project=project,
        filename=filename,
        directory=directory,
        file_type=info.file_type,
        file_size=info.file_size,
        mime_type=info.mime_type,
        width=info.width,
        height=info.height,
    )
    asset.file.save(filename, upload, save=False)
    try:
        with transaction.atomic():
            asset.save(force_insert=True)
    except BaseException:
        asset.file.storage.delete(asset.file.name)
        raise
    return asset
