import base64
import binascii
import uuid

import orjson
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` and `page_size` (default 25, silently capped at 100), with a total count."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class KeysetCursorPagination(pagination.BasePagination):
    """Cursor pagination over `(created_at, id)` for insert-only tables (docs/spec/API.md §5).

    A cursor is the position of a row, so a page costs one indexed range query whatever the
    table holds, and no COUNT is run. Rows may be model instances or `.values()` dicts that
    include `created_at` and `id`. `ordering` chooses `created_at` or `-created_at`; the
    default is the class's `default_ordering`.
    """

    page_size = 50
    max_page_size = 200
    default_ordering = "-created_at"
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"
    orderings = ("created_at", "-created_at")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self._page_size(request)
        ordering = request.query_params.get(self.ordering_query_param, self.default_ordering)
        if ordering not in self.orderings:
            raise ValidationError(
                {self.ordering_query_param: [f"Use one of {', '.join(self.orderings)}."]}
            )
        self.ordering = ordering
        position, backwards = self._decode_cursor(request)
        descending = (ordering == "-created_at") != backwards
        if descending:
            queryset = queryset.order_by("-created_at", "-id")
        else:
            queryset = queryset.order_by("created_at", "id")
        if position is not None:
            queryset = queryset.filter(self._beyond(position, descending))
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        self.next_position = self.previous_position = None
        if rows and backwards:
            self.next_position = self._position(rows[-1])
            self.previous_position = self._position(rows[0]) if more else None
        elif rows:
            self.next_position = self._position(rows[-1]) if more else None
            self.previous_position = self._position(rows[0]) if position is not None else None
        return rows

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.next_position, backwards=False),
                "previous": self._link(self.previous_position, backwards=True),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The pagination cursor value.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (at most {self.max_page_size}).",
                "schema": {"type": "integer"},
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": f"Order by creation time (default `{self.default_ordering}`).",
                "schema": {"type": "string", "enum": list(self.orderings)},
            },
        ]

    def _page_size(self, request):
        value = request.query_params.get(self.page_size_query_param, "")
        if value.isdigit() and int(value) > 0:
            return min(int(value), self.max_page_size)
        return self.page_size

    @staticmethod
    def _position(row):
        if isinstance(row, dict):
            return row["created_at"], row["id"]
        return row.created_at, row.id

    @staticmethod
    def _beyond(position, descending):
        created_at, row_id = position
        if descending:
            return Q(created_at__lte=created_at) & (Q(created_at__lt=created_at) | Q(id__lt=row_id))
        return Q(created_at__gte=created_at) & (Q(created_at__gt=created_at) | Q(id__gt=row_id))

    def _decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None, False
        try:
            payload = orjson.loads(base64.urlsafe_b64decode(encoded.encode("ascii")))
            created_at = parse_datetime(payload["t"])
            row_id = uuid.UUID(payload["i"])
            backwards = bool(payload["b"])
            if created_at is None or created_at.tzinfo is None:
                raise ValueError
        except (
            UnicodeEncodeError,
            binascii.Error,
            orjson.JSONDecodeError,
            KeyError,
            TypeError,
            ValueError,
        ):
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from None
        return (created_at, row_id), backwards

    def _link(self, position, *, backwards):
        if position is None:
            return None
        created_at, row_id = position
        payload = orjson.dumps({"t": created_at.isoformat(), "i": str(row_id), "b": backwards})
        url = remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        cursor = base64.urlsafe_b64encode(payload).decode()
        return replace_query_param(url, self.cursor_query_param, cursor)
