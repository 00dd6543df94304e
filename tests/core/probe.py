"""Probe views for the foundation tests: each drives one failure class through the real stack
(routing, authentication, throttles, the exception handler and the renderer). Writes run in
`transaction.atomic()`, as services do."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.urls import include, path
from rest_framework import mixins, serializers
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response

from accounts.models import User
from config.api import APIView, GenericViewSet
from config.exceptions import InvalidStateTransition
from config.pagination import KeysetCursorPagination


class ItemSerializer(serializers.Serializer):
    qty = serializers.IntegerField(min_value=1)


class EchoSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    items = ItemSerializer(many=True, required=False)

    def validate(self, attrs):
        if attrs.get("name") == "bad":
            raise serializers.ValidationError("This name is refused as a whole.")
        return attrs


class Echo(APIView):
    def post(self, request):
        serializer = EchoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data, status=201)


class Public(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


class Formats(APIView):
    permission_classes = [AllowAny]
    sample_id = uuid.UUID("12345678-1234-5678-1234-567812345678")

    def get(self, request):
        return Response(
            {
                "decimal": Decimal("7.5000"),
                "uuid": self.sample_id,
                "time": datetime(2025, 5, 1, 12, 0, 0, 123456, tzinfo=UTC),
            }
        )


class Conflict(APIView):
    def post(self, request):
        User.objects.create_user(request.data["email"], "irrelevant-pass-123", name="Clash")
        return Response(status=201)


class CheckViolation(APIView):
    def post(self, request):
        with transaction.atomic():
            User.objects.filter(pk=request.user.pk).update(
                purchased_credits=F("purchased_credits") - 1
            )
        return Response(status=200)


class DataTooLong(APIView):
    def post(self, request):
        with transaction.atomic():
            User.objects.filter(pk=request.user.pk).update(theme_preset="x" * 500)
        return Response(status=200)


class Crash(APIView):
    def get(self, request):
        raise RuntimeError("internal detail that must not leak")


class NeverAllowed(BasePermission):
    def has_permission(self, request, view):
        return False


class Denied(APIView):
    permission_classes = [NeverAllowed]

    def get(self, request):
        return Response({"unreachable": True})


class Domain(APIView):
    def post(self, request):
        raise InvalidStateTransition()


class UserRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "created_at"]


class UsersByTime(mixins.ListModelMixin, GenericViewSet):
    serializer_class = UserRowSerializer
    pagination_class = KeysetCursorPagination

    def get_queryset(self):
        return User.objects.all()


probe_patterns = [
    path("echo/", Echo.as_view()),
    path("public/", Public.as_view()),
    path("formats/", Formats.as_view()),
    path("conflict/", Conflict.as_view()),
    path("check-violation/", CheckViolation.as_view()),
    path("data-error/", DataTooLong.as_view()),
    path("crash/", Crash.as_view()),
    path("denied/", Denied.as_view()),
    path("domain/", Domain.as_view()),
    path("users-by-time/", UsersByTime.as_view({"get": "list"})),
]

urlpatterns = [
    path("api/v1/probe/", include(probe_patterns)),
    path("", include("config.urls")),
]
