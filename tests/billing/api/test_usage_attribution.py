"""Usage attributed to chats and runs (EXTENSIONS.md §2; BIL-70, BIL-71)."""

import pytest

from billing.models import UsageLog
from tests.billing.api.test_usage import SUMMARY, USAGE, charge_body, post_charge
from tests.billing.conftest import fund
from tests.billing.factories import usage
from tests.chat.factories import AgentRunFactory, ChatFactory
from tests.helpers import assert_error, ids
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(user):
    return ChatFactory(project=ProjectFactory(owner=user))


def test_bil_70_a_charge_names_its_chat_and_run(service_client, user, chat):
    fund(user, purchased=1000)
    run = AgentRunFactory(chat=chat, running=True)
    body = charge_body(user, chat=str(chat.pk), run=str(run.pk))
    assert post_charge(service_client, body).status_code == 201
    log = UsageLog.objects.get()
    assert (log.chat_id, log.run_id, log.project_id) == (chat.pk, run.pk, chat.project_id)


def test_bil_70_a_run_alone_attributes_its_chat(service_client, user, chat):
    fund(user, purchased=1000)
    run = AgentRunFactory(chat=chat)
    assert post_charge(service_client, charge_body(user, run=str(run.pk))).status_code == 201
    assert UsageLog.objects.get().chat_id == chat.pk


@pytest.mark.parametrize("field", ["chat", "run"])
def test_bil_70_another_users_chat_or_run_is_400(service_client, user, field):
    other_chat = ChatFactory()
    row = other_chat if field == "chat" else AgentRunFactory(chat=other_chat)
    response = post_charge(service_client, charge_body(user, **{field: str(row.pk)}))
    assert field in assert_error(response, 400, "validation_error")["fields"]
    assert not UsageLog.objects.exists()


def test_bil_70_a_chat_of_another_project_is_400(service_client, user, chat):
    other_project = ProjectFactory(owner=user)
    body = charge_body(user, chat=str(chat.pk), project=str(other_project.pk))
    assert (
        "chat" in assert_error(post_charge(service_client, body), 400, "validation_error")["fields"]
    )


def test_bil_70_a_run_of_another_chat_is_400(service_client, user, chat):
    run = AgentRunFactory(chat=ChatFactory(project=chat.project))
    body = charge_body(user, chat=str(chat.pk), run=str(run.pk))
    assert (
        "run" in assert_error(post_charge(service_client, body), 400, "validation_error")["fields"]
    )


def test_bil_70_a_replay_with_another_chat_is_refused(service_client, user, chat):
    fund(user, purchased=1000)
    post_charge(service_client, charge_body(user, chat=str(chat.pk)), key="same")
    other = ChatFactory(project=chat.project)
    replay = post_charge(service_client, charge_body(user, chat=str(other.pk)), key="same")
    assert_error(replay, 409, "idempotency_key_reused")


def test_bil_70_a_deleted_chat_leaves_its_usage(user, chat):
    log = usage(user, "k1", chat_id=chat.pk, project_id=chat.project_id)
    chat.delete()
    log.refresh_from_db()
    assert log.chat_id is None


def test_bil_71_usage_filters_by_chat_and_run(owner_client, user, chat):
    run = AgentRunFactory(chat=chat)
    in_run = usage(user, "k1", chat_id=chat.pk, run_id=run.pk)
    in_chat = usage(user, "k2", chat_id=chat.pk)
    usage(user, "k3")
    assert ids(owner_client.get(USAGE, {"chat": str(chat.pk)})) == [str(in_chat.pk), str(in_run.pk)]
    assert ids(owner_client.get(USAGE, {"run": str(run.pk)})) == [str(in_run.pk)]
    assert_error(owner_client.get(USAGE, {"chat": "nope"}), 400, "validation_error")


def test_bil_71_the_summary_groups_by_chat(owner_client, user, chat):
    usage(user, "k1", chat_id=chat.pk)
    usage(user, "k2", chat_id=chat.pk)
    usage(user, "k3")
    rows = owner_client.get(SUMMARY, {"group_by": "chat"}).json()["rows"]
    assert {(row["key"], row["calls"]) for row in rows} == {(str(chat.pk), 2), (None, 1)}
