"""The house's layers (STYLE.md "An app", DESIGN.md "Layout"), read from the source with `ast`.

- `config/` is the ground: none of its modules imports an app, `config/urls.py` (which routes
  to them) aside. Settings name apps as dotted strings (INSTALLED_APPS, DRF's classes); those
  are configuration that Django loads, not imports of config's code.
- The seven apps depend one way: `accounts` at the bottom; `projects` on `accounts`; `chat` and
  `kanban` on `projects`; `marketplace` on `accounts` and `projects`; `billing` on `accounts`,
  `projects`, `marketplace` and `chat` (usage attributed to chats and runs); `feedback` on
  `accounts`. The one key against that flow, `Container.base`, is a string foreign key, not an
  import.
- `backoffice` and `bench` sit above the seven and may import any of them; nothing imports
  `backoffice` or `bench`, and they do not import each other.

An import is an `import`/`from … import` anywhere in a module (inside functions too), or an
`import_module(...)`/`__import__(...)` of a literal name; in config/, an `import_module` of a
computed name is refused too, since nothing can say what it loads.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Each app's direct dependencies as STYLE.md states them; an app may also use what those use.
SEVEN = {
    "accounts": set(),
    "projects": {"accounts"},
    "chat": {"projects"},
    "kanban": {"projects"},
    "marketplace": {"accounts", "projects"},
    "billing": {"accounts", "projects", "marketplace", "chat"},
    "feedback": {"accounts"},
}
ABOVE = ("backoffice", "bench")
APPS = (*SEVEN, *ABOVE)
DYNAMIC = "<computed name>"


def modules(package):
    return sorted((ROOT / package).rglob("*.py"))


def imported(path):
    """Every module name `path` imports (absolute imports; relative ones stay in the package)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and _called(node) in ("import_module", "__import__"):
            argument = node.args[0] if node.args else None
            is_literal = isinstance(argument, ast.Constant) and isinstance(argument.value, str)
            names.add(argument.value if is_literal else DYNAMIC)
    return names


def _called(call):
    return getattr(call.func, "id", None) or getattr(call.func, "attr", None)


def top(name):
    return name.split(".")[0]


def reachable(app):
    """The apps `app` may import: its dependencies and theirs."""
    found, todo = set(), list(SEVEN[app])
    while todo:
        dependency = todo.pop()
        if dependency not in found:
            found.add(dependency)
            todo.extend(SEVEN[dependency])
    return found


def test_config_imports_no_app_but_in_urls():
    offending = {
        str(path.relative_to(ROOT)): sorted(
            name for name in imported(path) if name == DYNAMIC or top(name) in APPS
        )
        for path in modules("config")
        if path != ROOT / "config" / "urls.py"
    }
    assert {module: names for module, names in offending.items() if names} == {}


def test_the_seven_apps_depend_one_way():
    against_the_flow = {}
    for app in SEVEN:
        allowed = reachable(app) | {app}
        for path in modules(app):
            wrong = sorted(
                name for name in imported(path) if top(name) in APPS and top(name) not in allowed
            )
            if wrong:
                against_the_flow[str(path.relative_to(ROOT))] = wrong
    assert against_the_flow == {}


def test_nothing_imports_backoffice_or_bench():
    importers = {}
    for package in ("config", *APPS):
        for path in modules(package):
            above = sorted(
                name for name in imported(path) if top(name) in ABOVE and top(name) != package
            )
            if above:
                importers[str(path.relative_to(ROOT))] = above
    assert importers == {}


def test_the_scanner_sees_every_kind_of_import(tmp_path):
    source = tmp_path / "module.py"
    source.write_text(
        "import billing.models\n"
        "from chat import services\n"
        "from . import sibling\n"
        "def later(name):\n"
        "    from kanban.models import KanbanBoard\n"
        "    import_module('feedback.demo')\n"
        "    importlib.import_module(name)\n"
    )
    assert imported(source) == {
        "billing.models",
        "chat",
        "kanban.models",
        "feedback.demo",
        DYNAMIC,
    }
