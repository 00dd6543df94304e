"""Chat in admin: every page and action, insert-only tables, searches and changelist costs."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat import services
from chat.models import (
    AgentCommandLog,
    AgentRun,
    Chat,
    ChatBookmark,
    ChatStatus,
    ChatSummary,
    Message,
    RunStatus,
    ShellSession,
)
from config.roles import SUPPORT_GROUP
from tests.billing.factories import usage
from tests.chat.factories import (
    AgentCommandLogFactory,
    AgentRunFactory,
    ChatBookmarkFactory,
    ChatFactory,
    ChatSummaryFactory,
    MessageFactory,
    ShellSessionFactory,
)
from tests.factories import UserFactory
from tests.helpers import admin_url, change_form_data, messages, run_action
from tests.projects.factories import ProjectAssetFactory

pytestmark = pytest.mark.django_db

CHAT_MODELS = (Chat, Message, AgentCommandLog, ShellSession, AgentRun, ChatSummary, ChatBookmark)
INSERT_ONLY = (Message, AgentCommandLog, ChatSummary, ChatBookmark)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def rows(chat, session):
    """One row of every chat model."""
    return {
        Chat: chat,
        Message: MessageFactory(chat=chat),
        AgentCommandLog: AgentCommandLogFactory(project=chat.project),
        ShellSession: session,
        AgentRun: AgentRunFactory(chat=chat, running=True),
        ChatSummary: ChatSummaryFactory(chat=chat),
        ChatBookmark: ChatBookmarkFactory(chat=chat),
    }


# Smoke: every page of every chat ModelAdmin


def test_every_chat_model_is_registered():
    registered = {model for model in admin.site._registry if model._meta.app_label == "chat"}
    assert registered == set(CHAT_MODELS)


@pytest.mark.parametrize("model", CHAT_MODELS)
def test_changelist_search_filters_and_change_pages_load(admin_client, rows, model):
    row = rows[model]
    assert admin_client.get(admin_url(model)).status_code == 200
    for term in ("anything", str(row.pk), rows[Chat].project.slug):
        assert admin_client.get(admin_url(model), {"q": term}).status_code == 200
    page = admin_client.get(admin_url(model, f"{row.pk}/change/"))
    assert page.status_code == 200


@pytest.mark.parametrize(
    "model", [Message, AgentCommandLog, ShellSession, AgentRun, ChatSummary, ChatBookmark]
)
def test_add_pages_are_closed(admin_client, model):
    # Messages and logs are written by services only; sessions are opened by their owner or
    # the runtime (CHT-30 to CHT-34).
    assert admin_client.get(admin_url(model, "add/")).status_code == 403


@pytest.mark.parametrize("model", INSERT_ONLY)
def test_cht_10_cht_20_insert_only_rows_are_read_only_with_no_delete(admin_client, rows, model):
    row = rows[model]
    page = admin_client.get(admin_url(model, f"{row.pk}/change/"))
    assert not page.context["has_change_permission"]
    assert not page.context["has_delete_permission"]
    assert admin_client.get(admin_url(model, f"{row.pk}/delete/")).status_code == 403
    assert admin_client.get(admin_url(model)).context["action_form"] is None


@pytest.mark.parametrize("model", [*INSERT_ONLY, AgentRun])
def test_insert_only_changelists_never_count_the_whole_table(admin_client, rows, model):
    estimate = mock.patch("config.admin.estimated_row_count", return_value=5_000_000)
    with estimate, CaptureQueriesContext(connection) as queries:
        response = admin_client.get(admin_url(model))
    assert response.status_code == 200
    table = model._meta.db_table
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"] and table in q["sql"]]
    assert counts == []
    assert response.context["cl"].result_count == 5_000_000


@pytest.mark.parametrize("model", CHAT_MODELS)
def test_changelist_queries_do_not_grow_with_rows(
    admin_client, django_assert_num_queries, chat, model
):
    def build(count):
        for _ in range(count):
            MessageFactory(chat=ChatFactory())
            AgentCommandLogFactory()
            ShellSessionFactory()
            AgentRunFactory(completed=True)
            ChatSummaryFactory()
            ChatBookmarkFactory()

    build(2)
    with CaptureQueriesContext(connection) as baseline:
        admin_client.get(admin_url(model))
    build(10)
    with django_assert_num_queries(len(baseline)):
        admin_client.get(admin_url(model))


@pytest.mark.parametrize(
    ("model", "left_out"),
    [
        (Message, ('"chat_message"."message_metadata"',)),
        (AgentCommandLog, ('"chat_agentcommandlog"."stdout"', '"chat_agentcommandlog"."stderr"')),
    ],
)
def test_changelists_read_a_preview_not_the_big_text_columns(admin_client, rows, model, left_out):
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(admin_url(model))
    table = f'FROM "{model._meta.db_table}"'
    (page,) = [q["sql"] for q in queries if table in q["sql"] and "ORDER BY" in q["sql"]]
    assert "LEFT(" in page
    assert not any(column in page for column in left_out)


# Chats


def test_chat_changelist_columns_and_messages_link(admin_client, chat):
    response = admin_client.get(admin_url(Chat))
    assert response.context["cl"].list_display[1:] == [
        "display_title",
        "project",
        "user",
        "status",
        "message_count",
        "last_message_at",
        "messages_link",
    ]
    assert f"/admin/chat/message/?chat__exact={chat.pk}" in response.content.decode()


def test_the_messages_link_opens_the_chats_messages(admin_client, chat):
    mine = MessageFactory(chat=chat)
    MessageFactory()
    response = admin_client.get(admin_url(Message), {"chat__exact": str(chat.pk)})
    assert list(response.context["cl"].result_list) == [mine]


def test_chat_search_is_exact_id_project_slug_or_owner_email(admin_client, chat):
    other = ChatFactory()
    for term in (str(chat.pk), chat.project.slug.upper(), chat.user.email.upper()):
        response = admin_client.get(admin_url(Chat), {"q": term})
        assert list(response.context["cl"].result_list) == [chat], term
    assert (
        other not in admin_client.get(admin_url(Chat), {"q": chat.title}).context["cl"].result_list
    )


def test_the_inline_shows_the_latest_20_messages_newest_first(admin_client, chat):
    created = MessageFactory.create_batch(25, chat=chat)
    page = admin_client.get(admin_url(Chat, f"{chat.pk}/change/"))
    (inline,) = [i for i in page.context["inline_admin_formsets"] if i.opts.model is Message]
    shown = [form.form.instance.pk for form in inline]
    assert shown == [message.pk for message in reversed(created)][:20]
    assert not inline.has_change_permission and not inline.has_add_permission


def test_chat_add_goes_through_the_service_and_belongs_to_the_owner(admin_client, project, owner):
    page = admin_client.get(admin_url(Chat, "add/"))
    assert set(page.context["adminform"].form.fields) == {"project", "title"}
    response = admin_client.post(
        admin_url(Chat, "add/"), {"project": str(project.pk), "title": "Hi"}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    chat = Chat.objects.get()
    assert (chat.user, chat.project, chat.title) == (owner, project, "Hi")


def test_chat_change_renames_and_archives_through_the_service(admin_client, chat):
    url = admin_url(Chat, f"{chat.pk}/change/")
    data = change_form_data(admin_client.get(url))
    data.update(title="Renamed", status=ChatStatus.ARCHIVED, message_count=40)
    assert admin_client.post(url, data).status_code == 302
    chat.refresh_from_db()
    assert (chat.title, chat.status, chat.message_count) == ("Renamed", "archived", 0)


def test_cht_3_renaming_an_archived_chat_is_a_form_error(admin_client, project):
    chat = ChatFactory(project=project, archived=True)
    url = admin_url(Chat, f"{chat.pk}/change/")
    data = change_form_data(admin_client.get(url))
    data["title"] = "Renamed"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    data["status"] = ChatStatus.ACTIVE
    assert admin_client.post(url, data).status_code == 302
    chat.refresh_from_db()
    assert (chat.title, chat.status) == ("Renamed", "active")


def test_archive_and_reopen_actions(admin_client, project):
    active, archived = ChatFactory(project=project), ChatFactory(project=project, archived=True)
    response = run_action(admin_client, Chat, "archive", [active, archived])
    assert messages(response) == ["Archived 1 chat; skipped 1: already archived."]
    assert set(Chat.objects.values_list("status", flat=True)) == {"archived"}
    response = run_action(admin_client, Chat, "reopen", [active, archived])
    assert messages(response) == ["Reopened 2 chats."]
    assert set(Chat.objects.values_list("status", flat=True)) == {"active"}


@pytest.fixture
def deleting_client(client):
    """Staff who may delete chats, and nothing about messages."""
    staff = UserFactory(staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="chat", codename__in=["view_chat", "delete_chat"]
        )
    )
    client.force_login(staff)
    return client


def test_staff_with_the_permission_delete_a_chat_with_its_messages(deleting_client, chat):
    MessageFactory.create_batch(2, chat=chat)
    url = admin_url(Chat, f"{chat.pk}/delete/")
    assert deleting_client.get(url).context["perms_lacking"] == set()
    assert deleting_client.post(url, {"post": "yes"}).status_code == 302
    assert not Chat.objects.exists() and not Message.objects.exists()


def test_staff_without_the_permission_see_no_chat_actions(client, chat):
    viewer = UserFactory(staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename="view_chat"))
    client.force_login(viewer)
    assert client.get(admin_url(Chat)).context["action_form"] is None


# Messages and command logs


def test_message_search_is_by_exact_chat_id_only(admin_client, chat):
    mine = MessageFactory(chat=chat)
    MessageFactory()
    assert list(
        admin_client.get(admin_url(Message), {"q": str(chat.pk)}).context["cl"].result_list
    ) == [mine]
    assert not admin_client.get(admin_url(Message), {"q": mine.content}).context["cl"].result_list


def test_message_changelist_shows_the_first_80_characters(admin_client, chat):
    MessageFactory(chat=chat, content="word " * 100)
    body = admin_client.get(admin_url(Message)).content.decode()
    assert ("word " * 16).strip()[:79] + "…" in body


def test_command_log_search_is_exact_project_slug_or_owner_email(admin_client, project):
    mine = AgentCommandLogFactory(project=project)
    AgentCommandLogFactory()
    for term in (project.slug, project.owner.email.upper()):
        result = admin_client.get(admin_url(AgentCommandLog), {"q": term}).context["cl"].result_list
        assert list(result) == [mine]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"success__exact": "0"}, 1),
        ({"risk_level__exact": "high"}, 1),
        ({"dry_run__exact": "1"}, 0),
    ],
)
def test_command_log_filters(admin_client, project, query, count):
    AgentCommandLogFactory(project=project)
    AgentCommandLogFactory(project=project, failed=True, risk_level="high")
    result = admin_client.get(admin_url(AgentCommandLog), query).context["cl"].result_list
    assert len(result) == count


# Shell sessions


def test_shell_session_counters_and_status_are_read_only(admin_client, session):
    url = admin_url(ShellSession, f"{session.pk}/change/")
    page = admin_client.get(url)
    assert set(page.context["adminform"].form.fields) == {
        "command",
        "working_dir",
        "terminal_rows",
        "terminal_cols",
    }
    data = change_form_data(page)
    data.update(terminal_rows=1001, bytes_read=5, status="closed")
    assert admin_client.post(url, data).status_code == 200  # 1001 rows: a form error
    data["terminal_rows"] = 50
    assert admin_client.post(url, data).status_code == 302
    session.refresh_from_db()
    assert (session.terminal_rows, session.bytes_read, session.status) == (50, 0, "initializing")


def test_close_sessions_action(admin_client, project, session):
    closed = ShellSessionFactory(project=project, closed=True)
    failed = ShellSessionFactory(project=project, failed=True)
    response = run_action(admin_client, ShellSession, "close_sessions", [session, closed, failed])
    assert messages(response) == ["Closed 1 session; skipped 2: already closed or failed."]
    statuses = dict(ShellSession.objects.values_list("pk", "status"))
    assert statuses == {session.pk: "closed", closed.pk: "closed", failed.pk: "failed"}


def test_shell_session_search_is_exact_session_id_or_project_slug(admin_client, project, session):
    ShellSessionFactory()
    for term in (session.session_id, project.slug):
        result = admin_client.get(admin_url(ShellSession), {"q": term}).context["cl"].result_list
        assert list(result) == [session]


def test_staff_delete_a_project_whose_messages_are_read_only_in_admin(client, db):
    """Regression: the delete page refused (403) because messages and command logs have no
    delete in admin; deleting the project must take them with it."""
    from django.contrib.auth.models import Permission

    from chat.models import Message
    from tests.chat.factories import MessageFactory
    from tests.factories import UserFactory

    message = MessageFactory()
    project = message.chat.project
    staff = UserFactory(staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_project", "delete_project"], content_type__app_label="projects"
        )
    )
    client.force_login(staff)
    response = client.post(f"/admin/projects/project/{project.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Message.objects.filter(pk=message.pk).exists()


# Agent runs, summaries, attachments (EXTENSIONS.md §1, §3, §7)


def test_cht_45_the_stuck_filter_lists_active_runs_with_no_progress(admin_client, settings):
    settings.RUN_STALE_MINUTES = 30
    stuck = AgentRunFactory(running=True)
    AgentRunFactory(running=True)
    AgentRunFactory(completed=True)
    AgentRun.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    response = admin_client.get(admin_url(AgentRun), {"stuck": "yes"})
    assert [run.pk for run in response.context["cl"].result_list] == [stuck.pk]


def test_cht_43_cancel_goes_through_the_service_and_reports(admin_client):
    running = AgentRunFactory(running=True)
    done = AgentRunFactory(completed=True)
    response = run_action(admin_client, AgentRun, "cancel_runs", [running, done])
    assert messages(response) == ["Asked to stop 1 run; skipped 1: already stopping or finished."]
    running.refresh_from_db()
    assert (running.status, running.version) == (RunStatus.ABORTING, 1)


def test_cht_45_mark_failed_asks_for_a_reason_first(admin_client):
    run = AgentRunFactory(running=True)
    page = run_action(admin_client, AgentRun, "mark_failed", [run])
    assert page.templates[0].name == "admin/action_form.html"
    assert AgentRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
    blank = run_action(admin_client, AgentRun, "mark_failed", [run], reason="  ")
    assert blank.context["form"].errors
    done = run_action(admin_client, AgentRun, "mark_failed", [run], reason="runtime lost it")
    assert messages(done) == ["Failed 1 run."]
    run.refresh_from_db()
    assert (run.status, run.error_message) == (RunStatus.FAILED, "runtime lost it")


def test_cht_45_support_may_stop_runs_but_not_read_summaries(client, chat):
    member = UserFactory(staff=True)
    member.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    client.force_login(member)
    run = AgentRunFactory(chat=chat, running=True)
    response = run_action(client, AgentRun, "cancel_runs", [run])
    assert messages(response) == ["Asked to stop 1 run."]
    assert client.get(admin_url(ChatSummary)).status_code == 403


def test_a_run_change_page_links_to_its_transition_history(admin_client):
    run = AgentRunFactory(running=True)
    page = admin_client.get(admin_url(AgentRun, f"{run.pk}/change/"))
    assert page.status_code == 200
    assert admin_client.get(admin_url(AgentRun, f"{run.pk}/history/")).status_code == 200


def test_bil_70_the_chat_page_shows_its_cost_and_latest_summary(
    admin_client, chat, model_catalogue
):
    usage(chat.user, "k1", chat_id=chat.pk, project_id=chat.project_id)
    usage(chat.user, "k2", chat_id=chat.pk, project_id=chat.project_id)
    usage(chat.user, "k3")
    ChatSummaryFactory(chat=chat, summary_text="Older summary.")
    ChatSummaryFactory(chat=chat, summary_text="Newest summary.")
    page = admin_client.get(admin_url(Chat, f"{chat.pk}/change/")).content.decode()
    assert "$0.20 in 2 calls" in page
    assert f"/admin/billing/usagelog/?chat__id__exact={chat.pk}" in page
    assert "Newest summary." in page and "Older summary." not in page
    logs = admin_client.get("/admin/billing/usagelog/", {"chat__id__exact": str(chat.pk)})
    assert len(logs.context["cl"].result_list) == 2


def test_cht_47_a_message_page_lists_its_attachments(admin_client, owner, chat):
    asset = ProjectAssetFactory(project=chat.project)
    message = services.message_record(
        actor=owner, chat=chat, role="user", content="see", attachment_ids=[asset.pk]
    )
    page = admin_client.get(admin_url(Message, f"{message.pk}/change/"))
    assert page.status_code == 200 and str(asset) in page.content.decode()
