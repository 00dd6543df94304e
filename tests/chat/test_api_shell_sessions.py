"""projects/{pid}/shell-sessions/ through URLs (API.md §9.3; CHT-30 to CHT-35)."""

import pytest

from chat.models import ShellSession, ShellSessionStatus
from projects.models import Project
from tests.chat.factories import ShellSessionFactory
from tests.chat.utils import session_url, sessions_url, snapshot
from tests.helpers import assert_error, ids
from tests.projects.factories import ContainerFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def open_session(client, project, container, **body):
    return client.post(sessions_url(project), {"container_name": container.container_name} | body)


# Opening


def test_open_returns_the_session_with_its_id(owner_client, project, container, owner):
    response = open_session(
        owner_client, project, container, terminal_rows=40, terminal_cols=120, working_dir="/app/x"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    session = ShellSession.objects.get()
    assert body == {
        "id": str(session.pk),
        "session_id": session.session_id,
        "project": str(project.pk),
        "container_name": container.container_name,
        "command": "/bin/bash",
        "working_dir": "/app/x",
        "terminal_rows": 40,
        "terminal_cols": 120,
        "status": "initializing",
        "last_activity_at": None,
        "closed_at": None,
        "bytes_read": 0,
        "bytes_written": 0,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert session.user == owner


def test_the_service_opens_sessions_in_any_users_project(service_client):
    project = ProjectFactory()
    response = open_session(service_client, project, ContainerFactory(project=project))
    assert response.status_code == 201
    assert ShellSession.objects.get().user == project.owner


def test_r3_server_fields_are_refused_by_name(owner_client, project, container, other_user):
    server_fields = {
        "session_id": "mine",
        "status": "active",
        "bytes_read": 10,
        "user": str(other_user.pk),
        "closed_at": "2030-01-01T00:00:00Z",
    }
    response = open_session(owner_client, project, container, **server_fields)
    assert set(assert_error(response, 400, "validation_error")["fields"]) == set(server_fields)
    assert not ShellSession.objects.exists()


def test_cht_30_another_projects_container_is_400(owner_client, project, owner):
    mine_elsewhere = ContainerFactory(project=ProjectFactory(owner=owner))
    response = open_session(owner_client, project, mine_elsewhere)
    assert set(assert_error(response, 400, "validation_error")["fields"]) == {"container_name"}
    assert not ShellSession.objects.exists()


def test_cht_30_is_400_before_the_project_state_is_409(owner_client, project, owner):
    Project.objects.filter(pk=project.pk).update(environment_status="stopping")
    response = open_session(owner_client, project, ContainerFactory())
    assert_error(response, 400, "validation_error")


def test_cht_32_the_eleventh_open_session_is_409(owner_client, project, container):
    ShellSessionFactory.create_batch(9, project=project, active=True)
    ShellSessionFactory.create_batch(2, project=project, closed=True)
    assert open_session(owner_client, project, container).status_code == 201
    assert_error(open_session(owner_client, project, container), 409, "session_limit_reached")
    assert ShellSession.objects.count() == 12


@pytest.mark.parametrize("state", ["stopping", "hibernated", "starting", "error"])
def test_cht_34_a_project_that_is_not_active_is_409(owner_client, owner, state):
    project = ProjectFactory(owner=owner, **{state: True})
    response = open_session(owner_client, project, ContainerFactory(project=project))
    assert_error(response, 409, "project_not_active")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"container_name": ""}, "container_name"),
        ({"container_name": None}, "container_name"),
        ({"container_name": "x" * 64}, "container_name"),
        ({"command": ""}, "command"),
        ({"command": "x" * 256}, "command"),
        ({"command": "bash\x00"}, "command"),
        ({"working_dir": "   "}, "working_dir"),
        ({"working_dir": "x" * 1025}, "working_dir"),
        ({"terminal_rows": 0}, "terminal_rows"),
        ({"terminal_rows": 1001}, "terminal_rows"),
        ({"terminal_cols": -80}, "terminal_cols"),
        ({"terminal_cols": "wide"}, "terminal_cols"),
        ({"terminal_cols": None}, "terminal_cols"),
    ],
)
def test_bad_session_input_is_400_and_opens_nothing(owner_client, project, container, body, field):
    response = owner_client.post(
        sessions_url(project), {"container_name": container.container_name} | body
    )
    assert field in assert_error(response, 400, "validation_error")["fields"]
    assert not ShellSession.objects.exists()


def test_terminal_sizes_at_the_limits_are_accepted(owner_client, project, container):
    for size in (1, 1000):
        response = open_session(
            owner_client, project, container, terminal_rows=size, terminal_cols=size
        )
        assert response.status_code == 201


# Reading


def test_list_newest_first_with_a_status_filter(owner_client, project):
    old = ShellSessionFactory(project=project, closed=True)
    new = ShellSessionFactory(project=project, active=True)
    ShellSessionFactory()  # another user's
    assert ids(owner_client.get(sessions_url(project))) == [str(new.pk), str(old.pk)]
    assert ids(owner_client.get(sessions_url(project), {"status": "closed"})) == [str(old.pk)]
    response = owner_client.get(sessions_url(project), {"status": "gone"})
    assert "status" in assert_error(response, 400, "validation_error")["fields"]


