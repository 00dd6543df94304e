"""projects/{pid}/command-logs/ through URLs (API.md §9.3; CHT-20, CHT-21)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import COMMAND_MAX_BYTES, COMMAND_OUTPUT_MAX_BYTES, AgentCommandLog
from tests.chat.factories import AgentCommandLogFactory
from tests.chat.utils import command_log_url, command_logs_url, snapshot
from tests.helpers import assert_error, ids
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

RUN = {"command": "npm test", "success": True, "exit_code": 0, "risk_level": "safe"}


def record(client, project, **changes):
    return client.post(command_logs_url(project), RUN | changes)


def test_cht_20_the_service_records_a_log_for_the_owner(service_client, project, owner):
    response = record(
        service_client,
        project,
        working_dir="/app/packages/api",
        stdout="3 passed\n",
        stderr="",
        duration_ms=4200,
    )
    assert response.status_code == 201, response.content
    log = AgentCommandLog.objects.get()
    assert (log.user, log.project) == (owner, project)
    assert response.json() == {
        "id": str(log.pk),
        "project": str(project.pk),
        "command": "npm test",
        "working_dir": "/app/packages/api",
        "success": True,
        "exit_code": 0,
        "output_truncated": False,
        "risk_level": "safe",
        "duration_ms": 4200,
        "dry_run": False,
        "created_at": response.json()["created_at"],
        "stdout": "3 passed\n",
        "stderr": "",
    }


def test_cht_20_defaults(service_client, project):
    response = service_client.post(
        command_logs_url(project),
        {"command": "rm -rf build", "success": False, "risk_level": "high"},
    )
    body = response.json()
    assert (body["working_dir"], body["exit_code"], body["dry_run"], body["stdout"]) == (
        ".",
        None,
        False,
        "",
    )


def test_cht_20_the_service_reaches_any_users_project(service_client):
    assert record(service_client, ProjectFactory()).status_code == 201


def test_cht_20_the_owner_may_not_record_even_with_bad_input(owner_client, project):
    assert_error(record(owner_client, project), 403, "permission_denied")
    assert_error(record(owner_client, project, risk_level="wild"), 403, "permission_denied")
    assert not AgentCommandLog.objects.exists()


def test_cht_20_logs_cannot_be_changed_or_deleted(owner_client, service_client, project):
    log = AgentCommandLogFactory(project=project)
    before = snapshot(AgentCommandLog)
    for client in (owner_client, service_client):
        for method in ("put", "patch", "delete"):
            response = getattr(client, method)(command_log_url(log), {"command": "x"})
            assert_error(response, 405, "method_not_allowed")
    assert snapshot(AgentCommandLog) == before


def test_cht_21_long_output_is_cut_to_its_tail(service_client, project):
    stdout = "a" * COMMAND_OUTPUT_MAX_BYTES + "THE END"
    body = record(service_client, project, stdout=stdout, stderr="oops").json()
    assert body["output_truncated"] is True
    assert body["stdout"].endswith("THE END") and len(body["stdout"]) == COMMAND_OUTPUT_MAX_BYTES
    assert body["stderr"] == "oops"


def test_a_dry_run_has_no_exit_code(service_client, project):
    body = record(service_client, project, dry_run=True, exit_code=None, success=True).json()
    assert (body["dry_run"], body["exit_code"]) == (True, None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"success": True, "exit_code": 2}, "success"),
        ({"success": False, "exit_code": 0}, "success"),
        ({"dry_run": True, "exit_code": 0}, "exit_code"),
        ({"command": ""}, "command"),
        ({"command": "  \n"}, "command"),
        ({"command": None}, "command"),
        ({"command": "x" * (COMMAND_MAX_BYTES + 1)}, "command"),
        ({"command": "é" * (COMMAND_MAX_BYTES // 2 + 1)}, "command"),
        ({"command": "ls\x00"}, "command"),
        ({"working_dir": ""}, "working_dir"),
        ({"working_dir": "x" * 1025}, "working_dir"),
        ({"success": None}, "success"),
        ({"success": "maybe"}, "success"),
        ({"exit_code": "zero"}, "exit_code"),
        ({"exit_code": 2**31}, "exit_code"),
        ({"stdout": None}, "stdout"),
        ({"stderr": ["line"]}, "stderr"),
        ({"stdout": "nul\x00"}, "stdout"),
        ({"risk_level": "extreme"}, "risk_level"),
        ({"risk_level": None}, "risk_level"),
        ({"duration_ms": -1}, "duration_ms"),
        ({"duration_ms": 2**31}, "duration_ms"),
        ({"dry_run": "sometimes"}, "dry_run"),
    ],
)
def test_bad_log_input_is_400_and_records_nothing(service_client, project, changes, field):
    body = assert_error(record(service_client, project, **changes), 400, "validation_error")
    assert field in body["fields"]
    assert not AgentCommandLog.objects.exists()


@pytest.mark.parametrize("missing", ["command", "success", "risk_level"])
def test_required_fields(service_client, project, missing):
    body = {key: value for key, value in RUN.items() if key != missing}
    response = service_client.post(command_logs_url(project), body)
    assert missing in assert_error(response, 400, "validation_error")["fields"]


def test_a_command_of_64_kib_is_accepted(service_client, project):
    assert record(service_client, project, command="x" * COMMAND_MAX_BYTES).status_code == 201


# Reading


def test_detail_returns_the_output(owner_client, project):
    log = AgentCommandLogFactory(project=project, failed=True)
    body = owner_client.get(command_log_url(log)).json()
    assert (body["stderr"], body["exit_code"], body["success"]) == (log.stderr, 1, False)


def test_list_rows_leave_the_output_out(owner_client, project):
    AgentCommandLogFactory(project=project)
    row = owner_client.get(command_logs_url(project)).json()["results"][0]
    assert "stdout" not in row and "stderr" not in row
    assert set(row) == {
        "id",
        "project",
        "command",
        "working_dir",
        "success",
        "exit_code",
        "output_truncated",
        "risk_level",
        "duration_ms",
        "dry_run",
        "created_at",
    }


@pytest.fixture
def logs(project):
    """Oldest first: a success yesterday, a failure an hour ago, a risky dry run now."""
    now = timezone.now()
    rows = {
        "yesterday": AgentCommandLogFactory(project=project),
        "hour_ago": AgentCommandLogFactory(project=project, failed=True),
        "now": AgentCommandLogFactory(project=project, dry=True, risk_level="high"),
    }
    for name, age in (("yesterday", timedelta(days=1)), ("hour_ago", timedelta(hours=1))):
        AgentCommandLog.objects.filter(pk=rows[name].pk).update(created_at=now - age)
    AgentCommandLogFactory()  # another project's
    return rows


def names(response, logs):
    by_id = {str(log.pk): name for name, log in logs.items()}
    return [by_id[row_id] for row_id in ids(response)]


def hours_ago(hours):
    return (timezone.now() - timedelta(hours=hours)).isoformat()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["now", "hour_ago", "yesterday"]),
        ({"ordering": "created_at"}, ["yesterday", "hour_ago", "now"]),
        ({"success": "true"}, ["now", "yesterday"]),
        ({"success": "false"}, ["hour_ago"]),
        ({"risk_level": "high"}, ["now"]),
        ({"dry_run": "true"}, ["now"]),
        ({"dry_run": "false"}, ["hour_ago", "yesterday"]),
        ({"created_after": hours_ago(2)}, ["now", "hour_ago"]),
        ({"created_before": hours_ago(2)}, ["yesterday"]),
        (
            {"created_after": hours_ago(30), "created_before": hours_ago(0.5)},
            ["hour_ago", "yesterday"],
        ),
    ],
)
def test_list_filters_newest_first(owner_client, project, logs, query, expected):
    response = owner_client.get(command_logs_url(project), query)
    assert names(response, logs) == expected
    assert "count" not in response.json()


def test_created_after_is_inclusive_and_before_exclusive(owner_client, project, logs):
    at = logs["hour_ago"]
    at.refresh_from_db()
    stamp = at.created_at.isoformat()
    assert names(owner_client.get(command_logs_url(project), {"created_after": stamp}), logs) == [
        "now",
        "hour_ago",
    ]
    assert names(owner_client.get(command_logs_url(project), {"created_before": stamp}), logs) == [
        "yesterday"
    ]


def test_times_with_an_offset_are_converted_to_utc(owner_client, project, logs):
    at = logs["hour_ago"]
    at.refresh_from_db()
    in_new_york = at.created_at.astimezone(timezone.get_fixed_timezone(-300)).isoformat()
    response = owner_client.get(command_logs_url(project), {"created_before": in_new_york})
    assert names(response, logs) == ["yesterday"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"success": "yes"}, "success"),
        ({"dry_run": "1"}, "dry_run"),
        ({"risk_level": "wild"}, "risk_level"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"created_after": "2025-13-01T00:00:00Z"}, "created_after"),
        ({"created_before": "2025-05-01T00:00:00+16:00"}, "created_before"),
        ({"created_before": "2025-05-01T00:00:00-23:59"}, "created_before"),
        ({"ordering": "risk_level"}, "ordering"),
        ({"cursor": "%%%"}, "cursor"),
    ],
)
def test_bad_list_parameters_are_400(owner_client, project, query, field):
    body = assert_error(owner_client.get(command_logs_url(project), query), 400, "validation_error")
    assert field in body["fields"]


def test_an_offset_of_15_59_is_accepted(owner_client, project):
    response = owner_client.get(
        command_logs_url(project), {"created_after": "2025-05-01T00:00:00+15:59"}
    )
    assert response.status_code == 200


def test_cursor_pages_cover_every_log_once(owner_client, project):
    logs = AgentCommandLogFactory.create_batch(5, project=project)
    seen, response = [], owner_client.get(command_logs_url(project), {"page_size": 2})
    while True:
        seen += ids(response)
        if response.json()["next"] is None:
            break
        response = owner_client.get(response.json()["next"])
    assert seen == [str(log.pk) for log in reversed(logs)]


def test_another_users_logs_are_404(client_for, project, other_user, service_account):
    log = AgentCommandLogFactory(project=project)
    for reader in (other_user, service_account):
        client = client_for(reader)
        assert_error(client.get(command_logs_url(project)), 404, "not_found")
        assert_error(client.get(command_log_url(log)), 404, "not_found")


def test_a_log_is_reached_only_through_its_own_project(owner_client, owner, project):
    log = AgentCommandLogFactory(project=project)
    url = f"/api/v1/projects/{ProjectFactory(owner=owner).pk}/command-logs/{log.pk}/"
    assert_error(owner_client.get(url), 404, "not_found")
