"""The docs live in the repository: the generated references match the code, and every path a
tracked file cites under docs/ or spec/, and every relative link of the Markdown docs, exists."""

import re
import shutil
import subprocess
from pathlib import Path

from config.reference import stale_files
from config.reference.source import repository_root

# A path under docs/ or spec/ as code and docs cite it, `docs/reference/rules.md` or
# `spec/<file>` and a section; not a URL's tail (`/api/v1/docs/`) nor a bare folder (`"docs/"`).
CITED_PATH = re.compile(r"(?<![\w/.-])(?:docs|spec)/[\w./-]*\w")
MARKDOWN_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
# Code in Markdown (fenced blocks, `inline` spans) holds no links, only text like a regex's `](`.
MARKDOWN_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def kept_as_written(name):
    """The specification is kept as written: its own citations (of `spec/<file>`, the design
    card, the seeds) are as its authors wrote them, relative to a folder this repository never
    had."""
    return name.startswith("docs/spec/") and name != "docs/spec/README.md"


def tracked_text_files():
    root = repository_root()
    listed = subprocess.run(
        [shutil.which("git"), "ls-files", "-z"],
        cwd=root,
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split("\0")
    for name in sorted(filter(None, listed)):
        path = root / name
        # Symbolic links and files deleted from the work tree have no text of their own.
        if path.is_symlink() or not path.is_file():
            continue
        try:
            yield name, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def resolves(cited, citing):
    """From the repository root, or, in Markdown, from the citing file's folder (where a
    relative link points)."""
    root = repository_root()
    if (root / cited).exists():
        return True
    return citing.endswith(".md") and (root / Path(citing).parent / cited).exists()


def test_generated_references_are_up_to_date():
    assert stale_files() == [], "Run `make docs` and commit docs/reference/."


def test_every_cited_docs_or_spec_path_exists():
    missing = []
    for name, text in tracked_text_files():
        if kept_as_written(name):
            continue
        for match in CITED_PATH.finditer(text):
            if not resolves(match.group(), name):
                line = text.count("\n", 0, match.start()) + 1
                missing.append(f"{name}:{line}: {match.group()}")
    assert missing == []


def test_every_relative_link_of_the_markdown_docs_exists():
    root = repository_root()
    missing = []
    for name, text in tracked_text_files():
        if not name.endswith(".md") or kept_as_written(name):
            continue
        for match in MARKDOWN_LINK.finditer(MARKDOWN_CODE.sub("", text)):
            target = match["target"].partition("#")[0]
            # URLs (`https:`, `mailto:`) and links within the page are not files.
            is_file_link = target and not re.match(r"[a-z]+:", target)
            if is_file_link and not (root / Path(name).parent / target).exists():
                missing.append(f"{name}: {match['target']}")
    assert missing == []
