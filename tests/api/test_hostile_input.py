"""R18 and the JSON columns' bounds, across the whole API: every JSON and URL field of every
request body gets hostile values, and each must be a 400 in the error shape that names the
field, with nothing written.

The fields come from the OpenAPI schema (each request body's serializer, as drf-spectacular
registered it), so a new JSON or URL field is found without anyone listing it; the
completeness tests fail until `OPERATIONS` says how to call its endpoint, and until the field
and its model column carry the ground layer's validators (`config.validators`). Each
operation is first called with a harmless value (rolled back) to prove that its body is valid
and the field is reached, so that a 400 for the hostile value is about the value.
"""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, models, transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.fields import _UnvalidatedField

from accounts.models import AccessToken
from chat.services import run_transition
from config.roles import SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS
from config.validators import JsonValidator, validate_public_https_url
from projects.validators import validate_git_remote_url
from tests import figures
from tests.api.test_permission_matrix import bearer, build_world
from tests.conftest import granted_group
from tests.core.test_validators import REFUSED as HOSTILE_URLS
from tests.factories import UserFactory
from tests.projects.factories import ContainerFactory

URL_GUARDS = (validate_public_https_url, validate_git_remote_url)
PROJECT_APPS = ("accounts", "projects", "chat", "marketplace", "billing", "kanban", "feedback")
# Tables a refused request may still write: the bearer token's last use.
BOOKKEEPING_TABLES = ("accounts_accesstoken",)


@dataclass(frozen=True)
class Operation:
    """How to call one write endpoint: as whom, which world rows fill the path, and a body
    that is valid apart from the field under test (`good` gives a harmless value per field
    where the column's own rules need one; `prepare` readies the world, through services)."""

    role: str = "owner"
    path_ids: dict = field(default_factory=dict)
    body: dict = field(default_factory=dict)
    good: dict = field(default_factory=dict)
    prepare: Callable | None = None


def _finish_run(world):
    """A chat holds one active run (CHT-40): the world's run ends so a claim may start one."""
    run_transition(actor=world.service, run=world.run, status="completed")


AGENT = {"name": "Hostile", "description": "Refuses hostile input."}
BASE = {"name": "Hostile", "description": "A base.", "category": "frontend"}
OPERATIONS = {
    ("PATCH", "/api/v1/auth/me/"): Operation(),
    ("POST", "/api/v1/auth/mcp-servers/"): Operation(
        body={"name": "hostile", "url": "https://mcp.example.com/"}
    ),
    ("PATCH", "/api/v1/auth/mcp-servers/{id}/"): Operation(path_ids={"id": "mcp_server"}),
    ("POST", "/api/v1/billing/api-keys/"): Operation(
        body={"provider": "google", "value": "key-value-123456", "key_name": "k"}
    ),
    ("PATCH", "/api/v1/billing/api-keys/{id}/"): Operation(path_ids={"id": "api_key"}),
    ("POST", "/api/v1/connectors/"): Operation(
        body={"connector_type": "notion", "account_label": "Wiki", "access_token": "hostile-t"}
    ),
    ("PATCH", "/api/v1/connectors/{id}/"): Operation(path_ids={"id": "connector"}),
    ("POST", "/api/v1/deployment-credentials/"): Operation(
        body={"provider": "netlify", "access_token": "t"}
    ),
    ("PATCH", "/api/v1/deployment-credentials/{id}/"): Operation(
        path_ids={"id": "deploy_credential"}
    ),
    ("POST", "/api/v1/marketplace/agents/"): Operation(body=AGENT, good={"tool_configs": {}}),
    ("PATCH", "/api/v1/marketplace/agents/{id}/"): Operation(
        path_ids={"id": "agent"}, good={"tool_configs": {}, "tools": ["read_file"]}
    ),
    ("POST", "/api/v1/marketplace/bases/"): Operation(
        body={**BASE, "git_repo_url": "https://github.com/acme/app.git"}
    ),
    ("PATCH", "/api/v1/marketplace/bases/{id}/"): Operation(path_ids={"id": "base"}),
    ("POST", "/api/v1/marketplace/skills/"): Operation(
        body={"name": "hostile", "content": "# Hostile"}
    ),
    ("PATCH", "/api/v1/marketplace/skills/{id}/"): Operation(path_ids={"id": "skill"}),
    ("POST", "/api/v1/projects/"): Operation(body={"name": "Hostile"}),
    ("PATCH", "/api/v1/projects/{id}/"): Operation(path_ids={"id": "project"}),
    ("PATCH", "/api/v1/projects/{pid}/board/"): Operation(),
    ("POST", "/api/v1/projects/{pid}/chats/{cid}/messages/"): Operation(
        path_ids={"cid": "chat"}, body={"role": "user", "content": "Hi"}
    ),
    ("POST", "/api/v1/projects/{pid}/chats/{cid}/runs/"): Operation(
        role="service",
        path_ids={"cid": "chat"},
        body={"request_id": "hostile-claim", "model": "anthropic/claude-sonnet-4"},
        prepare=_finish_run,
    ),
    ("POST", "/api/v1/projects/{pid}/chats/{cid}/runs/{id}/status/"): Operation(
        role="service", path_ids={"cid": "chat", "id": "run"}, body={"status": "running"}
    ),
    ("POST", "/api/v1/projects/{pid}/connections/"): Operation(
        body={"source_container": "container", "target_container": "spare_container"},
        good={"config": {}},
    ),
    ("PATCH", "/api/v1/projects/{pid}/connections/{id}/"): Operation(
        path_ids={"id": "connection"}, good={"config": {}}
    ),
    ("POST", "/api/v1/projects/{pid}/containers/"): Operation(body={"name": "hostile"}),
    ("PATCH", "/api/v1/projects/{pid}/containers/{id}/"): Operation(path_ids={"id": "container"}),
    ("POST", "/api/v1/projects/{pid}/databases/"): Operation(
        body={"provider": "neon", "database_name": "hostile", "connection_string": "postgres://x"}
    ),
    ("POST", "/api/v1/projects/{pid}/deployments/{id}/status/"): Operation(
        role="service", path_ids={"id": "deployment"}, body={"status": "deploying"}
    ),
}
GOOD = {"json": {dict: {}, list: []}, "url": "https://example.com/x.git"}


