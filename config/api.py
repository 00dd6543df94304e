"""Base classes every API view and viewset inherits.

They add two things DRF does not do by itself:
- the check order of docs/spec/API.md §3, 401 → 429 → 404 → 403: DRF checks permissions
  before throttles, so a denial other than "not signed in" waits until the throttles have
  run;
- the request body cap of docs/spec/API.md §1: DRF streams JSON bodies without Django's
  DATA_UPLOAD_MAX_MEMORY_SIZE check, so the declared length is checked here (413).

The mixins at the end are what the apps' viewsets share: request shapes apart from the
response shape, responses re-read after a write, and filters that only shape lists.

Every request body is read through `validated_body()` (or a view's `validated()` /
`get_serializer(data=request.data)`, which use it): a field the request serializer does not
take is a 400 naming it, never silently dropped (docs/api.md "Unknown fields").
"""

from collections.abc import Mapping
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions, generics, mixins, views, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, ListSerializer, Serializer
from rest_framework.status import HTTP_200_OK

from config.exceptions import PayloadTooLarge
from config.filters import FilterBackend

UNKNOWN_FIELD = "Unknown field: this endpoint does not take it."
READ_ONLY_FIELD = "Read-only field: leave it out of the request."
# A form posted from a session (the browsable API's upload form) carries its CSRF token.
CSRF_FORM_FIELD = "csrfmiddlewaretoken"


def unknown_fields(serializer, data, shown=()):
    """`{dotted path: [message]}` for each key of `data` that `serializer` does not write,
    nested serializers included. A field the serializer or the response shape (`shown`) holds
    read-only is named as such, so a client that sends back what it read learns why."""
    if not isinstance(data, Mapping):
        return {}
    refused = {}
    for key, value in data.items():
        if key == CSRF_FORM_FIELD:
            continue
        field = serializer.fields.get(key)
        if field is None or field.read_only:
            known = field is not None or key in shown
            refused[str(key)] = [READ_ONLY_FIELD if known else UNKNOWN_FIELD]
        elif isinstance(field, ListSerializer) and isinstance(value, list):
            for index, item in enumerate(value):
                refused.update(nested_paths(f"{key}.{index}", unknown_fields(field.child, item)))
        elif isinstance(field, Serializer):
            refused.update(nested_paths(key, unknown_fields(field, value)))
    return refused


def nested_paths(prefix, refused):
    return {f"{prefix}.{path}": messages for path, messages in refused.items()}


def refuse_unknown_fields(serializer, shown=()):
    """A 400 naming every field of the request body (`serializer.initial_data`) that
    `serializer` does not write (`unknown_fields`)."""
    refused = unknown_fields(serializer, serializer.initial_data, shown)
    if refused:
        raise exceptions.ValidationError(refused)


def checked_body(serializer_class, request, *, instance=None, context=None, shown=()):
    """`serializer_class` holding the request body, valid, partially when it edits
    `instance`; a field it does not take is refused (`refuse_unknown_fields`)."""
    serializer = serializer_class(
        instance,
        data=request.data,
        partial=instance is not None,
        context=context if context is not None else {"request": request},
    )
    refuse_unknown_fields(serializer, shown)
    serializer.is_valid(raise_exception=True)
    return serializer


def validated_body(serializer_class, request, **options):
    """The request body's `validated_data` (`checked_body`)."""
    return checked_body(serializer_class, request, **options).validated_data


def declares_no_body(view, request):
    """Whether the handler's `@extend_schema(request=None)` says it takes no request body."""
    handler = getattr(view, getattr(view, "action", None) or request.method.lower(), None)
    schema_class = getattr(handler, "kwargs", {}).get("schema")
    if schema_class is None:
        return False
    schema = schema_class()
    schema.view = view
    schema.method = request.method
    return schema.get_request_serializer() is None


def response_fields(view):
    """The field names of `view`'s response shape: read-only to a request."""
    serializer_class = getattr(view, "serializer_class", None)
    return shown_fields(serializer_class) if serializer_class else ()


@cache
def shown_fields(serializer_class):
    return tuple(serializer_class().fields)


