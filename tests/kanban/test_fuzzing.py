"""R14 for the kanban API with real ids: schemathesis against the kanban operations of the
generated schema, in process, with a fixed seed, on a board the caller owns.

The suite-wide fuzzing (tests/api) reaches these routes with random ids, which stop at the
404; here the project, column, task and comment ids are real, so generated bodies, filters
and orderings reach the serializers, the services and the database. There must be no server
error, no response outside the documented schema and no undocumented status code.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import AccessToken
from tests.kanban.factories import KanbanTaskCommentFactory, KanbanTaskFactory

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
UNTHROTTLED = "1000000/min"


@pytest.fixture
def kanban_api_schema(db, settings):
    """The schema, served in process; connections stay open inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = ["*"]
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, UNTHROTTLED),
    }
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("kanban_api_schema").include(
    path_regex=r"^/api/v1/projects/\{pid\}/(board|note)/"
)


@pytest.fixture
def real_ids(board, columns):
    task = KanbanTaskFactory(column=columns["To Do"], tags=["fuzz"])
    KanbanTaskFactory(column=columns["Done"])
    comment = KanbanTaskCommentFactory(task=task)
    return {
        "pid": str(board.project_id),
        "columns": str(columns["Review"].pk),
        "tasks": str(task.pk),
        "cid": str(comment.pk),
    }


def with_real_ids(case, ids):
    """The case's path parameters, pointing at the owner's rows."""
    parameters = dict(case.path_parameters or {})
    parameters["pid"] = ids["pid"]
    if "id" in parameters:
        parameters["id"] = ids["columns" if "/columns/" in case.path else "tasks"]
    if "cid" in parameters:
        parameters["cid"] = ids["cid"]
    case.path_parameters = parameters
    return case


def bearer(user):
    _, raw = AccessToken.issue(user=user, ttl=timedelta(hours=1), name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


FUZZ_SETTINGS = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_r14_kanban_operations_on_the_owners_board(case, owner, real_ids):
    with_real_ids(case, real_ids).call_and_validate(headers=bearer(owner), checks=CHECKS)


@schema.parametrize()
@FUZZ_SETTINGS
def test_r2_another_user_gets_404_whatever_the_input(case, other_user, real_ids):
    """Another user's real ids, with any body or query: 404 before any 400. A method the route
    does not serve is 405, and OPTIONS describes the route without its form (DRF leaves the
    form out when the row is not found), so neither says anything about the row."""
    response = with_real_ids(case, real_ids).call_and_validate(
        headers=bearer(other_user), checks=CHECKS
    )
    if response.request.method == "OPTIONS":
        assert "actions" not in response.json()
    else:
        assert response.status_code in (404, 405), response.text
