"""config/urls.py tries the busiest apps' routes first; that order is free to change only
while no route answers another's URLs."""

import re
import uuid

from django.urls import resolve

from tests.api.routes import served

SAMPLES = {
    "uuid": str(uuid.UUID(int=7)),
    "int": "7",
    "slug": "a-slug",
    "str": "a-name",
    "path": "a/b",
    "taskref": "TSK-0007",
}
CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")


def sample_path(route):
    return "/" + CONVERTER.sub(lambda match: SAMPLES[match.group(1) or "str"], route)


def test_every_route_resolves_to_its_own_view():
    routes = [(route, pattern) for route, pattern, _, _ in served() if "^" not in route]
    assert len(routes) > 100
    shadowed = [
        route
        for route, pattern in routes
        if resolve(sample_path(route)).func is not pattern.callback
    ]
    assert shadowed == []