class ApiViewMixin:
    max_body_size = None  # bytes; None means DATA_UPLOAD_MAX_MEMORY_SIZE

    def initial(self, request, *args, **kwargs):
        self._check_body_size(request)
        self._deferred_denial = None
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            self.check_scope()
            self._refuse_unwanted_body(request)

    def check_scope(self):
        """Looks up what the URL scopes the call to, before the body is read (ScopeFirstMixin)."""

    def _refuse_unwanted_body(self, request):
        """A body sent to an endpoint whose schema declares none (`request=None`): each of its
        fields is unknown there. A row the caller cannot see is still a 404 first, and a body
        that cannot be parsed is left unread, as the endpoint leaves it."""
        if request.method in SAFE_METHODS or not declares_no_body(self, request):
            return
        try:
            data = request.data
        except (exceptions.ParseError, exceptions.UnsupportedMediaType):
            return
        if isinstance(data, Mapping) and data:
            lookup = getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", None)
            if lookup in self.kwargs:
                self.get_object()  # another user's row: the 404 comes before this 400
            raise exceptions.ValidationError({str(key): [UNKNOWN_FIELD] for key in data})

    def check_permissions(self, request):
        try:
            super().check_permissions(request)
        except exceptions.NotAuthenticated:
            raise
        except exceptions.PermissionDenied as denial:
            self._deferred_denial = denial

    def check_throttles(self, request):
        super().check_throttles(request)
        if self._deferred_denial is not None:
            raise self._deferred_denial

    def _check_body_size(self, request):
        limit = self.max_body_size or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise PayloadTooLarge()


class CheckedBodyMixin:
    """For generic views only: DRF's OPTIONS describes a view's form when it has
    `get_serializer`, so a plain APIView must not gain one."""

    def get_serializer(self, *args, **kwargs):
        """A generic view's serializer; one that reads the request body refuses the fields
        it does not take."""
        serializer = super().get_serializer(*args, **kwargs)
        if "data" in kwargs and kwargs["data"] is self.request.data:
            refuse_unknown_fields(serializer, response_fields(self))
        return serializer


class APIView(ApiViewMixin, views.APIView):
    pass


class GenericAPIView(ApiViewMixin, CheckedBodyMixin, generics.GenericAPIView):
    pass


class GenericViewSet(ApiViewMixin, CheckedBodyMixin, viewsets.GenericViewSet):
    pass


class ShapesMixin:
    """Request bodies read by a request serializer, responses rendered by `serializer_class`."""

    def validated(self, serializer_class=None, *, instance=None):
        """The request body checked by `serializer_class` (by default this action's request
        serializer), partially when it edits `instance`."""
        return self.checked(serializer_class, instance=instance).validated_data

    def checked(self, serializer_class=None, *, instance=None):
        """`validated()`'s serializer, for a write that saves through it."""
        return checked_body(
            serializer_class or self.get_serializer_class(),
            self.request,
            instance=instance,
            context=self.get_serializer_context(),
            shown=response_fields(self),
        )

    def respond(self, instance, status_code=HTTP_200_OK, headers=None):
        data = self.serializer_class(instance, context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers=headers)

    def read(self, instance, status_code=HTTP_200_OK, headers=None):
        """The response to a write: the row re-read through `get_queryset()`, so it shows what
        a read would."""
        fresh = get_object_or_404(self.get_queryset(), pk=instance.pk)
        return self.respond(fresh, status_code, headers)


class ActionShapesMixin(ShapesMixin):
    """A request serializer per action (`write_serializers`); `serializer_class` otherwise."""

    write_serializers = {}

    def get_serializer_class(self):
        return self.write_serializers.get(self.action, self.serializer_class)


class ListFiltersMixin:
    """Filters, search and ordering shape the list; they never hide a row from a detail route
    or an action."""

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


@cache
def serializer_columns(serializer_class, computed=()):
    """`(key, column)` for each field of `serializer_class`, in its order: the column is the
    field's `source`, which must be a plain column (a foreign key reads as its id). A field
    named in `computed` (a nested serializer, a property) has no column (`None`): the caller
    builds its value, so a field added to the serializer is read without a second list."""
    columns = []
    for name, field in serializer_class().fields.items():
        if name in computed:
            columns.append((name, None))
        elif isinstance(field, BaseSerializer) or "." in field.source or field.source == "*":
            raise ImproperlyConfigured(f"{serializer_class.__name__}.{name} is not a column.")
        else:
            columns.append((name, field.source))
    return tuple(columns)


