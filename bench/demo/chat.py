"""Demo chats for the run command (`seed_demo`): conversations with the agent, its command log
and terminal sessions in the demo projects, so staff clicking through admin see a product in use.
One chat also shows what the runtime records (EXTENSIONS.md §1, §3, §7, §8): a finished, a
failed and a running agent run, a summary, a message with an attachment, and the owner's pin.

Idempotent: a project that already has chats is left alone. Every row is written through the
services, as the agent runtime would write it: the demo's runtime is a service account (in the
Service accounts group) that records the assistant's messages and the commands it ran.
"""

from django.contrib.auth.models import Group

from accounts.models import User
from bench.demo.accounts import demo_users
from chat import services
from chat.models import BookmarkKind, Chat, ChatStatus, Message, MessageRole, RiskLevel, RunStatus
from config.roles import SERVICE_ACCOUNTS_GROUP
from projects.models import Container, EnvironmentStatus, Project, ProjectAsset

DEMO_RUNTIME = ("runtime@example.com", "Agent runtime", "agent_runtime")

USER, ASSISTANT = MessageRole.USER, MessageRole.ASSISTANT


def _edit(path, summary):
    return {
        "type": "tool_call",
        "name": "write_file",
        "arguments": {"path": path},
        "summary": summary,
    }


# Per project name: chats as (title, archived, messages); a message is (role, content, metadata).
DEMO_CHATS = {
    "Recipe Box": (
        (
            "Search recipes by ingredient",
            False,
            (
                (USER, "Let me search recipes by what's in my fridge, e.g. 'eggs, spinach'.", {}),
                (
                    ASSISTANT,
                    "I'll add a full-text search over ingredients in the API and a search box "
                    "on the home page. Starting with the database index.",
                    {"steps": [{"type": "plan", "items": 3}]},
                ),
                (
                    ASSISTANT,
                    "",
                    {
                        "tool_calls": [
                            _edit("packages/api/migrations/0004_ingredient_search.py", "GIN index"),
                            _edit("packages/api/recipes/views.py", "?ingredients= filter"),
                        ]
                    },
                ),
                (
                    ASSISTANT,
                    "Search is live: `/recipes?ingredients=eggs,spinach` returns recipes that "
                    "use all of them, best matches first. The box on the home page uses it.",
                    {"steps": [{"type": "test", "command": "npm test", "passed": 14}]},
                ),
                (USER, "Nice. Can it ignore plurals, so 'egg' finds 'eggs'?", {}),
            ),
        ),
        (
            "Shopping list export",
            True,
            (
                (USER, "Export the shopping list as a PDF I can print.", {}),
                (
                    ASSISTANT,
                    "Done: the list has an 'Export PDF' button, grouped by aisle.",
                    {"tool_calls": [_edit("packages/frontend/src/ShoppingList.tsx", "PDF export")]},
                ),
            ),
        ),
    ),
    "Compiler Playground": (
        (
            "Parser rewrite",
            False,
            (
                (USER, "The parser chokes on nested PERFORM loops. Can you rewrite it?", {}),
                (
                    ASSISTANT,
                    "I took a snapshot first. The new recursive-descent parser handles nested "
                    "PERFORM and reports the line of the first error.",
                    {"tool_calls": [_edit("src/parser.cob", "recursive descent")]},
                ),
            ),
        ),
    ),
    "Molecule Viewer": (
        (
            "Load proteins from the PDB",
            False,
            (
                (USER, "Fetch a structure by its PDB id, like 1CRN, and show it in 3D.", {}),
                (
                    ASSISTANT,
                    "",
                    {
                        "tool_calls": [
                            _edit("src/pdb.ts", "fetch from RCSB"),
                            _edit("src/View.tsx", "3D view"),
                        ]
                    },
                ),
            ),
        ),
    ),
}

# Per project name: (command, working dir, exit code or None for a dry run, risk, ms, output).
DEMO_COMMANDS = {
    "Recipe Box": (
        ("npm ci", "packages/frontend", 0, RiskLevel.SAFE, 18_400, "added 812 packages in 18s\n"),
        ("npm test", "packages/api", 1, RiskLevel.SAFE, 6_200, "1 failed, 13 passed\n"),
        ("npm test", "packages/api", 0, RiskLevel.SAFE, 5_900, "14 passed\n"),
        ("psql -c 'DROP TABLE recipes_old'", ".", None, RiskLevel.HIGH, None, ""),
    ),
    "Compiler Playground": (
        ("cobc -x src/main.cob", ".", 0, RiskLevel.SAFE, 900, ""),
        ("git reset --hard HEAD~1", ".", None, RiskLevel.MODERATE, None, ""),
    ),
    "Molecule Viewer": (("curl -sI https://files.rcsb.org", ".", 0, RiskLevel.SAFE, 310, ""),),
}


# The chat that shows runs, a summary, an attachment and a pin: (project, chat title).
RUNS_CHAT = ("Recipe Box", "Search recipes by ingredient")
RUN_MODEL = "anthropic/claude-sonnet-4"


