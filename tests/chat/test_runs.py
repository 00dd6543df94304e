"""Agent runs, summaries, attachments and bookmarks in the services and the database
(EXTENSIONS.md §1, §3, §7, §8; CHT-40…48)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from chat import services
from chat.errors import RunInProgress
from chat.models import (
    ACTIVE_RUN_STATUSES,
    FINAL_RUN_STATUSES,
    AgentRun,
    ChatBookmark,
    ChatStatus,
    ChatSummary,
    MessageAttachment,
    RunStatus,
    RunType,
)
from config.exceptions import (
    DomainError,
    InvalidStateTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
)
from tests.chat.factories import (
    AgentRunFactory,
    ChatFactory,
    ChatSummaryFactory,
    MessageFactory,
)
from tests.factories import UserFactory
from tests.projects.factories import ProjectAssetFactory

pytestmark = pytest.mark.django_db


def claim(actor, chat, request_id="claim-1", **extra):
    return services.run_claim(actor=actor, chat=chat, request_id=request_id, model="m", **extra)


def test_cht_40_status_tuples_cover_the_enum_once():
    assert set(ACTIVE_RUN_STATUSES) | set(FINAL_RUN_STATUSES) == set(RunStatus)
    assert not set(ACTIVE_RUN_STATUSES) & set(FINAL_RUN_STATUSES)


def test_cht_40_the_one_active_index_is_built_from_the_services_tuple():
    constraint = next(c for c in AgentRun._meta.constraints if c.name == "chat_run_one_active")
    assert dict(constraint.condition.children) == {"status__in": ACTIVE_RUN_STATUSES}
    assert set(services.RUN_TRANSITIONS) == set(ACTIVE_RUN_STATUSES)


def test_cht_40_a_second_active_run_of_a_type_is_run_in_progress(service_account, chat):
    claim(service_account, chat)
    with pytest.raises(RunInProgress):
        claim(service_account, chat, "claim-2")
    run, replayed = claim(service_account, chat, "claim-3", run_type=RunType.CHAT_RUN)
    assert not replayed and run.status == RunStatus.PENDING


def test_cht_40_the_refused_claim_keeps_the_callers_transaction(service_account, chat):
    with transaction.atomic():
        claim(service_account, chat)
        with pytest.raises(RunInProgress):
            claim(service_account, chat, "claim-2")
        MessageFactory(chat=chat)  # the transaction is still usable
    assert AgentRun.objects.count() == 1


def test_cht_40_the_database_refuses_a_second_active_run(chat):
    AgentRunFactory(chat=chat, running=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgentRunFactory(chat=chat)
    AgentRunFactory(chat=chat, completed=True)


def test_cht_40_a_finished_run_frees_the_chat(service_account, chat):
    AgentRunFactory(chat=chat, completed=True)
    AgentRunFactory(chat=chat, failed=True)
    run, _ = claim(service_account, chat)
    assert run.status == RunStatus.PENDING


def test_cht_40_claims_are_the_runtimes(owner, chat):
    with pytest.raises(NotAllowed):
        claim(owner, chat)


def test_cht_40_an_archived_chat_takes_no_run(service_account):
    chat = ChatFactory(archived=True)
    with pytest.raises(DomainError) as refused:
        claim(service_account, chat)
    assert refused.value.code == "chat_archived"


def test_cht_44_a_replayed_claim_returns_the_first_run(service_account, chat):
    first, replayed = claim(service_account, chat)
    again, replayed_again = claim(service_account, chat)
    assert (replayed, replayed_again) == (False, True)
    assert again.pk == first.pk and AgentRun.objects.count() == 1


def test_cht_44_messages_and_parent_must_be_this_chats(service_account, chat):
    elsewhere = MessageFactory()
    with pytest.raises(DomainError) as refused:
        claim(service_account, chat, trigger_message_id=elsewhere.pk)
    assert "trigger_message" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        claim(service_account, chat, parent_run_id=AgentRunFactory().pk)
    assert "parent_run" in refused.value.fields
    trigger = MessageFactory(chat=chat)
    run, _ = claim(service_account, chat, trigger_message_id=trigger.pk)
    assert run.trigger_message_id == trigger.pk


# CHT-41: every (from, to) pair, allowed exactly when the table says so.
CHT_41_ALLOWED = {
    (RunStatus.PENDING, RunStatus.RUNNING),
    (RunStatus.PENDING, RunStatus.ABORTING),
    (RunStatus.PENDING, RunStatus.CANCELLED),
    (RunStatus.PENDING, RunStatus.FAILED),
    (RunStatus.RUNNING, RunStatus.RUNNING),
    (RunStatus.RUNNING, RunStatus.WAITING_FOR_INPUT),
    (RunStatus.RUNNING, RunStatus.PAUSED),
    (RunStatus.RUNNING, RunStatus.ABORTING),
    (RunStatus.RUNNING, RunStatus.COMPLETED),
    (RunStatus.RUNNING, RunStatus.FAILED),
    (RunStatus.WAITING_FOR_INPUT, RunStatus.RUNNING),
    (RunStatus.WAITING_FOR_INPUT, RunStatus.ABORTING),
    (RunStatus.WAITING_FOR_INPUT, RunStatus.CANCELLED),
    (RunStatus.WAITING_FOR_INPUT, RunStatus.FAILED),
    (RunStatus.PAUSED, RunStatus.RUNNING),
    (RunStatus.PAUSED, RunStatus.ABORTING),
    (RunStatus.PAUSED, RunStatus.CANCELLED),
    (RunStatus.PAUSED, RunStatus.FAILED),
    (RunStatus.ABORTING, RunStatus.CANCELLED),
    (RunStatus.ABORTING, RunStatus.FAILED),
}


def run_in(status):
    times = {}
    if status != RunStatus.PENDING:
        times["started_at"] = timezone.now() - timedelta(minutes=1)
    if status in FINAL_RUN_STATUSES:
        times["finished_at"] = timezone.now()
    error = {"error_code": "boom"} if status == RunStatus.FAILED else {}
    return AgentRunFactory(status=status, **times, **error)


@pytest.mark.parametrize("source", list(RunStatus))
@pytest.mark.parametrize("target", list(RunStatus))
def test_cht_41_run_transitions_follow_the_table(service_account, source, target):
    run = run_in(source)
    move = {"actor": service_account, "run": run, "status": target, "version": 0}
    if target == RunStatus.FAILED:
        move["error_code"] = "boom"
    if (source, target) in CHT_41_ALLOWED:
        assert services.run_transition(**move) is True
        run.refresh_from_db()
        assert (run.status, run.version) == (target, 1)
        assert (run.finished_at is not None) == (target in FINAL_RUN_STATUSES)
        return
    with pytest.raises(InvalidStateTransition):
        services.run_transition(**move)
    assert AgentRun.objects.get(pk=run.pk).status == source


def test_cht_41_running_stamps_the_start_once(service_account):
    run = AgentRunFactory()
    services.run_transition(actor=service_account, run=run, status=RunStatus.RUNNING)
    run.refresh_from_db()
    started = run.started_at
    services.run_transition(
        actor=service_account, run=run, status=RunStatus.RUNNING, metrics={"tool_calls": 2}
    )
    run.refresh_from_db()
    assert run.started_at == started and run.metrics == {"tool_calls": 2} and run.version == 2


def test_cht_41_a_failure_names_its_error(service_account):
    run = AgentRunFactory(running=True)
    with pytest.raises(DomainError) as refused:
        services.run_transition(actor=service_account, run=run, status=RunStatus.FAILED)
    assert "error_code" in refused.value.fields


def test_cht_41_reporting_the_final_status_again_changes_nothing(service_account):
    run = AgentRunFactory(completed=True)
    assert services.run_transition(actor=service_account, run=run, status="completed") is False
    with pytest.raises(InvalidStateTransition):
        services.run_transition(actor=service_account, run=run, status=RunStatus.CANCELLED)


def test_cht_41_the_result_message_must_be_this_chats(service_account):
    run = AgentRunFactory(running=True)
    with pytest.raises(DomainError) as refused:
        services.run_transition(
            actor=service_account,
            run=run,
            status=RunStatus.COMPLETED,
            result_message_id=MessageFactory().pk,
        )
    assert "result_message" in refused.value.fields


def test_cht_42_a_stale_version_is_refused_and_changes_nothing(service_account):
    run = AgentRunFactory(running=True, version=3)
    with pytest.raises(StaleVersion):
        services.run_transition(actor=service_account, run=run, status=RunStatus.PAUSED, version=2)
    assert AgentRun.objects.get(pk=run.pk).status == RunStatus.RUNNING


def test_cht_41_every_transition_is_in_the_audit_history(service_account):
    run = AgentRunFactory()
    for status in (RunStatus.RUNNING, RunStatus.PAUSED, RunStatus.RUNNING, RunStatus.COMPLETED):
        services.run_transition(actor=service_account, run=run, status=status)
    statuses = list(run.events.order_by("pgh_id").values_list("pgh_label", "status"))
    assert statuses == [
        ("insert", "pending"),
        ("update", "running"),
        ("update", "paused"),
        ("update", "running"),
        ("update", "completed"),
    ]


def test_cht_43_cancel_asks_an_active_run_to_stop_once(owner, chat):
    run = AgentRunFactory(chat=chat, running=True)
    assert services.run_cancel(actor=owner, run=run) is True
    assert services.run_cancel(actor=owner, run=run) is False
    run.refresh_from_db()
    assert (run.status, run.version) == (RunStatus.ABORTING, 1)
    finished = AgentRunFactory(chat=chat, completed=True)
    assert services.run_cancel(actor=owner, run=finished) is False


def test_cht_43_another_user_may_not_cancel(chat):
    with pytest.raises(NotAllowed):
        services.run_cancel(actor=UserFactory(), run=AgentRunFactory(chat=chat))


def test_cht_45_the_sweep_fails_stale_runs_only_and_is_idempotent(settings):
    settings.RUN_STALE_MINUTES = 30
    stale = AgentRunFactory(running=True)
    waiting = AgentRunFactory(status=RunStatus.WAITING_FOR_INPUT, started_at=timezone.now())
    fresh = AgentRunFactory(running=True)
    done = AgentRunFactory(completed=True)
    long_ago = timezone.now() - timedelta(minutes=31)
    AgentRun.objects.filter(pk__in=[stale.pk, waiting.pk, done.pk]).update(updated_at=long_ago)
    call_command("fail_stale_runs", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("fail_stale_runs", stdout=open("/dev/null", "w"))  # noqa: SIM115
    statuses = dict(AgentRun.objects.values_list("pk", "status"))
    assert statuses == {
        stale.pk: RunStatus.FAILED,
        waiting.pk: RunStatus.FAILED,
        fresh.pk: RunStatus.RUNNING,
        done.pk: RunStatus.COMPLETED,
    }
    stale.refresh_from_db()
    assert (stale.error_code, stale.version) == (services.STALE_RUN_ERROR, 1)
    assert list(stale.events.values_list("pgh_label", "status").order_by("pgh_id"))[-1] == (
        "update",
        "failed",
    )


def test_cht_45_mark_failed_needs_a_reason_and_the_permission(owner):
    admin_user = UserFactory(superuser=True)
    run = AgentRunFactory(running=True)
    with pytest.raises(NotAllowed):
        services.run_mark_failed(actor=owner, run=run, reason="lost")
    with pytest.raises(DomainError):
        services.run_mark_failed(actor=admin_user, run=run, reason=" ")
    assert services.run_mark_failed(actor=admin_user, run=run, reason="runtime lost it") is True
    assert services.run_mark_failed(actor=admin_user, run=run, reason="again") is False
    run.refresh_from_db()
    assert (run.status, run.error_message) == (RunStatus.FAILED, "runtime lost it")


def test_cht_40_the_database_holds_the_run_rules(chat):
    broken = [
        {"status": RunStatus.COMPLETED},  # final without finished_at
        {"status": RunStatus.RUNNING, "finished_at": timezone.now()},
        {"status": RunStatus.FAILED, "finished_at": timezone.now()},  # no error
        {
            "status": RunStatus.COMPLETED,
            "started_at": timezone.now(),
            "finished_at": timezone.now() - timedelta(hours=1),
        },
        {"status": "lost"},
        {"run_type": "cron"},
        {"input": []},
        {"request_id": " "},
    ]
    for fields in broken:
        with pytest.raises(IntegrityError), transaction.atomic():
            AgentRunFactory(chat=chat, **fields)


# Summaries


def summarize(actor, chat, **extra):
    fields = {
        "end_message_id": MessageFactory(chat=chat).pk,
        "summary_text": "They agreed on a sticky header.",
        "original_tokens": 1000,
        "summary_tokens": 100,
        "model": "m",
        **extra,
    }
    return services.summary_record(actor=actor, chat=chat, **fields)


def test_cht_46_a_summary_chains_within_its_chat(service_account, chat):
    first = summarize(service_account, chat)
    second = summarize(service_account, chat, parent_summary_id=first.pk)
    assert second.parent_summary_id == first.pk
    assert second.compression_ratio == 0.1


def test_cht_46_rows_of_another_chat_are_refused(service_account, chat):
    other = ChatFactory(project=chat.project)
    for field, value in (
        ("end_message_id", MessageFactory(chat=other).pk),
        ("parent_summary_id", ChatSummaryFactory(chat=other).pk),
        ("run_id", AgentRunFactory(chat=other).pk),
    ):
        with pytest.raises(DomainError) as refused:
            summarize(service_account, chat, **{field: value})
        assert field.removesuffix("_id") in refused.value.fields
    assert not ChatSummary.objects.filter(chat=chat).exists()


def test_cht_46_summaries_are_the_runtimes(owner, chat):
    with pytest.raises(NotAllowed):
        summarize(owner, chat)


def test_cht_46_the_database_holds_the_summary_rules(chat):
    message = MessageFactory(chat=chat)
    ChatSummaryFactory(chat=chat, end_message=message)
    broken = [
        {"end_message": message},  # one per end message
        {"original_tokens": 0, "summary_tokens": 0},
        {"original_tokens": 10, "summary_tokens": 11},
        {"summary_text": "   "},
        {"summary_text": "x" * (256 * 1024 + 1)},
    ]
    for fields in broken:
        with pytest.raises(IntegrityError), transaction.atomic():
            ChatSummaryFactory(chat=chat, **fields)


# Attachments


def test_cht_47_a_message_carries_its_projects_assets(owner, chat):
    assets = ProjectAssetFactory.create_batch(2, project=chat.project)
    message = services.message_record(
        actor=owner, chat=chat, role="user", content="see", attachment_ids=[a.pk for a in assets]
    )
    attached = set(message.attachments.values_list("asset_id", flat=True))
    assert attached == {asset.pk for asset in assets}


def test_cht_47_another_projects_asset_or_eleven_are_refused(owner, chat):
    foreign = ProjectAssetFactory()
    with pytest.raises(DomainError) as refused:
        services.message_record(
            actor=owner, chat=chat, role="user", content="x", attachment_ids=[foreign.pk]
        )
    assert "attachment_ids" in refused.value.fields
    eleven = [a.pk for a in ProjectAssetFactory.create_batch(11, project=chat.project)]
    with pytest.raises(DomainError):
        services.message_record(
            actor=owner, chat=chat, role="user", content="x", attachment_ids=eleven
        )
    assert not MessageAttachment.objects.exists()
    chat.refresh_from_db()
    assert chat.message_count == 0


# Bookmarks


def test_cht_48_bookmarks_are_idempotent(owner, chat):
    assert services.bookmark_add(actor=owner, chat=chat, kind="pin") is True
    assert services.bookmark_add(actor=owner, chat=chat, kind="pin") is False
    assert services.bookmark_add(actor=owner, chat=chat, kind="wishlist") is True
    assert ChatBookmark.objects.count() == 2
    assert services.bookmark_remove(actor=owner, chat=chat, kind="pin") is True
    assert services.bookmark_remove(actor=owner, chat=chat, kind="pin") is False


def test_cht_48_a_chat_one_cannot_see_is_not_found(chat):
    with pytest.raises(NotFound):
        services.bookmark_add(actor=UserFactory(), chat=chat, kind="pin")


def test_cht_48_an_archived_chat_can_be_bookmarked(owner):
    chat = ChatFactory(project__owner=owner, status=ChatStatus.ARCHIVED)
    assert services.bookmark_add(actor=owner, chat=chat, kind="wishlist") is True