def test_the_service_reads_any_users_sessions(service_client, session):
    assert ids(service_client.get(sessions_url(session.project))) == [str(session.pk)]
    assert service_client.get(session_url(session)).json()["session_id"] == session.session_id


def test_another_users_session_is_404_everywhere(client_for, session, other_user):
    client = client_for(other_user)
    before = snapshot(ShellSession)
    for suffix in ("close/", "status/", "usage/"):
        assert_error(client.post(session_url(session, suffix), {}), 404, "not_found")
    assert_error(client.get(session_url(session)), 404, "not_found")
    assert_error(client.get(sessions_url(session.project)), 404, "not_found")
    assert snapshot(ShellSession) == before


def test_sessions_cannot_be_edited_or_deleted_directly(owner_client, session):
    for method in ("put", "patch", "delete"):
        response = getattr(owner_client, method)(session_url(session), {"status": "closed"})
        assert_error(response, 405, "method_not_allowed")


# CHT-31: close and status


def test_cht_31_close_and_close_again(owner_client, session):
    first = owner_client.post(session_url(session, "close/"))
    assert (first.status_code, first.json()["status"]) == (200, "closed")
    second = owner_client.post(session_url(session, "close/"))
    assert second.status_code == 200
    assert second.json()["closed_at"] == first.json()["closed_at"]


def test_cht_31_closing_a_failed_session_is_409(owner_client, project):
    session = ShellSessionFactory(project=project, failed=True)
    assert_error(owner_client.post(session_url(session, "close/")), 409, "invalid_state_transition")


def test_cht_31_the_service_reports_status_and_size(service_client, session):
    response = service_client.post(
        session_url(session, "status/"), {"status": "active", "terminal_rows": 30}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["terminal_rows"], body["terminal_cols"]) == ("active", 30, 80)


def test_cht_31_a_refused_transition_is_409(service_client, project):
    session = ShellSessionFactory(project=project, closed=True)
    response = service_client.post(session_url(session, "status/"), {"status": "active"})
    assert_error(response, 409, "invalid_state_transition")


def test_cht_31_the_owner_may_not_report_status(owner_client, session):
    assert_error(
        owner_client.post(session_url(session, "status/"), {"status": "active"}),
        403,
        "permission_denied",
    )
    assert_error(
        owner_client.post(session_url(session, "status/"), {"status": "nope"}),
        403,
        "permission_denied",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "status"),
        ({"status": "dead"}, "status"),
        ({"status": None}, "status"),
        ({"status": "active", "terminal_rows": 0}, "terminal_rows"),
        ({"status": "active", "terminal_cols": 1001}, "terminal_cols"),
    ],
)
def test_bad_status_reports_are_400(service_client, session, body, field):
    before = snapshot(ShellSession)
    response = service_client.post(session_url(session, "status/"), body)
    assert field in assert_error(response, 400, "validation_error")["fields"]
    assert snapshot(ShellSession) == before


def test_cht_31_status_is_not_writable_in_a_plain_edit(owner_client, session):
    owner_client.patch(session_url(session), {"status": "closed"})
    session.refresh_from_db()
    assert session.status == ShellSessionStatus.INITIALIZING


# CHT-33: usage


def test_cht_33_usage_adds_the_deltas(service_client, session):
    url = session_url(session, "usage/")
    assert service_client.post(url, {"bytes_read": 10, "bytes_written": 4}).json() == {
        "bytes_read": 10,
        "bytes_written": 4,
    }
    assert service_client.post(url, {"bytes_read": 5, "bytes_written": 0}).json() == {
        "bytes_read": 15,
        "bytes_written": 4,
    }
    session.refresh_from_db()
    assert session.last_activity_at is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bytes_read": -1, "bytes_written": 0}, "bytes_read"),
        ({"bytes_read": 0, "bytes_written": -5}, "bytes_written"),
        ({"bytes_read": 2**53, "bytes_written": 0}, "bytes_read"),
        ({"bytes_read": "many", "bytes_written": 0}, "bytes_read"),
        ({"bytes_read": None, "bytes_written": 0}, "bytes_read"),
        ({"bytes_read": 1}, "bytes_written"),
        ({"bytes_written": 1}, "bytes_read"),
    ],
)
def test_bad_usage_is_400_and_changes_nothing(service_client, session, body, field):
    before = snapshot(ShellSession)
    response = service_client.post(session_url(session, "usage/"), body)
    assert field in assert_error(response, 400, "validation_error")["fields"]
    assert snapshot(ShellSession) == before


def test_cht_33_the_owner_may_not_report_usage(owner_client, session):
    response = owner_client.post(
        session_url(session, "usage/"), {"bytes_read": 1, "bytes_written": 1}
    )
    assert_error(response, 403, "permission_denied")


# CHT-35


def test_cht_35_hibernating_the_project_closes_its_sessions(owner_client, project, session):
    assert owner_client.post(f"/api/v1/projects/{project.pk}/hibernate/").status_code == 202
    body = owner_client.get(session_url(session)).json()
    assert body["status"] == "closed" and body["closed_at"] is not None


def test_another_users_project_is_404_before_the_body_is_checked(client_for, project, other_user):
    """Regression (issue 10, R1): an invalid body to another user's project was a 400, so the
    project's existence showed; API.md §3 puts 404 before 400."""
    client = client_for(other_user)
    assert_error(client.post(sessions_url(project), {}, format="json"), 404, "not_found")
