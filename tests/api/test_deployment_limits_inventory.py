"""R15, R16 and R17 across the whole API (docs/spec/RELIABILITY.md).

R15  production settings: error pages without tracebacks and the security headers on API
     responses, served by a process running `config.settings.production` (its `check --deploy`
     is tests/core/test_settings.py, which reports its figure here too).
R16  resource limits on every route: every list is paginated with a capped page size, every
     writable route refuses a body over its cap with 413, every `search` parameter refuses more
     than 100 characters. (List query counts flat in the page size: tests/*/test_queries.py.)
R17  inventory: every routed URL and method under /api/ is in the schema, the schema is
     generated and validated with no warnings, and `makemigrations --check` finds nothing.
"""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import AccessToken
from tests import figures
from tests.api.routes import served
from tests.api.test_permission_matrix import ROUTES, bearer, build_world, ids_of
from tests.core.test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
}

# --- R15 ------------------------------------------------------------------------------------

PROBE = """
import json
from django.test import Client
client = Client(raise_request_exception=False, HTTP_HOST="studio.example.com")
out = {}
for path in ("/api/v1/no-such-route/", "/api/v1/billing/config/", "/admin/login/", "/nowhere"):
    response = client.get(path, secure=True)
    out[path] = {
        "status": response.status_code,
        "headers": dict(response.headers),
        "body": response.content.decode(errors="replace")[:20000],
    }
print("PROBE" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def production_answers():
    """Four GETs through the production settings in a fresh process: an unrouted API path, an
    API route that needs the (unreachable) database, an admin page that does too, and a page
    outside the API."""
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    clean.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, "DATABASE_URL": "postgres://studio@127.0.0.1:1/studio"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("PROBE")), None)
    assert line, result.stdout + result.stderr
    return json.loads(line[len("PROBE") :])


def test_r15_error_pages_carry_no_traceback(production_answers):
    leaky = []
    for path, answer in production_answers.items():
        body = answer["body"]
        if answer["status"] >= 400 and (
            "Traceback" in body or 'File "/' in body or "site-packages" in body
        ):
            leaky.append(path)
    errors = sum(answer["status"] >= 400 for answer in production_answers.values())
    figures.count("R15", "error pages checked", errors)
    figures.count("R15", "with a traceback", len(leaky))
    assert errors >= 3, {p: a["status"] for p, a in production_answers.items()}
    assert not leaky


def test_r15_api_responses_carry_the_security_headers(production_answers):
    missing = []
    for path, answer in production_answers.items():
        if not path.startswith("/api/"):
            continue
        headers = {k.lower(): v for k, v in answer["headers"].items()}
        for name, value in SECURITY_HEADERS.items():
            if headers.get(name.lower()) != value:
                missing.append(f"{path} {name}: {headers.get(name.lower())!r}")
    figures.count("R15", "missing security headers", len(missing))
    assert not missing


# --- R16 ------------------------------------------------------------------------------------


def viewsets():
    """(route name, view class, actions) of every viewset route under /api/v1/."""
    return [
        (pattern.name, view, pattern.callback.actions)
        for _, pattern, view, _ in served()
        if getattr(pattern.callback, "actions", None)
    ]


def test_r16_every_list_is_paginated_with_a_capped_page_size():
    uncapped = []
    lists = 0
    for name, view, actions in viewsets():
        if actions.get("get") != "list":
            continue
        lists += 1
        paginator = view.pagination_class
        cap = getattr(paginator, "max_page_size", None) if paginator else None
        if cap is None or cap > 200:
            uncapped.append(f"{name}: {paginator} (cap {cap})")
    figures.count("R16", "lists", lists)
    figures.count("R16", "uncapped", len(uncapped))
    assert lists > 30
    assert not uncapped


@pytest.mark.django_db
def test_r16_a_huge_page_size_is_capped_on_every_list(client_for):
    world = build_world()
    client = client_for(world.owner)
    ids = ids_of(world)
    names = {name for name, _, actions in viewsets() if actions.get("get") == "list"}
    over = []
    for (route, method), (template, _) in ROUTES.items():
        if method != "GET" or route not in names:
            continue
        response = client.get(template.format(**ids), {"page_size": 100000})
        assert response.status_code == 200, (route, response.content)
        rows = response.json()["results"]
        if len(rows) > 200:
            over.append(route)
        one = client.get(template.format(**ids), {"page_size": 1}).json()["results"]
        assert len(one) <= 1, route  # page_size is honoured, so the cap is what bounds it
    assert not over


def big_json(size):
    """A JSON body of exactly `size` bytes."""
    return '{"x": "' + "a" * (size - 9) + '"}'


@pytest.mark.django_db
def test_r16_every_writable_route_refuses_a_body_over_its_cap():
    world = build_world()
    ids = ids_of(world)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = big_json(limit + 1)
    assert len(body.encode()) == limit + 1
    accepted = []
    tried = 0
    for (route, method), (template, _) in sorted(ROUTES.items()):
        if method not in ("POST", "PATCH", "PUT"):
            continue
        if route == "project-asset-list":  # the upload: its own cap, tested in tests/projects
            continue
        tried += 1
        _, raw = AccessToken.issue(user=world.owner, ttl=timedelta(days=1), name="r16")
        response = getattr(bearer(raw), method.lower())(
            template.format(**ids), body, content_type="application/json"
        )
        if response.status_code != 413:
            accepted.append(f"{method} {route}: {response.status_code}")
    figures.count("R16", "bodies over the cap sent", tried)
    figures.count("R16", "bodies over the cap not refused", len(accepted))
    assert not accepted


def schema():
    out = StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_r16_every_search_parameter_is_bounded():
    world = build_world()
    _, raw = AccessToken.issue(user=world.owner, ttl=timedelta(days=1), name="r16")
    client = bearer(raw)
    ids = ids_of(world)
    by_path = {template: route for route, (template, _) in ROUTES.items() if route[1] == "GET"}
    unbounded, searched = [], 0
    for path, operations in schema()["paths"].items():
        get = operations.get("get")
        if not get or not any(p["name"] == "search" for p in get.get("parameters", [])):
            continue
        template = next(t for t in by_path if shape(t) == shape(path))
        searched += 1
        url = template.format(**ids)
        if client.get(url, {"search": "a" * 100}).status_code != 200:
            unbounded.append(f"{path}: 100 characters refused")
        if client.get(url, {"search": "a" * 101}).status_code != 400:
            unbounded.append(f"{path}: 101 characters accepted")
    figures.count("R16", "search parameters", searched)
    figures.count("R16", "unbounded searches", len(unbounded))
    assert searched >= 5
    assert not unbounded


# --- R17 ------------------------------------------------------------------------------------


def shape(path):
    """A path with its parameters blanked: the matrix's `{project}` is the schema's `{pid}`."""
    return re.sub(r"\{\w+\}", "{}", path)


def routed_operations():
    """(OpenAPI path, method) of every routed URL and method under /api/."""

    def to_openapi(path):
        path = path.replace("^", "").replace("$", "")
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", path)
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
        return "/" + path

    # The schema's own documents are not operations of the API.
    return {
        (to_openapi(route), method)
        for route, pattern, _, methods in served("api/")
        if pattern.name not in ("schema", "swagger-ui", "redoc")
        for method in methods
    }


def test_r17_every_route_is_in_the_schema():
    # Parameter names aside: drf-spectacular writes a router's `pk` as `id`.
    documented = {
        (shape(path), method)
        for path, operations in schema()["paths"].items()
        for method in operations
    }
    routed = {(shape(path), method) for path, method in routed_operations()}
    undocumented = sorted(routed - documented)
    figures.count("R17", "routed operations", len(routed))
    figures.count("R17", "undocumented", len(undocumented))
    assert len(routed) > 150
    assert not undocumented


def test_r17_the_schema_validates_without_warnings(tmp_path):
    out, err = StringIO(), StringIO()
    try:
        call_command(
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(tmp_path / "schema.yml"),
            stdout=out,
            stderr=err,
        )
        failed = False
    except SystemExit:
        failed = True
    warnings = err.getvalue().count("Warning") + err.getvalue().count("Error")
    figures.count("R17", "schema warnings", warnings + int(failed and not warnings))
    assert not failed and not warnings, err.getvalue()


@pytest.mark.django_db
def test_r17_makemigrations_check_is_clean():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
        missing = 0
    except SystemExit:
        missing = max(1, out.getvalue().count("\n  - "))
    figures.count("R17", "missing migrations", missing)
    assert not missing, out.getvalue()
