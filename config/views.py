"""System endpoints: liveness, readiness and the API's health row (docs/spec/API.md §9.8)."""

import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from config.api import APIView

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