def related_columns(serializer_class, relation):
    """`(key, column)` of `serializer_class`'s columns read through the foreign key
    `relation` of another model's rows (`"assignee"` → `"assignee__username"`)."""
    return tuple(
        (key, f"{relation}__{column}") for key, column in serializer_columns(serializer_class)
    )


def row_with(columns, row, computed):
    """`row` under the keys of `columns` (`serializer_columns(…, computed)`), in the
    serializer's order: a column's value read from `row`, a computed field's from `computed`."""
    return {key: computed[key] if column is None else row[column] for key, column in columns}


def values_for(queryset, serializer_class):
    """`queryset` as `.values()` rows of the columns `serializer_class` reads."""
    return queryset.values(*(column for _, column in serializer_columns(serializer_class)))


def rows_as(serializer_class, rows):
    """`values_for()` rows under `serializer_class`'s keys: its output, left to the orjson
    renderer, which writes UUIDs and datetimes as DRF's fields do. Where a serializer was
    most of a hot read's time (PERFORMANCE.md W2, W3), this replaces it; the serializer stays
    the schema, and the tests pin the JSON to its own."""
    columns = serializer_columns(serializer_class)
    return [{key: row[column] for key, column in columns} for row in rows]


class ColumnsListMixin(mixins.ListModelMixin):
    """A paginated list of `serializer_class`'s rows rendered by `rows_as()`.

    With `prepared_pages` (`config.pagination.PreparedPages` of the same rows, built from the
    caller's id as `owner` and the filterset's `formless` filters), a request that names no
    other filter reads its page through a statement compiled once per shape (W2, the ledger).
    """

    prepared_pages = None

    def list(self, request, *args, **kwargs):
        if self.prepared_pages is not None and FilterBackend.may_skip(
            self.filterset_class, request.query_params
        ):
            values = self.filterset_class.cleaned_formless(request.query_params)
            page = self.paginator.paginate_prepared(
                self.prepared_pages, request, owner=request.user.pk, **values
            )
        else:
            rows = values_for(self.get_queryset(), self.serializer_class)
            page = self.paginate_queryset(self.filter_queryset(rows))
        return self.get_paginated_response(rows_as(self.serializer_class, page))


class ScopeFirstMixin:
    """Looks up the row the URL scopes every call to (`scope()`: the project under
    `projects/{pid}/`) right after the authentication, throttle and permission checks, so that
    another user's row is a 404 before the body is read: before any 400 or 415. A method the
    route does not serve has no action: it stays a 405."""

    def check_scope(self):
        if self.action is not None:
            self.scope()

    def scope(self):
        return self.project


# Edits are PATCH: a PUT would have to carry every field, and the services take changes.
NO_PUT = ["get", "post", "patch", "delete", "head", "options"]


class StudioViewSet(ListFiltersMixin, ActionShapesMixin, GenericViewSet):
    """The one base of every app's viewsets.

    - Permissions per action: `action_permissions[action]` when it names the action, else the
      view's `permission_classes` (the settings' default, a signed-in caller, or what an
      `@action` declares).
    - Request shapes per action in `write_serializers`, apart from the response shape
      (`serializer_class`); responses to writes re-read through `get_queryset()`.
    - Filters shape lists only; UUID ids; no PUT.
    """

    http_method_names = NO_PUT
    lookup_value_converter = "uuid"
    action_permissions = {}

    def get_permissions(self):
        classes = self.action_permissions.get(self.action)
        if classes is None:
            return super().get_permissions()
        return [permission() for permission in classes]


class OwnRowsViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, StudioViewSet
):
    """The caller's rows of `model` (its `visible_to`), newest first; anyone else's is a 404.
    The `deferred` columns (encrypted secrets) are never loaded."""

    model = None
    deferred = ()

    def get_queryset(self):
        rows = self.model.objects.visible_to(self.request.user)
        if self.deferred:
            rows = rows.defer(*self.deferred)
        return rows.order_by("-created_at", "-id")
