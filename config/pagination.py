import base64
import binascii
import uuid
from datetime import UTC, datetime

import orjson
from django.core.exceptions import ImproperlyConfigured
from django.db import router
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from config.prepared import PreparedQuery


class PageNumberPagination(pagination.PageNumberPagination):
    """`page` and `page_size` (default 25, silently capped at 100), with a total count."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


KEYSET_ORDER = {True: ("-created_at", "-id"), False: ("created_at", "id")}


def beyond(position, descending):
    """The rows after `(created_at, id)` in the keyset order."""
    created_at, row_id = position
    if descending:
        return Q(created_at__lte=created_at) & (Q(created_at__lt=created_at) | Q(id__lt=row_id))
    return Q(created_at__gte=created_at) & (Q(created_at__gt=created_at) | Q(id__gt=row_id))


class PreparedPages:
    """Keyset pages of one `.values()` queryset, each shape compiled once per process
    (config/prepared.py): building and compiling the page's queryset was a quarter of W2's
    time. `build(**values)` is the queryset, unordered, where every value is optional;
    `stand_ins` gives each a stand-in as `PreparedQuery` needs them. A shape is the values
    given, the order, whether a cursor is, and the page's size."""

    POSITION = {
        "position_at": datetime(1999, 9, 9, 9, 9, 9, tzinfo=UTC),
        "position_id": uuid.UUID(int=9),
    }

    def __init__(self, model, build, **stand_ins):
        if set(stand_ins) & set(self.POSITION):
            raise ImproperlyConfigured(f"{', '.join(self.POSITION)} are the cursor's stand-ins.")
        self.model = model
        self.build = build
        self.stand_ins = stand_ins
        self.shapes = {}

    def rows(self, values, position, *, descending, limit):
        """The first `limit` rows of `build(**values)` beyond `position` in the keyset order."""
        shape = (frozenset(values), descending, position is not None, limit)
        prepared = self.shapes.get(shape)
        if prepared is None:
            prepared = self.shapes[shape] = self.prepare(*shape)
        if position is not None:
            values = {**values, "position_at": position[0], "position_id": position[1]}
        return prepared.rows(router.db_for_read(self.model), **values)

    def prepare(self, names, descending, has_position, limit):
        def page(**stand_ins):
            queryset = self.build(**{name: stand_ins[name] for name in names})
            queryset = queryset.order_by(*KEYSET_ORDER[descending])
            if has_position:
                at = (stand_ins["position_at"], stand_ins["position_id"])
                queryset = queryset.filter(beyond(at, descending))
            return queryset[:limit]

        stand_ins = {name: self.stand_ins[name] for name in names}
        return PreparedQuery(page, **stand_ins, **(self.POSITION if has_position else {}))


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
        position, backwards, descending = self._start(request)
        queryset = queryset.order_by(*KEYSET_ORDER[descending])
        if position is not None:
            queryset = queryset.filter(self._beyond(position, descending))
        return self._page(list(queryset[: self.page_size + 1]), position, backwards)

    def paginate_prepared(self, pages, request, **values):
        """The page `paginate_queryset` would give of `pages.build(**values)`, through its
        statement compiled once per shape (`PreparedPages`)."""
        position, backwards, descending = self._start(request)
        rows = pages.rows(values, position, descending=descending, limit=self.page_size + 1)
        return self._page(rows, position, backwards)

    def _start(self, request):
        """`(position, backwards, descending)` of the page the request asks for."""
        self.request = request
        self.page_size = self._page_size(request)
        ordering = request.query_params.get(self.ordering_query_param, self.default_ordering)
        if ordering not in self.orderings:
            raise ValidationError(
                {self.ordering_query_param: [f"Use one of {', '.join(self.orderings)}."]}
            )
        self.ordering = ordering
        position, backwards = self._decode_cursor(request)
        return position, backwards, (ordering == "-created_at") != backwards

    def _page(self, rows, position, backwards):
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

    _beyond = staticmethod(beyond)

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
        cursor = base64.urlsafe_b64encode(payload).decode()
        # It replaces the request's cursor and sorts the parameters: one parse of the URL.
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, cursor
        )