def guard_of(serializer_field):
    """The ground-layer validator a request field carries, or None."""
    for validator in serializer_field.validators:
        if isinstance(validator, JsonValidator) or validator in URL_GUARDS:
            return validator
    return None


def kind_of(serializer_field):
    if isinstance(serializer_field, serializers.URLField):
        return "url"
    if isinstance(serializer_field, serializers.JSONField | serializers.DictField):
        return "json"
    # A list of anything (DRF's default child) is JSON; a list of typed items is not.
    if isinstance(serializer_field, serializers.ListField) and isinstance(
        serializer_field.child, _UnvalidatedField
    ):
        return "json"
    return None


def schema_fields():
    """(method, path, field name, kind, serializer field) of every writable JSON and URL field
    of every JSON request body in the schema."""
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    components = {
        name: component.object
        for (name, kind), component in generator.registry._components.items()
        if kind == "schemas"
    }
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            ref = (media or {}).get("schema", {}).get("$ref")
            if ref is None:
                continue
            serializer = components[ref.rsplit("/", 1)[-1]]
            if not isinstance(serializer, serializers.BaseSerializer):
                serializer = serializer()
            for name, serializer_field in serializer.fields.items():
                kind = kind_of(serializer_field)
                if kind and not serializer_field.read_only:
                    found.append((method.upper(), path, name, kind, serializer_field))
    return found


FIELDS = schema_fields()


def test_every_json_and_url_request_field_has_an_operation():
    found = {(method, path) for method, path, *_ in FIELDS}
    assert found - set(OPERATIONS) == set(), "add these operations to OPERATIONS"
    assert set(OPERATIONS) - found == set(), "these operations have no JSON or URL field"


@pytest.mark.parametrize(
    "found", FIELDS, ids=[f"{method} {path} {name}" for method, path, name, *_ in FIELDS]
)
def test_every_json_and_url_request_field_carries_the_ground_validator(found):
    *_, kind, serializer_field = found
    guard = guard_of(serializer_field)
    expected = JsonValidator if kind == "json" else type(validate_public_https_url)
    assert isinstance(guard, expected)


def project_model_fields():
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.JSONField | models.URLField):
                yield model, model_field


@pytest.mark.parametrize(
    ("model", "model_field"),
    list(project_model_fields()),
    ids=[f"{m._meta.label}.{f.name}" for m, f in project_model_fields()],
)
def test_every_json_and_url_column_carries_the_ground_validator(model, model_field):
    """Admin forms and `full_clean()` ask the column, not the API's serializer."""
    validators = model_field.validators
    if isinstance(model_field, models.URLField):
        assert any(validator in URL_GUARDS for validator in validators)
    else:
        assert any(isinstance(validator, JsonValidator) for validator in validators)