def seed(stdout):
    runtime = _runtime()
    projects = Project.objects.filter(name__in=DEMO_CHATS, owner__in=demo_users())
    seeded = 0
    for project in projects.select_related("owner"):
        if Chat.objects.filter(project=project).exists():
            continue
        _chats(project, runtime)
        if project.name == RUNS_CHAT[0]:
            _runtime_records(Chat.objects.get(project=project, title=RUNS_CHAT[1]), runtime)
        _commands(project, runtime)
        _sessions(project, runtime)
        seeded += 1
    stdout.write(
        f"Demo chats: {seeded} project(s) seeded. Demo agent runtime: {DEMO_RUNTIME[0]} "
        "(a service account; issue it a token from its admin page)."
    )


def _runtime():
    email, name, username = DEMO_RUNTIME
    runtime = User.objects.filter(email=email).first()
    if runtime is None:
        runtime = User.objects.create_user(email, None, name=name, username=username)
    runtime.groups.add(Group.objects.get(name=SERVICE_ACCOUNTS_GROUP))
    return runtime


def _chats(project, runtime):
    for title, archived, messages in DEMO_CHATS[project.name]:
        chat = services.chat_create(actor=project.owner, project=project, title=title)
        for role, content, metadata in messages:
            services.message_record(
                actor=project.owner if role == USER else runtime,
                chat=chat,
                role=role,
                content=content,
                message_metadata=metadata,
            )
        if archived:
            services.chat_update(
                actor=project.owner, chat=chat, changes={"status": ChatStatus.ARCHIVED}
            )


def _commands(project, runtime):
    for command, working_dir, exit_code, risk, duration, stdout in DEMO_COMMANDS[project.name]:
        services.command_log_record(
            actor=runtime,
            project=project,
            command=command,
            working_dir=working_dir,
            success=exit_code == 0,
            exit_code=exit_code,
            stdout=stdout,
            risk_level=risk,
            duration_ms=duration,
            dry_run=exit_code is None,
        )


def _sessions(project, runtime):
    """A live terminal and a closed one, in the first container of an active project."""
    if project.environment_status != EnvironmentStatus.ACTIVE:
        return
    container = Container.objects.filter(project=project).order_by("created_at").first()
    if container is None:
        return
    for close in (True, False):
        session = services.shell_session_open(
            actor=project.owner, project=project, container_name=container.container_name
        )
        services.shell_session_report_status(actor=runtime, session=session, status="active")
        services.shell_session_record_usage(
            actor=runtime, session=session, bytes_read=48_213, bytes_written=1_906
        )
        if close:
            services.shell_session_close(actor=project.owner, session=session)


def _runtime_records(chat, runtime):
    """A finished, a failed and a running run, a summary, an attachment and a pin."""
    owner = chat.project.owner
    first, *_, last = Message.objects.filter(chat=chat).order_by("created_at", "id")
    finished = _run(chat, runtime, "demo-run-1", trigger=first)
    _move(runtime, finished, RunStatus.RUNNING)
    _move(
        runtime,
        finished,
        RunStatus.COMPLETED,
        metrics={"tokens_input": 48_200, "tokens_output": 3_900, "tool_calls": 2, "ms": 41_800},
    )
    failed = _run(chat, runtime, "demo-run-2", trigger=last)
    _move(runtime, failed, RunStatus.RUNNING)
    _move(
        runtime,
        failed,
        RunStatus.FAILED,
        error_code="tool_error",
        error_message="npm test exited with 1: 1 failed, 13 passed",
    )
    services.summary_record(
        actor=runtime,
        chat=chat,
        end_message_id=last.pk,
        summary_text="The owner wants ingredient search; it is live at /recipes?ingredients=, "
        "best matches first. Open: plural-insensitive matching ('egg' finds 'eggs').",
        original_tokens=5_400,
        summary_tokens=310,
        model="anthropic/claude-haiku-4",
    )
    logo = ProjectAsset.objects.filter(project=chat.project).order_by("created_at").first()
    posted = services.message_record(
        actor=owner,
        chat=chat,
        role=USER,
        content="While you're at it, put this logo in the search page header.",
        attachment_ids=[logo.pk] if logo is not None else [],
    )
    running = _run(chat, runtime, "demo-run-3", trigger=posted)
    _move(runtime, running, RunStatus.RUNNING)
    services.bookmark_add(actor=owner, chat=chat, kind=BookmarkKind.PIN)


def _run(chat, runtime, request_id, *, trigger):
    run, _ = services.run_claim(
        actor=runtime,
        chat=chat,
        request_id=request_id,
        model=RUN_MODEL,
        input={"prompt_message": str(trigger.pk)},
        trigger_message_id=trigger.pk,
    )
    return run


def _move(runtime, run, status, **report):
    services.run_transition(actor=runtime, run=run, status=status, **report)
