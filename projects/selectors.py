"""Reads of the projects app that are more than a `visible_to(user)`: the project detail (W3).

Every column list is derived from the serializer whose output it builds, so a field added to
a model and its serializer is read here too; the fields a serializer nests or computes are
named beside it and built from their own columns.

The detail lists the project's latest chats, and chat sits above projects (STYLE.md "An
app"): projects may not import it. That is the one read here against the dependency
direction, so it names chat's model by its label (`chat_model()`), as foreign keys across apps
do, and reads only the fields `RecentChatSerializer` declares.
"""

import uuid

from django.apps import apps
from django.db.models import Prefetch

from accounts.models import User, token_digest
from config.api import related_columns, row_with, rows_as, serializer_columns, values_for
from config.prepared import PreparedQuery
from projects.models import (
    ConnectorCredential,
    ConnectorStatus,
    Container,
    ContainerConnection,
    Project,
)
from projects.models.canvas import effective_port, secret_names
from projects.serializers.canvas import (
    ContainerBaseSerializer,
    ContainerConnectionSerializer,
    ContainerSerializer,
)
from projects.serializers.project import ProjectDetailSerializer, RecentChatSerializer

RECENT_CHATS = 5
PROJECT_FIELDS = serializer_columns(
    ProjectDetailSerializer, computed=("containers", "connections", "recent_chats")
)
CONTAINER_FIELDS = serializer_columns(
    ContainerSerializer, computed=("effective_port", "secret_names", "base")
)
BASE_FIELDS = related_columns(ContainerBaseSerializer, "base")
# What a container reads: its plain columns, the secrets whose names it lists, and its base.
CONTAINER_COLUMNS = (
    *(column for _, column in CONTAINER_FIELDS if column is not None),
    "encrypted_secrets",
    *(column for _, column in BASE_FIELDS),
)


def chat_model():
    """chat.Chat, looked up by label when called: projects sits below chat and never imports
    it (the recent chats are the one read that crosses that way)."""
    return apps.get_model("chat", "Chat")


def with_canvas(projects):
    """The project detail's nested lists, for ProjectDetailSerializer: three prefetch queries,
    whatever their length. Responses to writes use it; a read uses `project_detail()`."""
    return projects.prefetch_related(
        Prefetch(
            "containers", queryset=Container.objects.select_related("base").order_by("name", "id")
        ),
        Prefetch(
            "container_connections",
            queryset=ContainerConnection.objects.order_by("created_at", "id"),
        ),
        Prefetch(
            "chats",
            queryset=chat_model().objects.order_by("-created_at", "-id")[:RECENT_CHATS],
            to_attr="recent_chats",
        ),
    )


def project_rows(projects):
    """`projects` as `.values()` rows of the detail's own columns, for `project_detail()`."""
    return projects.values(*(column for _, column in PROJECT_FIELDS if column is not None))


def container_representation(row):
    """ContainerSerializer's output for one `.values()` row of `CONTAINER_COLUMNS`."""
    base = None if row["base__id"] is None else row_with(BASE_FIELDS, row, {})
    computed = {
        "effective_port": effective_port(row["container_type"], row["internal_port"], row["port"]),
        "secret_names": secret_names(row["encrypted_secrets"]),
        "base": base,
    }
    return row_with(CONTAINER_FIELDS, row, computed)


# W3's reads, each compiled once per process (config/prepared.py): building and compiling
# their querysets was most of the request's time. The stand-ins are distinct UUIDs.
OWNER, PROJECT = uuid.UUID(int=1), uuid.UUID(int=2)
VISIBLE_PROJECT_ROW = PreparedQuery(
    lambda owner, project: project_rows(
        Project.objects.visible_to(User(pk=owner)).filter(pk=project)
    ),
    owner=OWNER,
    project=PROJECT,
)
PROJECT_CONTAINERS = PreparedQuery(
    lambda project: (
        Container.objects.filter(project_id=project)
        .order_by("name", "id")
        .values(*CONTAINER_COLUMNS)
    ),
    project=PROJECT,
)
PROJECT_CONNECTIONS = PreparedQuery(
    lambda project: values_for(
        ContainerConnection.objects.filter(project_id=project).order_by("created_at", "id"),
        ContainerConnectionSerializer,
    ),
    project=PROJECT,
)
PROJECT_RECENT_CHATS = PreparedQuery(
    lambda project: values_for(
        chat_model().objects.filter(project_id=project).order_by("-created_at", "-id"),
        RecentChatSerializer,
    )[:RECENT_CHATS],
    project=PROJECT,
)


def visible_project_row(user, project_id):
    """The detail's `project_rows()` row of `project_id` as `user` sees it through the API;
    None when they may not see it."""
    rows = VISIBLE_PROJECT_ROW.rows(owner=user.pk, project=project_id)
    return rows[0] if rows else None


def project_detail(project):
    """ProjectDetailSerializer's output for `project` (a `project_rows()` row), in three
    queries: the containers with their bases, the connections, the latest chats. Model
    instances and nested serializers were most of the request's time (W3). UUIDs and
    datetimes are left to the orjson renderer, which writes them as DRF would; tests/projects
    pins the JSON to the serializer's."""
    computed = {
        "containers": [
            container_representation(row) for row in PROJECT_CONTAINERS.rows(project=project["id"])
        ],
        "connections": rows_as(
            ContainerConnectionSerializer, PROJECT_CONNECTIONS.rows(project=project["id"])
        ),
        "recent_chats": rows_as(
            RecentChatSerializer, PROJECT_RECENT_CHATS.rows(project=project["id"])
        ),
    }
    return row_with(PROJECT_FIELDS, project, computed)


def connector_for_token(raw_token):
    """PRJ-111: the active connector the runtime was handed `raw_token` for, with its user;
    found by the token's SHA-256 digest (unique), never by a plaintext search."""
    return (
        ConnectorCredential.objects.filter(
            token_digest=token_digest(raw_token), status=ConnectorStatus.ACTIVE
        )
        .select_related("user")
        .defer(*ConnectorCredential.secret_fields)
        .first()
    )