def nested(depth):
    return "[" * depth + "]" * depth


def hostile_json(validator):
    """(label, raw JSON text) values the column must refuse, each inside a value of the
    column's kind (`{"K": …}` or `[…]`), so that only the hostile part is wrong."""

    def wrap(text):
        return f'{{"K": {text}}}' if validator.kind is dict else f"[{text}]"

    other_kind = "[]" if validator.kind is dict else "{}"
    return [
        ("nested 900 deep", wrap(nested(900))),
        ("nested past the parser", wrap(nested(100_000))),
        ("lone surrogate value", wrap('"\\ud800"')),
        (
            "lone surrogate key",
            '{"\\udc00": "x"}' if validator.kind is dict else '[{"\\udc00": 1}]',
        ),
        ("NUL", wrap('"a\\u0000b"')),
        ("2^70", wrap(str(2**70))),
        ("-2^70", wrap(str(-(2**70)))),
        ("2^63", wrap(str(2**63))),
        ("1e300", wrap("1e300")),
        ("the other kind", other_kind),
        ("a string", '"text"'),
        ("too large", wrap(json.dumps("x" * validator.max_bytes))),
    ]


def hostile_values(serializer_field, kind):
    if kind == "url":
        return [(url, json.dumps(url)) for url in HOSTILE_URLS]
    return hostile_json(guard_of(serializer_field))


def writes():
    """Rows inserted, updated or deleted so far in this transaction, bookkeeping aside."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
            " FROM pg_stat_xact_user_tables WHERE relname <> ALL(%s)",
            [list(BOOKKEEPING_TABLES)],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def world(db):
    world = build_world()
    world.spare_container = ContainerFactory(project=world.project)
    world.service = UserFactory(subscription_tier="pro")
    world.service.groups.add(granted_group(SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS))
    return world


def request(client, method, path, body_text):
    cache.clear()  # throttles must not answer instead of the validation
    return client.generic(
        method,
        path,
        body_text,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )


def body_with(world, operation, name, value_text):
    """The operation's body, with world rows named by attribute, plus the field as raw text."""
    body = {
        key: str(getattr(world, value).pk) if hasattr(world, str(value)) else value
        for key, value in operation.body.items()
    }
    pairs = [f"{json.dumps(key)}: {json.dumps(value)}" for key, value in body.items()]
    return "{" + ", ".join([*pairs, f"{json.dumps(name)}: {value_text}"]) + "}"


def path_of(world, operation, path):
    ids = {
        "pid": world.project.pk,
        **{k: getattr(world, v).pk for k, v in operation.path_ids.items()},
    }
    return path.format(**ids)


@pytest.mark.parametrize(
    "found", FIELDS, ids=[f"{method} {path} {name}" for method, path, name, *_ in FIELDS]
)
def test_hostile_values_are_refused_and_change_nothing(found, world):
    method, template, name, kind, serializer_field = found
    operation = OPERATIONS[(method, template)]
    if operation.prepare is not None:
        operation.prepare(world)
    client = bearer_for(world.service if operation.role == "service" else world.owner)
    path = path_of(world, operation, template)

    good = operation.good.get(name, GOOD["url"] if kind == "url" else None)
    if good is None:
        good = GOOD["json"][guard_of(serializer_field).kind]
    with transaction.atomic():
        response = request(
            client, method, path, body_with(world, operation, name, json.dumps(good))
        )
        assert response.status_code < 300, response.content
        transaction.set_rollback(True)

    server_errors = accepted = 0
    for label, text in hostile_values(serializer_field, kind):
        before = writes()
        response = request(client, method, path, body_with(world, operation, name, text))
        figures.count("R18", "hostile requests")
        server_errors += response.status_code >= 500
        accepted += response.status_code < 400
        assert response.status_code == 400, (label, response.content)
        body = response.json()
        if label == "nested past the parser":
            assert body["code"] == "parse_error"
        elif label == "nested 900 deep" and body["code"] == "parse_error":
            pass  # 900 levels is near Python's recursion limit: a deeper stack parses less
        else:
            assert body["code"] == "validation_error", (label, body)
            assert any(key.split(".")[0] == name for key in body["fields"]), (label, body)
        assert writes() == before, label
    figures.count("R18", "server errors", server_errors)
    figures.count("R18", "accepted", accepted)


def bearer_for(user):
    return bearer(AccessToken.issue(user=user, ttl=timedelta(days=1), name="hostile")[1])
