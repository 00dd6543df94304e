"""Kanban in admin: every page and action, inline edits through the services, refusals shown
as messages with nothing saved, and changelists that do not grow with the rows."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.exceptions import NotAllowed
from kanban import services
from kanban.models import KanbanBoard, KanbanColumn, KanbanTask, KanbanTaskComment, ProjectNote
from tests.factories import UserFactory
from tests.helpers import admin_url, change_form_data, messages
from tests.kanban.factories import (
    KanbanBoardFactory,
    KanbanTaskCommentFactory,
    KanbanTaskFactory,
    ProjectNoteFactory,
)
from tests.kanban.utils import assert_dense, snapshot, task_layout

pytestmark = pytest.mark.django_db

KANBAN_ADMINS = (KanbanBoard, KanbanTask, KanbanTaskComment, ProjectNote)


def change_url(row):
    return admin_url(type(row), f"{row.pk}/change/")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def rows(board, columns, owner):
    task = KanbanTaskFactory(column=columns["To Do"], title="Admin me", assignee=owner)
    return {
        KanbanBoard: board,
        KanbanTask: task,
        KanbanTaskComment: KanbanTaskCommentFactory(task=task),
        ProjectNote: ProjectNoteFactory(project=board.project),
    }


def inline_prefix(page, model, row):
    """The form prefix of `row` in the inline of `model` on a change page."""
    for inline in page.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            for form in inline.formset.forms:
                if form.instance.pk == row.pk:
                    return form.prefix
    raise AssertionError(f"{row} is not in the {model.__name__} inline")


# Smoke: every page of every kanban ModelAdmin


def test_the_kanban_admins_are_registered():
    registered = {model for model in admin.site._registry if model._meta.app_label == "kanban"}
    assert registered == set(KANBAN_ADMINS)


@pytest.mark.parametrize("model", KANBAN_ADMINS)
def test_changelist_search_and_change_pages_load(admin_client, rows, model):
    assert admin_client.get(admin_url(model)).status_code == 200
    assert admin_client.get(admin_url(model), {"q": "anything"}).status_code == 200
    assert admin_client.get(change_url(rows[model])).status_code == 200


@pytest.mark.parametrize("model", KANBAN_ADMINS)
def test_add_pages_are_closed(admin_client, model):
    # Boards and notes come on first use, tasks and comments through the API.
    assert admin_client.get(admin_url(model, "add/")).status_code == 403


@pytest.mark.parametrize("model", KANBAN_ADMINS)
def test_changelists_do_not_grow_with_rows(admin_client, django_assert_num_queries, model):
    def build(count):
        for _ in range(count):
            task = KanbanTaskFactory()
            KanbanTaskCommentFactory(task=task)
            ProjectNoteFactory(project=task.board.project)

    build(2)
    with CaptureQueriesContext(connection) as baseline:
        admin_client.get(admin_url(model))
    build(10)
    with django_assert_num_queries(len(baseline)):
        admin_client.get(admin_url(model))


@pytest.mark.parametrize(
    ("term", "expected"),
    [("admin", ["Admin me"]), ("ADMIN ME", ["Admin me"]), ("me", [])],  # a prefix only
)
def test_task_search_by_title_prefix(admin_client, rows, term, expected):
    KanbanTaskFactory(title="Other work")
    response = admin_client.get(admin_url(KanbanTask), {"q": term})
    assert [task.title for task in response.context["cl"].result_list] == expected


def test_board_search_by_name_prefix(admin_client, board):
    KanbanBoardFactory()
    response = admin_client.get(admin_url(KanbanBoard), {"q": board.name.lower()})
    assert list(response.context["cl"].result_list) == [board]


def test_board_search_by_exact_project_slug(admin_client, board):
    KanbanBoardFactory()
    response = admin_client.get(admin_url(KanbanBoard), {"q": board.project.slug.upper()})
    assert list(response.context["cl"].result_list) == [board]


def test_comment_search_by_exact_author_email(admin_client, rows, owner):
    KanbanTaskCommentFactory()
    response = admin_client.get(admin_url(KanbanTaskComment), {"q": owner.email.upper()})
    assert list(response.context["cl"].result_list) == [rows[KanbanTaskComment]]


def test_note_search_by_exact_project_slug(admin_client, rows, board):
    ProjectNoteFactory()
    response = admin_client.get(admin_url(ProjectNote), {"q": board.project.slug})
    assert list(response.context["cl"].result_list) == [rows[ProjectNote]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "done"}, ["shipped"]),
        ({"priority__exact": "high"}, ["urgent"]),
        ({"task_type__exact": "bug"}, ["urgent"]),
        ({"column": "backlog"}, ["someday"]),
        ({"column": "completed"}, ["shipped"]),
        ({"column": "other"}, ["urgent"]),
    ],
)
def test_task_filters(admin_client, columns, query, expected):
    KanbanTaskFactory(column=columns["Backlog"], title="someday", priority="low")
    KanbanTaskFactory(column=columns["To Do"], title="urgent", priority="high", task_type="bug")
    KanbanTaskFactory(column=columns["Done"], title="shipped")
    response = admin_client.get(admin_url(KanbanTask), query)
    assert [task.title for task in response.context["cl"].result_list] == expected


# The board's change form and inlines go through the services


def test_board_fields_are_saved_through_the_service(admin_client, board):
    page = admin_client.get(change_url(board))
    data = change_form_data(page)
    data.update(name="Renamed board", description="Q3", settings='{"lanes": 2}', task_counter=9)
    response = admin_client.post(change_url(board), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    board.refresh_from_db()
    assert (board.name, board.description, board.settings) == ("Renamed board", "Q3", {"lanes": 2})
    assert board.task_counter == 0  # read-only


def test_kan_6_moving_the_completed_flag_in_the_inline(admin_client, board, columns):
    KanbanTaskFactory(column=columns["Review"], title="almost")
    KanbanTaskFactory(column=columns["Done"], title="shipped")
    page = admin_client.get(change_url(board))
    data = change_form_data(page)
    data[f"{inline_prefix(page, KanbanColumn, columns['Done'])}-is_completed"] = ""
    data[f"{inline_prefix(page, KanbanColumn, columns['Review'])}-is_completed"] = "on"
    del data[f"{inline_prefix(page, KanbanColumn, columns['Done'])}-is_completed"]
    response = admin_client.post(change_url(board), data)
    assert response.status_code == 302, messages(response)
    assert KanbanColumn.objects.get(board=board, is_completed=True) == columns["Review"]
    statuses = dict(KanbanTask.objects.values_list("title", "status"))
    assert statuses == {"almost": "done", "shipped": "open"}


def test_kan_5_a_limit_below_the_count_in_the_inline_saves_nothing(admin_client, board, columns):
    KanbanTaskFactory.create_batch(2, column=columns["Review"])
    page = admin_client.get(change_url(board))
    data = change_form_data(page)
    data["name"] = "Should not stick"
    data[f"{inline_prefix(page, KanbanColumn, columns['Review'])}-task_limit"] = "1"
    response = admin_client.post(change_url(board), data, follow=True)
    assert any(
        "as many tasks as its limit" in text or "holds 2 tasks" in text
        for text in messages(response)
    )
    board.refresh_from_db()
    assert board.name != "Should not stick"  # the whole save was rolled back
    assert KanbanColumn.objects.get(pk=columns["Review"].pk).task_limit is None


def test_kan_3_adding_and_deleting_columns_in_the_inline(admin_client, board, columns):
    page = admin_client.get(change_url(board))
    data = change_form_data(page)
    prefix = next(
        inline.formset.prefix
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is KanbanColumn
    )
    data[f"{prefix}-TOTAL_FORMS"] = "6"
    data.update({f"{prefix}-5-name": "QA", f"{prefix}-5-task_limit": "2"})
    data[f"{inline_prefix(page, KanbanColumn, columns['In Progress'])}-DELETE"] = "on"
    response = admin_client.post(change_url(board), data)
    assert response.status_code == 302, messages(response)
    names = KanbanColumn.objects.filter(board=board).order_by("position")
    assert list(names.values_list("name", flat=True)) == [
        "Backlog",
        "To Do",
        "Review",
        "Done",
        "QA",
    ]
    assert_dense(board)


def test_kan_8_deleting_a_column_with_tasks_in_the_inline_saves_nothing(
    admin_client, board, columns
):
    KanbanTaskFactory(column=columns["Review"])
    page = admin_client.get(change_url(board))
    data = change_form_data(page)
    data[f"{inline_prefix(page, KanbanColumn, columns['Review'])}-DELETE"] = "on"
    response = admin_client.post(change_url(board), data, follow=True)
    assert any("Move or delete this column's tasks" in text for text in messages(response))
    assert KanbanColumn.objects.filter(board=board).count() == 5


def test_task_titles_are_edited_in_the_board_inline(admin_client, board, columns):
    task = KanbanTaskFactory(column=columns["To Do"], title="Old")
    page = admin_client.get(change_url(board))
    data = change_form_data(page)
    data[f"{inline_prefix(page, KanbanTask, task)}-title"] = "New title"
    assert admin_client.post(change_url(board), data).status_code == 302
    task.refresh_from_db()
    assert (task.title, task.version) == ("New title", 2)


def test_renumber_positions_action(admin_client, board, columns):
    for title in ("a", "b"):
        KanbanTaskFactory(column=columns["To Do"], title=title)
    KanbanTask.objects.filter(board=board, title="b").update(position=7)
    untouched = KanbanBoardFactory()
    response = admin_client.post(
        admin_url(KanbanBoard),
        {"action": "renumber_positions", "_selected_action": [board.pk, untouched.pk]},
        follow=True,
    )
    assert messages(response) == ["Renumbered 2 boards: 1 position corrected."]
    assert task_layout(board)["To Do"] == ["a", "b"]
    assert_dense(board)


# Tasks


def test_task_change_goes_through_the_service(admin_client, rows):
    task = rows[KanbanTask]
    page = admin_client.get(change_url(task))
    data = change_form_data(page)
    data.update(title="Edited in admin", priority="critical", tags='["ops"]', position=5)
    response = admin_client.post(change_url(task), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    task.refresh_from_db()
    assert (task.title, task.priority, task.tags, task.version) == (
        "Edited in admin",
        "critical",
        ["ops"],
        2,
    )
    assert task.position == 0  # read-only


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [({"status": "done"}, "status:"), ({"assignee": "OTHER"}, "assignee:")],
)
def test_task_rule_refusals_save_nothing(admin_client, rows, other_user, changes, complaint):
    task = rows[KanbanTask]
    page = admin_client.get(change_url(task))
    data = change_form_data(page)
    data.update({k: str(other_user.pk) if v == "OTHER" else v for k, v in changes.items()})
    data["title"] = "Should not stick"
    before = snapshot(KanbanTask)
    response = admin_client.post(change_url(task), data, follow=True)
    assert any(complaint in text for text in messages(response)), messages(response)
    assert snapshot(KanbanTask) == before


def test_bad_tags_are_a_form_error(admin_client, rows):
    task = rows[KanbanTask]
    data = change_form_data(admin_client.get(change_url(task)))
    data["tags"] = '["a", "a"]'
    response = admin_client.post(change_url(task), data)
    assert response.status_code == 200
    assert "tags" in response.context["adminform"].form.errors


def test_kan_4_deleting_a_task_in_admin_closes_the_gap(admin_client, board, columns):
    first = KanbanTaskFactory(column=columns["To Do"], title="a")
    KanbanTaskFactory(column=columns["To Do"], title="b")
    KanbanTaskCommentFactory(task=first)
    response = admin_client.post(admin_url(KanbanTask, f"{first.pk}/delete/"), {"post": "yes"})
    assert response.status_code == 302
    assert task_layout(board)["To Do"] == ["b"]
    assert_dense(board)
    assert not KanbanTaskComment.objects.exists()


def test_kan_4_delete_selected_tasks_closes_the_gaps(admin_client, board, columns):
    tasks = [KanbanTaskFactory(column=columns["To Do"], title=t) for t in "abcd"]
    response = admin_client.post(
        admin_url(KanbanTask),
        {
            "action": "delete_selected",
            "_selected_action": [tasks[0].pk, tasks[2].pk],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert task_layout(board)["To Do"] == ["b", "d"]
    assert_dense(board)


# Comments and notes are the users' words: view and delete only


@pytest.mark.parametrize("model", [KanbanTaskComment, ProjectNote])
def test_comments_and_notes_are_read_only(admin_client, rows, model):
    page = admin_client.get(change_url(rows[model]))
    assert not page.context["has_change_permission"]
    assert page.context["has_delete_permission"]


def test_a_comment_can_be_deleted(admin_client, rows):
    comment = rows[KanbanTaskComment]
    url = admin_url(KanbanTaskComment, f"{comment.pk}/delete/")
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not KanbanTaskComment.objects.exists()


# Who sees what


@pytest.fixture
def support_client(client):
    """Staff who may view boards and tasks, and nothing else."""
    support = UserFactory(staff=True)
    support.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="kanban", codename__in=["view_kanbanboard", "view_kanbantask"]
        )
    )
    client.force_login(support)
    return client


def test_view_only_staff_get_no_actions_and_no_edits(support_client, rows):
    response = support_client.get(admin_url(KanbanBoard))
    assert response.context["action_form"] is None  # no renumbering, no deleting
    page = support_client.get(change_url(rows[KanbanBoard]))
    assert not page.context["has_change_permission"]
    assert support_client.get(admin_url(KanbanTaskComment)).status_code == 403


def test_staff_without_the_model_permission_are_refused_by_the_service(rows):
    staff = UserFactory(staff=True)
    with pytest.raises(NotAllowed):
        services.board_renumber(actor=staff, board=rows[KanbanBoard])
