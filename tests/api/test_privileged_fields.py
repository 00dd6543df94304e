"""R3, first half: privileged fields posted to every writable endpoint change nothing
(docs/spec/API.md §1 "Unknown fields", §9.5; RELIABILITY.md R3).

A field the endpoint does not take is refused by name (400); the call is then repeated
without the refused fields, so the privileged fields the endpoint does take (and must
ignore for this caller) are still tried.

Every POST, PATCH and PUT route of the permission matrix is called by a caller it lets in (the
owner, or the service account on service endpoints), with a valid body (`BODIES`; routes
without one get `{}`) to which every privileged field is added with a hostile value
(`HOSTILE`: another user as owner or author, `is_staff`, credit buckets, amounts charged or
paid, split shares, lifecycle statuses, counters, created_by, …). The body's own fields win,
so the call stays valid.

Then every row of the project's models is compared with a snapshot taken before the call: no
created or changed row may hold a hostile value in a privileged column. An item's own `price`
is the creator's to set, and a review's `rating` the author's, so neither is hostile.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import AccessToken
from config.api import READ_ONLY_FIELD, UNKNOWN_FIELD
from config.roles import SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS
from tests import figures
from tests.api.test_permission_matrix import ROUTES, bearer, build_world, ids_of
from tests.billing.factories import TEST_MODEL
from tests.conftest import granted_group
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

APPS = ("accounts", "projects", "chat", "marketplace", "billing", "kanban", "feedback")
BIG = 987654
WHEN = "2001-02-03T04:05:06Z"
WHEN_VALUE = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)

# field name in a request → (column, kind); kind "victim" = the other user's id, "victim
# project" = the other user's project, "true" = a flag turned on, else the literal value
USER_FIELDS = (
    "user",
    "owner",
    "created_by",
    "created_by_user",
    "author",
    "reporter",
    "buyer",
    "creator",
    "triggered_by",
    "hidden_by",
    "referred_by",
    "moderator",
)
COUNTERS = (
    "upvote_count",
    "comment_count",
    "message_count",
    "downloads",
    "reviews_count",
    "task_counter",
    "version",
    "ref_number",
    "co_install_count",
    "attempts",
    "max_attempts",
    "bytes_read",
    "bytes_written",
    "s3_archive_size_bytes",
    "size_bytes",
    "file_size",
    "credits_charged",
    "cost_total",
    "collected_cents",
    "shortfall_cents",
    "creator_revenue",
    "platform_revenue",
    "amount",
    "amount_cents",
    "credits_amount",
    "amount_total",
    "amount_creator",
    "amount_platform",
    "balance_after",
    "bundled_credits",
    "purchased_credits",
    "daily_credits",
    "signup_bonus_credits",
    "total_spend_cents",
    "charged_cents",
)
FLAGS = ("is_staff", "is_superuser", "is_featured", "is_published", "is_official", "is_hidden")
LITERALS = {
    "environment_status": "error",
    "status": "failed",
    "payout_status": "paid",
    "billed_status": "billed",
    "subscription_tier": "ultra",
    "stripe_customer_id": "cus_hostile",
    "referral_code": "HOSTILE1",
    "token_digest": "0" * 64,
    "request_id": "hostile-request-id",
    "idempotency_key": "hostile-idempotency-key",
    "stripe_checkout_session": "cs_hostile",
    "checkout_url": "https://evil.example.com/",
    "network_name": "hostile-net",
    "slug": "hostile-slug",
    "container_name": "hostile-container",
    "session_id": "hostile-session",
}
TIMES = (
    "email_verified_at",
    "published_at",
    "completed_at",
    "hidden_at",
    "refunded_at",
    "hibernated_at",
    "closed_at",
    "ready_at",
    "payout_date",
    "billed_at",
)

# Routes where a field of the hostile set is the caller's to write (API.md §9): not sent there.
# (`project` there must be one of the caller's: another user's is a 400, pinned per app;
# `version` is the optimistic lock of §8.2, a stale one is a 409.)
WRITABLE_THERE = {
    ("auth-register", "POST"): {"referral_code"},
    ("deployment-credential-list", "POST"): {"project"},
    ("billing-usage-list", "POST"): {"user", "project"},
    ("project-file-detail", "PATCH"): {"version"},
    ("project-file-upsert", "POST"): {"version"},
    ("kanban-note", "PUT"): {"version"},
    ("project-chat-detail", "PATCH"): {"status"},
    ("kanban-task-detail", "PATCH"): {"status", "version"},
    ("feedback-post-moderation", "PATCH"): {"status", "is_hidden"},
    ("feedback-comment-moderation", "PATCH"): {"is_hidden"},
    ("project-container-status", "POST"): {"status"},
    ("project-snapshot-status", "POST"): {"status", "size_bytes"},
    ("project-deployment-status", "POST"): {"status"},
    ("project-shell-session-status", "POST"): {"status"},
    ("project-shell-session-usage", "POST"): {"bytes_read", "bytes_written"},
    ("project-environment", "POST"): {"status", "s3_archive_size_bytes"},
    ("billing-usage-check", "POST"): {"user"},
    ("project-shell-session-list", "POST"): {"container_name"},
}

BODIES = {
    ("access-token-list", "POST"): lambda w: {"name": "script", "ttl_days": 30},
    ("mcp-server-list", "POST"): lambda w: {"name": "new", "url": "https://mcp.example.com/"},
    ("auth-waitlist", "POST"): lambda w: {"email": "waiting@example.com", "source": "matrix"},
    ("mcp-server-detail", "PATCH"): lambda w: {"name": "renamed"},
    ("auth-register", "POST"): lambda w: {
        "email": "newcomer@example.com",
        "password": DEFAULT_PASSWORD,
        "name": "Newcomer",
    },
    ("auth-me", "PATCH"): lambda w: {"name": "Renamed me"},
    ("project-list", "POST"): lambda w: {"name": "New"},
    ("project-detail", "PATCH"): lambda w: {"name": "Renamed"},
    ("project-container-list", "POST"): lambda w: {"name": "new-svc"},
    ("project-container-detail", "PATCH"): lambda w: {"position_x": 5},
    ("project-connection-list", "POST"): lambda w: {
        "source_container": str(w.connection.target_container_id),
        "target_container": str(w.connection.source_container_id),
    },
    ("project-connection-detail", "PATCH"): lambda w: {"label": "edge"},
    ("project-preview-detail", "PATCH"): lambda w: {"current_path": "/next"},
    ("project-file-list", "POST"): lambda w: {"file_path": "new.txt", "content": "x"},
    ("project-file-upsert", "POST"): lambda w: {"file_path": "up.txt", "content": "x"},
    ("project-file-detail", "PATCH"): lambda w: {"content": "y"},
    ("project-asset-detail", "PATCH"): lambda w: {"filename": "renamed.txt"},
    ("project-snapshot-detail", "PATCH"): lambda w: {"label": "l"},
    ("deployment-credential-list", "POST"): lambda w: {
        "provider": "cloudflare",
        "access_token": "cf-token-123456",
    },
    ("deployment-credential-detail", "PATCH"): lambda w: {"access_token": "cf-rotated-123"},
    ("git-credential-list", "POST"): lambda w: {
        "provider": "gitlab",
        "access_token": "glpat-123456",
        "provider_username": "me",
    },
    ("git-credential-detail", "PATCH"): lambda w: {"scope": "repo"},
    ("project-chat-list", "POST"): lambda w: {"title": "New chat"},
    ("project-chat-detail", "PATCH"): lambda w: {"title": "Renamed chat"},
    ("project-chat-message-list", "POST"): lambda w: {"role": "user", "content": "Hello"},
    ("project-command-log-list", "POST"): lambda w: {
        "command": "ls",
        "success": True,
        "exit_code": 0,
        "risk_level": "safe",
    },
    ("project-shell-session-list", "POST"): lambda w: {
        "container_name": w.container.container_name
    },
    ("kanban-board", "PATCH"): lambda w: {"name": "Board"},
    ("kanban-column-list", "POST"): lambda w: {"name": "New column"},
    ("kanban-column-detail", "PATCH"): lambda w: {"name": "Renamed column"},
    ("kanban-column-move", "POST"): lambda w: {"position": 0},
    ("kanban-task-list", "POST"): lambda w: {"column": str(w.column.pk), "title": "New task"},
    ("kanban-task-detail", "PATCH"): lambda w: {"title": "Renamed task"},
    ("kanban-task-move", "POST"): lambda w: {"column": str(w.column.pk), "position": 0},
    ("kanban-comment-list", "POST"): lambda w: {"content": "A comment"},
    ("kanban-comment-detail", "PATCH"): lambda w: {"content": "Edited"},
    ("feedback-post-list", "POST"): lambda w: {
        "type": "bug",
        "title": "New post",
        "description": "It breaks.",
    },
    ("feedback-post-detail", "PATCH"): lambda w: {"title": "Renamed post"},
    ("feedback-comment-list", "POST"): lambda w: {"content": "A comment"},
    ("feedback-comment-detail", "PATCH"): lambda w: {"content": "Edited"},
    ("billing-api-key-list", "POST"): lambda w: {
        "provider": "anthropic",
        "value": "sk-ant-test-123456",
    },
    ("billing-api-key-detail", "PATCH"): lambda w: {"key_name": "renamed"},
    ("billing-custom-model-list", "POST"): lambda w: {
        "provider": "openai",
        "model_id": "m-new",
        "model_name": "New model",
    },
    ("billing-custom-model-detail", "PATCH"): lambda w: {"model_name": "Renamed model"},
    ("billing-usage-list", "POST"): lambda w: {
        "user": str(w.owner.pk),
        "model": TEST_MODEL,
        "tokens_input": 1000,
        "tokens_output": 0,
    },
    ("marketplace-agent-list", "POST"): lambda w: {"name": "New", "description": "New agent."},
    ("marketplace-agent-detail", "PATCH"): lambda w: {"name": "Renamed agent"},
    ("marketplace-agent-review-detail", "PATCH"): lambda w: {"comment": "Edited"},
    ("marketplace-base-list", "POST"): lambda w: {
        "name": "New",
        "description": "New base.",
        "git_repo_url": "https://github.com/example/new",
        "category": "frontend",
    },
    ("marketplace-base-detail", "PATCH"): lambda w: {"name": "Renamed base"},
    ("marketplace-base-use", "POST"): lambda w: {"project": str(w.project.pk), "name": "used"},
    ("marketplace-base-review-detail", "PATCH"): lambda w: {"comment": "Edited"},
    ("marketplace-workflow-apply", "POST"): lambda w: {"project": str(w.project.pk)},
    ("project-agent-list", "POST"): lambda w: {"agent": str(w.agent.pk)},
    ("project-agent-detail", "PATCH"): lambda w: {"enabled": False},
}

REFUSALS = (UNKNOWN_FIELD, READ_ONLY_FIELD)

OWNER_CLASSES = ("public", "user", "owner", "owner_private", "owner_visible", "owner_or_service")
SERVICE_CLASSES = ("service", "service_no_row")
WRITES = sorted(
    (route, method)
    for (route, method), (_, access) in ROUTES.items()
    if method in ("POST", "PATCH", "PUT") and access in OWNER_CLASSES + SERVICE_CLASSES
)


def hostile_body(victim, victim_project):
    body = dict.fromkeys(USER_FIELDS, str(victim.pk))
    body["project"] = str(victim_project.pk)
    body.update(dict.fromkeys(COUNTERS, BIG))
    body.update(dict.fromkeys(FLAGS, True))
    body.update(LITERALS)
    body.update(dict.fromkeys(TIMES, WHEN))
    return body


def snapshot():
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label in APPS:
            for values in model.objects.values():
                rows[(model._meta.label, values["id"])] = (model, values)
    return rows


def hostile_columns(model, before, after, victim, victim_project):
    """The columns of one created (`before` None) or changed row that took a hostile value."""
    found = []
    for field in model._meta.concrete_fields:
        name, column = field.name, field.attname
        value = after.get(column)
        if before is not None and before.get(column) == value:
            continue
        hostile = (
            (name in USER_FIELDS and value == victim.pk)
            or (name == "project" and value == victim_project.pk)
            or (name in COUNTERS and value == BIG)
            or (name in FLAGS and value is True)
            or (name in LITERALS and value == LITERALS[name])
            or (name in TIMES and value == WHEN_VALUE)
        )
        if hostile:
            found.append(f"{model._meta.label}.{column}={value!r}")
    return found


@pytest.mark.parametrize("route", WRITES, ids=lambda r: f"{r[1]} {r[0]}")
def test_r3_privileged_fields_change_nothing(route):
    world = build_world()
    victim = UserFactory()
    victim_project = ProjectFactory(owner=victim)
    _, method = route
    template, access = ROUTES[route]
    if access in SERVICE_CLASSES:
        caller = UserFactory()
        caller.groups.add(granted_group(SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS))
    else:
        caller = world.owner
    _, raw = AccessToken.issue(user=caller, ttl=timedelta(days=1), name="r3")
    client = bearer(raw) if access != "public" else APIClient()
    body = hostile_body(victim, victim_project)
    for field in WRITABLE_THERE.get(route, ()):
        body.pop(field, None)
    body.update(BODIES.get(route, lambda w: {})(world))
    before = snapshot()
    path = template.format(**ids_of(world))
    response = send(client, method, path, body)
    refused = refused_fields(response)
    if refused:  # fields the endpoint does not take are named (API.md §1); the rest must pass
        hostile = hostile_body(victim, victim_project)
        assert refused <= set(hostile), response.content
        response = send(client, method, path, {k: v for k, v in body.items() if k not in refused})
    after = snapshot()
    accepted = []
    for key, (model, values) in after.items():
        old = before.get(key)
        if old is None or old[1] != values:
            accepted += hostile_columns(
                model, old[1] if old else None, values, victim, victim_project
            )
    figures.count("R3", "privileged writes tried")
    figures.count("R3", "of them refused by name", int(bool(refused)))
    figures.count("R3", "of them answered 2xx", int(response.status_code < 300))
    figures.count("R3", "privileged fields accepted", len(accepted))
    assert response.status_code < 500, response.content
    if route in BODIES:  # a valid body: the call must go through, or the check proves little
        assert response.status_code < 300, response.content
    assert not accepted, f"{method} {template}: {accepted}"


def send(client, method, path, body):
    cache.clear()
    return getattr(client, method.lower())(
        path, body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )


def refused_fields(response):
    """The fields a 400 names as unknown or read-only (config.api.unknown_fields)."""
    if response.status_code != 400:
        return set()
    fields = response.json()["fields"]
    return {name for name, messages in fields.items() if messages[0] in REFUSALS}


def test_r3_the_check_sees_a_hostile_value():
    victim = UserFactory()
    victim_project = ProjectFactory(owner=victim)
    project_model = apps.get_model("projects", "Project")
    row = {"owner_id": victim.pk, "environment_status": "error", "name": "x"}
    assert hostile_columns(project_model, None, row, victim, victim_project) == [
        f"projects.Project.owner_id={victim.pk!r}",
        "projects.Project.environment_status='error'",
    ]
    assert hostile_columns(project_model, row, row, victim, victim_project) == []
