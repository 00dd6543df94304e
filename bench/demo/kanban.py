"""Demo boards and notes for the run command (`seed_demo`), on the demo users' projects.

Runs after the projects demo (apps seed in INSTALLED_APPS order). Idempotent: a board gets its
demo tasks only while it has never had a task (`task_counter == 0`), and a note its demo text
only while it has never been written (`version == 1`). Every write goes through the services,
so positions, reference numbers and completion are what the API would make.
"""

from datetime import timedelta
from typing import NamedTuple

from django.utils import timezone

from bench.demo.accounts import demo_users
from kanban import services
from kanban.models import KanbanColumn, TaskPriority, TaskType
from projects.models import Project

IN_PROGRESS_LIMIT = 3


class DemoTask(NamedTuple):
    column: str
    title: str
    task_type: str = TaskType.TASK
    priority: str = TaskPriority.MEDIUM
    assigned: bool = False  # to the project's owner (KAN-10)
    due_in_days: int | None = None
    tags: tuple = ()
    comments: tuple = ()


# By project name; boards of other projects stay as KAN-1 made them.
DEMO_TASKS = {
    "Recipe Box": (
        DemoTask(
            "Backlog",
            "Import recipes from a URL",
            TaskType.FEATURE,
            TaskPriority.LOW,
            tags=("import",),
        ),
        DemoTask("Backlog", "Offline mode for the shopping list", TaskType.EPIC, tags=("pwa",)),
        DemoTask(
            "To Do",
            "Group shopping list items by aisle",
            TaskType.STORY,
            assigned=True,
            due_in_days=7,
            tags=("shopping-list",),
        ),
        DemoTask(
            "In Progress",
            "Search recipes by ingredient",
            TaskType.FEATURE,
            TaskPriority.HIGH,
            assigned=True,
            due_in_days=3,
            tags=("search", "api"),
            comments=(
                "Postgres full-text search looks enough for now.",
                "Trigram index added; the ranking needs a second look.",
            ),
        ),
        DemoTask(
            "Review",
            "Image upload fails on Safari",
            TaskType.BUG,
            TaskPriority.CRITICAL,
            assigned=True,
            due_in_days=1,
            tags=("frontend",),
            comments=("Reproduced with HEIC photos from an iPhone.",),
        ),
        DemoTask("Done", "Set up the Postgres schema", assigned=True, tags=("backend",)),
    ),
    "Compiler Playground": (
        DemoTask(
            "Backlog",
            "Support COPY statements",
            TaskType.FEATURE,
            TaskPriority.LOW,
            tags=("parser",),
        ),
        DemoTask(
            "To Do",
            "Rewrite the parser as a Pratt parser",
            TaskType.EPIC,
            TaskPriority.HIGH,
            assigned=True,
            due_in_days=14,
            tags=("parser",),
            comments=("Snapshot taken before starting.",),
        ),
        DemoTask("Done", "Print HELLO, WORLD", assigned=True),
    ),
    "Molecule Viewer": (
        DemoTask(
            "Backlog",
            "Colour atoms by element",
            TaskType.FEATURE,
            TaskPriority.LOW,
            tags=("rendering",),
        ),
        DemoTask(
            "To Do",
            "Load PDB files from Supabase storage",
            TaskType.STORY,
            TaskPriority.HIGH,
            assigned=True,
            due_in_days=5,
            tags=("supabase",),
        ),
        DemoTask(
            "In Progress",
            "Rotate the model with touch gestures",
            TaskType.FEATURE,
            assigned=True,
            tags=("mobile",),
        ),
    ),
}

DEMO_NOTES = {
    "Recipe Box": (
        "markdown",
        "# Recipe Box\n\n- Launch: family beta in June\n- Keep search under 100 ms\n",
    ),
    "Compiler Playground": ("html", "<h1>Compiler Playground</h1><p>Parser rewrite first.</p>"),
    "Molecule Viewer": ("json", '{"goals": ["PDB import", "touch controls"]}'),
}


def seed(stdout):
    owners = demo_users()
    boards = notes = 0
    for project in Project.objects.filter(owner__in=owners).select_related("owner"):
        boards += _seed_board(project)
        notes += _seed_note(project)
    stdout.write(f"Demo boards: {boards} filled; demo notes: {notes} written.")


def _seed_board(project):
    owner = project.owner
    board = services.board_get_or_create(actor=owner, project=project)
    if board.task_counter or project.name not in DEMO_TASKS:
        return 0
    columns = {column.name: column for column in KanbanColumn.objects.filter(board=board)}
    services.column_update(
        actor=owner,
        column=columns["In Progress"],
        changes={"task_limit": IN_PROGRESS_LIMIT, "color": "#F5A623"},
    )
    now = timezone.now()
    for demo in DEMO_TASKS[project.name]:
        task = services.task_create(
            actor=owner,
            board=board,
            column=columns[demo.column],
            title=demo.title,
            task_type=demo.task_type,
            priority=demo.priority,
            assignee=owner if demo.assigned else None,
            due_date=now + timedelta(days=demo.due_in_days) if demo.due_in_days else None,
            tags=demo.tags,
        )
        for content in demo.comments:
            services.task_comment_create(actor=owner, task=task, content=content)
    return 1


def _seed_note(project):
    note = services.note_get_or_create(actor=project.owner, project=project)
    if note.version != 1 or project.name not in DEMO_NOTES:
        return 0
    content_format, content = DEMO_NOTES[project.name]
    services.note_update(
        actor=project.owner, project=project, content=content, content_format=content_format
    )
    return 1
