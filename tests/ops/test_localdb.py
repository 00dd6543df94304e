"""scripts/localdb (issue 22): a checkout inside a mode-700 directory (root's home, any
`mktemp -d`) still gets a working database, and a server that cannot start stops the command
at once instead of running it with an empty DATABASE_URL."""

import os
import shutil
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "localdb"
PRINT_URL = ["sh", "-c", 'echo "url=$DATABASE_URL"']


def checkout_in(directory):
    """A checkout's scripts/ inside `directory` (the script finds its data by its place)."""
    scripts = directory / "checkout" / "scripts"
    scripts.mkdir(parents=True)
    shutil.copy(SCRIPT, scripts / "localdb")
    return scripts / "localdb"


def localdb(script, *args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LOCALDB_DIR")}
    return subprocess.run(
        [str(script), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_checkout_in_a_closed_directory_gets_a_database(tmp_path):
    closed = tmp_path / "home"
    closed.mkdir(mode=0o700)
    script = checkout_in(closed)
    done = localdb(script, "run", "--", *PRINT_URL)
    try:
        assert done.returncode == 0, done.stderr
        assert "url=postgres://postgres@127.0.0.1:" in done.stdout
        if os.getuid() == 0:  # the server runs as `postgres`, who cannot enter `closed`
            assert "the postgres account cannot reach" in done.stderr
            assert "the data directory is /var/tmp/studio-localdb-" in done.stderr
        assert "stopping PostgreSQL" in done.stderr  # it started the server, so it stops it
    finally:
        moved = [line for line in done.stderr.splitlines() if "data directory is" in line]
        for line in moved:
            shutil.rmtree(line.rsplit(" ", 1)[-1], ignore_errors=True)


def test_a_server_that_cannot_start_stops_the_command(tmp_path):
    """A data directory that cannot be created: exit non-zero, and CMD never runs."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    script = checkout_in(tmp_path)
    done = localdb(script, "run", "--", *PRINT_URL, LOCALDB_DIR=str(blocker / "pgdata"))
    assert done.returncode != 0
    assert "url=" not in done.stdout
    assert "localdb:" in done.stderr
