"""The generated references in docs/reference/, written by `manage.py docs_reference`.

Each file is rendered from the code as it is (the models through the app registry, the rule ids
by reading source files), so it cannot drift from it unnoticed: `docs_reference --check` (run by
`make check`) and `tests/core/test_docs.py` fail when a committed file differs from what the code
renders now. Nothing here imports an app: the registry and the files are enough.
"""

from config.reference.data_model import render_data_model
from config.reference.rules import render_rules
from config.reference.source import repository_root

# Path from the repository root → the function that renders that file's text.
GENERATED = {
    "docs/reference/data-model.md": render_data_model,
    "docs/reference/rules.md": render_rules,
}


def rendered_files():
    """Every generated file's path (from the repository root) and the text the code gives now."""
    return {path: render() for path, render in GENERATED.items()}


def stale_files(root=None):
    """The generated files whose committed text differs from what the code renders now."""
    root = root or repository_root()
    stale = []
    for path, text in rendered_files().items():
        target = root / path
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(path)
    return stale


def write_files(root=None):
    """Writes every generated file; returns the paths whose text changed."""
    root = root or repository_root()
    changed = []
    for path, text in rendered_files().items():
        target = root / path
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        changed.append(path)
    return changed
