"""System endpoints: liveness, readiness and the API's health row (docs/spec/API.md §9.8), the
API's root and the site's landing page (what a newcomer opens first), and Redoc served without
reaching the internet."""

import logging
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import get_resolver
from django.urls.resolvers import RoutePattern, URLResolver
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularRedocView
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from config.api import APIView
from config.exceptions import is_api

logger = logging.getLogger("studio.health")


def readiness(connection=None):
    """`(ok, checks)`: can we reach the database, and are all migrations applied?

    No secrets and no versions are reported, only "ok" or "error"/"pending" per check.
    """
    connection = connection or connections[DEFAULT_DB_ALIAS]
    checks = {"database": "error", "migrations": "error"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "pending" if pending else "ok"
    except Exception as exc:  # any failure to reach the database means "not ready"
        logger.warning("Readiness check failed: %s", exc.__class__.__name__)
    return all(value == "ok" for value in checks.values()), checks


def _health_body(ok, checks):
    return {"status": "ok" if ok else "error", "checks": checks}


def liveness(request):
    """`/healthz`: the process answers. Touches nothing else."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """`/readyz`: the database is reachable and migrated; 503 otherwise."""
    ok, checks = readiness()
    return JsonResponse(_health_body(ok, checks), status=200 if ok else 503)


HealthSerializer = inline_serializer(
    "Health",
    fields={
        "status": serializers.ChoiceField(choices=["ok", "error"]),
        "checks": serializers.DictField(child=serializers.CharField()),
    },
)


class HealthView(APIView):
    """`GET /api/v1/health/`: the readiness check, for monitors that speak the API."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer})
    def get(self, request):
        ok, checks = readiness()
        return Response(_health_body(ok, checks), status=200 if ok else 503)


API_PREFIX = "api/v1/"
# The documents and the probe, listed before the collections.
API_DOCUMENTS = ("schema", "swagger-ui", "redoc", "health")


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern.pattern, RoutePattern):
            yield prefix + str(pattern.pattern), pattern.name


@cache
def api_entry_points():
    """`{name: path}` of the API's documents and of every collection that needs no id in its
    path (the routes named `*-list`), read from the URL configuration."""
    routes = [
        (route, name)
        for route, name in _routes(get_resolver().url_patterns)
        if route.startswith(API_PREFIX) and name and "<" not in route
    ]
    documents = {name: f"/{route}" for route, name in routes if name in API_DOCUMENTS}
    collections = {
        route.removeprefix(API_PREFIX).rstrip("/"): f"/{route}"
        for route, name in routes
        if name.endswith("-list")
    }
    return {**dict(sorted(documents.items())), **dict(sorted(collections.items()))}


class ApiRootView(APIView):
    """`GET /api/v1/`: a link to each document and collection, so the browsable API can be
    browsed from its root."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="Each document's and collection's absolute URL."
            )
        },
    )
    def get(self, request):
        return Response(
            {name: request.build_absolute_uri(path) for name, path in api_entry_points().items()}
        )


class ApiNotFoundView(APIView):
    """Every unrouted path under /api/: the 404 a routed view gives, through the same content
    negotiation, renderer and exception handler (the browsable API in a browser, the error
    shape in JSON otherwise). No credentials are read and nothing is throttled: there is
    nothing here to protect."""

    schema = None
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound()


_not_found = ApiNotFoundView.as_view()


@csrf_exempt  # it changes nothing, and an unsafe method must get this 404, not a CSRF page
def api_not_found(request, *args, **kwargs):
    return _not_found(request)


def handler404(request, exception):
    """Django's 404 under /api/ answers as an unrouted path does."""
    if is_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def landing(request):
    """`/`: where the admin, the API and its documents are (the admin's "View site")."""
    return render(request, "landing.html")


class OfflineRedocView(SpectacularRedocView):
    """Redoc from the bundled assets only: no web font, and the Redocly logo (an image on a
    CDN that the bundle draws unasked) refused by the page's Content-Security-Policy."""

    template_name = "api/redoc.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = (
            "img-src 'self' data:; font-src 'self' data:; connect-src 'self'"
        )
        return response
