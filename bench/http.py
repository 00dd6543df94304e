"""The HTTP mode of the benchmark (`manage.py benchmark --http`, `make bench-http`): W1, W2 and
W2-empty over loopback HTTP, the project under its own `gunicorn.conf.py` and production settings
against the floor (`bench/floor_wsgi.py`: the same SQL, psycopg and orjson, under the same
gunicorn settings), driven by wrk with rotating keys.

Rounds interleave the two servers and the workloads in a shuffled order; each run is
`seconds` long at `connections` connections. A run reports requests per second, wrk's p50
and p99, and the servers' CPU per request: utime + stime of the gunicorn workers from /proc
(with those of workers that exited meanwhile, which the master reaped). Each round gives a
ratio per workload (project / floor) of mean latency and of CPU per request; the table shows
their medians with p10 to p90.
"""

import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.servers import free_port, wait_for_port

BASE_DIR = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_name("rotate.lua")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(master):
    """CPU time of `master`'s workers: the live ones' utime + stime, plus what the master has
    reaped of exited ones (its cutime + cstime)."""

    def fields(pid):
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()

    total = sum(int(value) for value in fields(master)[13:15])
    for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        try:
            total += sum(int(value) for value in fields(child)[11:13])
        except FileNotFoundError:  # exited just now: the master's cutime has it
            continue
    return total / TICKS


@contextmanager
def gunicorn(app, env, extra_args):
    """`app` under the project's gunicorn.conf.py on a loopback port of its own; yields
    `(url, master_pid)`."""
    port = free_port()
    process = subprocess.Popen(
        [
            *(str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py"),
            *("--bind", f"127.0.0.1:{port}", *extra_args, app),
        ],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, seconds=60)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def wrk(url, keys_file, *, seconds, connections):
    result = subprocess.run(
        [
            *("wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"),
            *("-s", str(SCRIPT), url),
        ],
        env={**os.environ, "WRK_KEYS": keys_file},
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["socket_errors"] or figures["non_2xx"]:
        raise RuntimeError(f"{url}: {figures}")
    return figures


def warm_up(url, keys_file, *, connections, seconds=120):
    """Runs wrk until a one-second run is answered throughout: workers that import the app
    after the fork (no `preload_app`) take seconds to serve on a loaded machine."""
    deadline = time.monotonic() + seconds
    while wrk(url, keys_file, seconds=1, connections=connections)["requests"] < connections:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} answered nothing in {seconds} s")


def project_env(database_url, cache_url, static_root):
    """Production settings (config.settings.production) on loopback: no TLS redirect, every
    rate far above what the run sends (the throttles still count every request in Redis)."""
    unthrottled = "100000000/min"
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "CELERY_BROKER_URL": cache_url,
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": static_root,
        "THROTTLE_ANON": unthrottled,
        "THROTTLE_USER": unthrottled,
        "THROTTLE_SERVICE": unthrottled,
    }


def run(workloads, *, database_url, cache_url, rounds, seconds, connections, seed, gunicorn_args):
    """`workloads` (prepared: their keys hold the URLs, tokens and captured statements) over
    HTTP; returns one row per workload."""
    chooser = random.Random(seed)  # noqa: S311 - shuffling, not secrets
    with ExitStack() as stack:
        directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="studio-bench-http-"))
        statements, keys_files = {}, {}
        for workload in workloads:
            keys_files[workload.id] = f"{directory}/{workload.id}.keys"
            with open(keys_files[workload.id], "w") as handle:
                for key in workload.keys:
                    statements[key.url] = key.statements
                    handle.write(f"{key.url}\t{key.authorization}\n")
        floor_file = f"{directory}/statements.json"
        Path(floor_file).write_text(json.dumps(statements))
        servers = {
            "project": stack.enter_context(
                gunicorn(
                    "config.wsgi",
                    project_env(database_url, cache_url, directory),
                    gunicorn_args,
                )
            ),
            "floor": stack.enter_context(
                gunicorn(
                    "bench.floor_wsgi:application",
                    {"DATABASE_URL": database_url, "FLOOR_STATEMENTS": floor_file},
                    gunicorn_args,
                )
            ),
        }
        for (url, _), workload in ((s, w) for s in servers.values() for w in workloads):
            warm_up(url, keys_files[workload.id], connections=connections)
        runs = {(w.id, name): [] for w in workloads for name in servers}
        for _ in range(rounds):
            order = [(w, name) for w in workloads for name in servers]
            chooser.shuffle(order)
            for workload, name in order:
                url, master = servers[name]
                before = cpu_seconds(master)
                figures = wrk(
                    url, keys_files[workload.id], seconds=seconds, connections=connections
                )
                if not figures["requests"]:
                    raise RuntimeError(f"{name} answered no {workload.id} request in {seconds} s")
                figures["cpu_ms"] = (cpu_seconds(master) - before) * 1000 / figures["requests"]
                runs[workload.id, name].append(figures)
    return [
        summary(workload, runs[workload.id, "project"], runs[workload.id, "floor"])
        for workload in workloads
    ]


def spread(values):
    values = sorted(values)
    deciles = (
        statistics.quantiles(values, n=10, method="inclusive") if len(values) > 1 else values * 9
    )
    return round(statistics.median(values), 2), round(deciles[0], 2), round(deciles[-1], 2)


def side(runs):
    return {
        "requests_per_second": round(
            statistics.median(r["requests"] / r["duration_us"] * 1e6 for r in runs), 1
        ),
        "p50_ms": round(statistics.median(r["p50_us"] for r in runs) / 1000, 2),
        "p99_ms": round(statistics.median(r["p99_us"] for r in runs) / 1000, 2),
        "cpu_ms": round(statistics.median(r["cpu_ms"] for r in runs), 2),
    }


def summary(workload, project, floor):
    ratio, p10, p90 = spread(
        p["mean_us"] / f["mean_us"] for p, f in zip(project, floor, strict=True)
    )
    cpu, cpu_p10, cpu_p90 = spread(
        p["cpu_ms"] / f["cpu_ms"] for p, f in zip(project, floor, strict=True)
    )
    return {
        "id": workload.id,
        "title": workload.title,
        "project": side(project),
        "floor": side(floor),
        "ratio": ratio,
        "p10": p10,
        "p90": p90,
        "cpu_ratio": cpu,
        "cpu_p10": cpu_p10,
        "cpu_p90": cpu_p90,
        "ratio_budget": workload.http_budget,
        "passed": workload.http_budget is None or ratio <= workload.http_budget,
    }
