"""The kanban demo data: boards that look used and notes, loaded idempotently on top of the
accounts and projects demos (apps seed in INSTALLED_APPS order)."""

from io import StringIO

import pytest

from bench.demo import accounts as accounts_demo
from bench.demo import kanban as demo
from bench.demo import projects as projects_demo
from kanban.models import KanbanBoard, KanbanColumn, KanbanTask, KanbanTaskComment, ProjectNote
from tests.kanban.utils import assert_dense

pytestmark = pytest.mark.django_db

MODELS = (KanbanBoard, KanbanColumn, KanbanTask, KanbanTaskComment, ProjectNote)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """The projects demo stores an asset; its bytes go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


def table_sizes():
    return [model.objects.count() for model in MODELS]


def test_seed_is_idempotent():
    accounts_demo.seed(StringIO())
    projects_demo.seed(StringIO())
    out = StringIO()
    demo.seed(out)
    first = table_sizes()
    demo.seed(StringIO())
    assert table_sizes() == first
    assert first[0] == 3 and first[4] == 3
    assert first[2] == sum(len(tasks) for tasks in demo.DEMO_TASKS.values())
    assert "Demo boards: 3 filled; demo notes: 3 written." in out.getvalue()


def test_seed_builds_boards_the_rules_allow():
    accounts_demo.seed(StringIO())
    projects_demo.seed(StringIO())
    demo.seed(StringIO())
    for board in KanbanBoard.objects.all():
        assert_dense(board)
        assert board.task_counter == board.tasks.count()
    assert not KanbanTask.objects.filter(column__is_completed=True).exclude(status="done").exists()
    in_progress = KanbanColumn.objects.filter(name="In Progress")
    assert set(in_progress.values_list("task_limit", flat=True)) == {demo.IN_PROGRESS_LIMIT}
    for task in KanbanTask.objects.exclude(assignee=None).select_related("board__project"):
        assert task.assignee_id == task.board.project.owner_id  # KAN-10
    assert KanbanTaskComment.objects.exists()
    assert set(ProjectNote.objects.values_list("content_format", flat=True)) == {
        "html",
        "json",
        "markdown",
    }


def test_seed_without_demo_users_does_nothing():
    out = StringIO()
    demo.seed(out)
    assert table_sizes() == [0, 0, 0, 0, 0]
    assert "0 filled" in out.getvalue()
