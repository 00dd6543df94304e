"""The chat writes that must stay exact, under real concurrency against PostgreSQL: one thread
and one database connection per request, all released together by a barrier (§1.7)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat import services
from chat.errors import RunInProgress
from chat.models import (
    AgentRun,
    BookmarkKind,
    ChatBookmark,
    ChatStatus,
    Message,
    RunStatus,
    ShellSession,
    ShellSessionStatus,
)
from config.exceptions import StaleVersion
from projects.models import EnvironmentStatus
from projects.services import project_environment_transition
from tests.chat.factories import AgentRunFactory, ChatFactory, ShellSessionFactory
from tests.chat.utils import chat_url, messages_url, sessions_url
from tests.concurrency import clients_sharing_token, outcomes_in_threads, run_at_once
from tests.projects.factories import ContainerFactory, ProjectFactory

# Transactional tests flush the database; serialized rollback restores what the migrations
# created (the Service accounts group and its permissions) for the next test.
pytestmark = pytest.mark.django_db(transaction=True)


def test_cht_2_forty_concurrent_posts_count_forty(client_for, service_account):
    chat = ChatFactory()
    owner_clients = clients_sharing_token(client_for, chat.user, 20)
    runtime_clients = clients_sharing_token(client_for, service_account, 20)
    url = messages_url(chat)
    requests = [
        lambda client=client: client.post(url, {"role": "user", "content": "next step?"})
        for client in owner_clients
    ]
    requests += [
        lambda client=client: client.post(url, {"role": "assistant", "content": "working"})
        for client in runtime_clients
    ]
    responses = run_at_once(requests)
    assert [response.status_code for response in responses] == [201] * 40
    chat.refresh_from_db()
    latest = Message.objects.filter(chat=chat).order_by("-created_at").first()
    assert chat.message_count == Message.objects.filter(chat=chat).count() == 40
    assert chat.last_message_at == latest.created_at


def test_cht_3_posts_racing_an_archive_are_all_counted_or_refused(client_for):
    chat = ChatFactory()
    posters = clients_sharing_token(client_for, chat.user, 15)
    archiver = clients_sharing_token(client_for, chat.user, 1)[0]
    requests = [
        lambda client=client: client.post(
            messages_url(chat), {"role": "user", "content": "still there?"}
        )
        for client in posters
    ]
    requests.append(lambda: archiver.patch(chat_url(chat), {"status": ChatStatus.ARCHIVED}))
    responses = run_at_once(requests)
    statuses = sorted(response.status_code for response in responses[:-1])
    assert set(statuses) <= {201, 409} and responses[-1].status_code == 200
    chat.refresh_from_db()
    assert chat.status == ChatStatus.ARCHIVED
    assert chat.message_count == Message.objects.count() == statuses.count(201)


def test_cht_32_twenty_concurrent_opens_leave_ten_sessions(client_for):
    project = ProjectFactory()
    container = ContainerFactory(project=project)
    url = sessions_url(project)
    body = {"container_name": container.container_name}
    responses = run_at_once(
        [
            lambda client=client: client.post(url, body)
            for client in clients_sharing_token(client_for, project.owner, 20)
        ]
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 10 + [409] * 10
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {
        "session_limit_reached"
    }
    assert ShellSession.objects.filter(project=project).count() == 10


def test_cht_35_opens_racing_a_stop_leave_no_open_session(client_for):
    """Opens and the stop take turns on the project row: a session opened first is closed by
    the stop; one that comes after finds the project stopping (409)."""
    project = ProjectFactory()
    container = ContainerFactory(project=project)
    ShellSessionFactory(project=project, active=True, container_name=container.container_name)
    body = {"container_name": container.container_name}
    url = sessions_url(project)
    requests = [
        lambda client=client: client.post(url, body)
        for client in clients_sharing_token(client_for, project.owner, 8)
    ]

    def stop():
        project_environment_transition(
            project=project, to=EnvironmentStatus.STOPPING, actor=project.owner
        )
        return "stopped"

    results = run_at_once([*requests, stop])
    assert results[-1] == "stopped"
    assert {response.status_code for response in results[:-1]} <= {201, 409}
    assert not ShellSession.objects.filter(
        project=project, status__in=("initializing", "active", "idle")
    ).exists()


def test_cht_33_concurrent_usage_reports_add_up(service_account):
    session = ShellSessionFactory(active=True)
    results = run_at_once(
        [
            lambda: services.shell_session_record_usage(
                actor=service_account, session=session, bytes_read=3, bytes_written=5
            )
            for _ in range(25)
        ]
    )
    session.refresh_from_db()
    assert (session.bytes_read, session.bytes_written) == (75, 125)
    assert sorted(result["bytes_read"] for result in results) == list(range(3, 76, 3))


def test_cht_31_concurrent_closes_close_once(service_account):
    session = ShellSessionFactory(active=True)
    results = run_at_once(
        [
            lambda: services.shell_session_close(actor=service_account, session=session)
            for _ in range(10)
        ]
    )
    assert sorted(results) == [False] * 9 + [True]
    assert ShellSession.objects.get().status == ShellSessionStatus.CLOSED


# Agent runs and bookmarks (EXTENSIONS.md §1, §8)


def test_cht_40_twenty_concurrent_claims_make_exactly_one_run(service_account):
    chat = ChatFactory()
    outcomes = outcomes_in_threads(
        20,
        lambda index: services.run_claim(
            actor=service_account, chat=chat, request_id=f"claim-{index}", model="m"
        ),
    )
    claimed = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert len(claimed) == 1 and claimed[0][1] is False
    assert len(refused) == 19 and all(isinstance(error, RunInProgress) for error in refused)
    assert AgentRun.objects.filter(chat=chat).count() == 1


def test_cht_44_twenty_concurrent_replays_of_one_claim_make_one_run(service_account):
    chat = ChatFactory()
    results = run_at_once(
        [
            lambda: services.run_claim(
                actor=service_account, chat=chat, request_id="same", model="m"
            )
            for _ in range(20)
        ]
    )
    assert len({run.pk for run, _ in results}) == 1
    assert sorted(replayed for _, replayed in results) == [False] + [True] * 19


def test_cht_48_twenty_concurrent_bookmark_adds_leave_one_row():
    chat = ChatFactory()
    results = run_at_once(
        [
            lambda: services.bookmark_add(actor=chat.user, chat=chat, kind=BookmarkKind.PIN)
            for _ in range(20)
        ]
    )
    assert sorted(results) == [False] * 19 + [True]
    assert ChatBookmark.objects.filter(chat=chat).count() == 1


def test_cht_42_thirty_two_transitions_from_one_version_one_wins(service_account):
    run = AgentRunFactory(running=True, version=7)
    targets = [
        RunStatus.PAUSED,
        RunStatus.WAITING_FOR_INPUT,
        RunStatus.COMPLETED,
        RunStatus.RUNNING,
    ]
    outcomes = outcomes_in_threads(
        32,
        lambda index: services.run_transition(
            actor=service_account, run=run, status=targets[index % 4], version=7
        ),
    )
    assert sum(outcome is True for outcome in outcomes) == 1
    assert all(isinstance(o, StaleVersion) for o in outcomes if o is not True)
    run.refresh_from_db()
    assert run.version == 8
    assert run.events.filter(pgh_label="update").count() == 1


def test_cht_45_overlapping_sweeps_fail_each_run_once():
    runs = AgentRunFactory.create_batch(5, running=True)
    AgentRun.objects.update(updated_at=timezone.now() - timedelta(days=1))
    results = run_at_once(
        [lambda: services.runs_fail_stale(idle_for=timedelta(minutes=60)) for _ in range(4)]
    )
    assert sum(results) == 5
    assert set(AgentRun.objects.values_list("status", "version")) == {(RunStatus.FAILED, 1)}
    assert all(run.events.filter(pgh_label="update").count() == 1 for run in runs)
