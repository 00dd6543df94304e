"""Project databases: the owner's own or the runtime's provisioned ones (PRJ-120 to PRJ-122)."""

from django.db import transaction

from config.exceptions import DomainError, require
from projects.errors import DatabaseExists
from projects.models import ProjectDatabase
from projects.permissions import user_can_run_project, user_can_work_on


def database_create(*, actor, project, provider, database_name, connection_string, **fields):
    """PRJ-120, PRJ-121: the owner brings a database, or the runtime records one it
    provisioned. One active database per project, provider and name: 409 `already_exists`,
    from the check or, in a race, from the partial unique index. With no actor the write is the
    platform's own (the demo data)."""
    require(actor is None or user_can_run_project(actor, project, "projects.add_projectdatabase"))
    container = fields.get("container")
    if container is not None and container.project_id != project.pk:
        raise DomainError(fields={"container": ["Choose a container of this project."]})
    active = ProjectDatabase.objects.filter(
        project=project, provider=provider, database_name=database_name, is_active=True
    )
    if active.exists():
        raise DatabaseExists()
    with transaction.atomic():
        return ProjectDatabase.objects.create(
            project=project,
            provider=provider,
            database_name=database_name,
            connection_string=connection_string,
            **fields,
        )


def database_delete(*, actor, database):
    """PRJ-122: the owner removes the record (the database itself is the provider's)."""
    require(user_can_work_on(actor, database.project, "projects.delete_projectdatabase"))
    with transaction.atomic():
        database.delete()
