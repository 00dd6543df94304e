"""The API's one error shape (docs/spec/API.md §4) and the domain errors services raise.

Every 4xx/5xx body is `{"code", "message", "fields"}`. `code` is stable and tests assert on it;
`fields` maps dotted field paths to messages and is `{}` when nothing is per field.
"""

import logging
import re
import sys

from django.apps import apps
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.views import csrf, defaults
from psycopg import errors as pg_errors
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config.renderers import ORJSONRenderer

logger = logging.getLogger("studio.api")
security_log = logging.getLogger("studio.security")

VALIDATION_MESSAGE = "Some fields are not valid."


class DomainError(Exception):
    """A broken domain rule: stable `code`, HTTP `status`, a message for people.

    Services raise subclasses; the API answers them in the error shape and admin actions show
    their message. A subclass that names `constraint` is also the answer when that database
    constraint is violated by a race the service's own check did not see (DATA_MODEL.md §1.4).
    """

    status = status.HTTP_400_BAD_REQUEST
    code = "validation_error"
    message = VALIDATION_MESSAGE
    constraint = None
    by_constraint = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.constraint:
            DomainError.by_constraint[cls.constraint] = cls

    def __init__(self, message=None, *, fields=None):
        self.message = message or self.message
        self.fields = fields or {}
        super().__init__(self.message)


class NotAllowed(DomainError):
    """The actor may see the row but not do this to it."""

    status = status.HTTP_403_FORBIDDEN
    code = "permission_denied"
    message = "You do not have permission to perform this action."


class NotFound(DomainError):
    """No such row, or not one the actor may see: the same answer for both (STYLE.md)."""

    status = status.HTTP_404_NOT_FOUND
    code = "not_found"
    message = "Not found."


def require(allowed):
    """A service's check of its actor: `NotAllowed` unless `allowed`."""
    if not allowed:
        raise NotAllowed()


class InvalidStateTransition(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "invalid_state_transition"
    message = "This change is not allowed in the current state."


class StaleVersion(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "stale_version"
    message = "Someone else changed this first. Reload it and try again."


class AlreadyExists(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "already_exists"
    message = "This already exists."


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def error_body(code, message, fields=None):
    return {"code": code, "message": str(message), "fields": fields or {}}


def error_response(code, message, http_status, *, fields=None, headers=None):
    set_rollback()
    return Response(error_body(code, message, fields), status=http_status, headers=headers)


def flatten_errors(detail, prefix=""):
    """DRF's nested error detail as `{"dotted.path": [messages]}`."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(message) for message in messages]}


def _detail_code(exc):
    code = getattr(exc.detail, "code", None)
    return code if isinstance(code, str) else exc.default_code


def _api_exception_response(exc):
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.ValidationError):
        return error_response(
            "validation_error",
            VALIDATION_MESSAGE,
            exc.status_code,
            fields=flatten_errors(exc.detail),
        )
    if isinstance(exc, exceptions.Throttled):
        headers["Retry-After"] = str(int(exc.wait or 1))
        return error_response(
            "throttled", "Too many requests. Try again later.", exc.status_code, headers=headers
        )
    return error_response(_detail_code(exc), exc.detail, exc.status_code, headers=headers)


_KEY_COLUMNS = re.compile(r"^Key \((?P<columns>.+?)\)=\(")


def violated_unique_fields(exc):
    """The model field names of the unique key an IntegrityError violated, else []."""
    cause = exc.__cause__
    if not isinstance(cause, pg_errors.UniqueViolation):
        return []
    return _constraint_fields(cause.diag)


def _constraint_fields(diag):
    """The model field names of a violated unique key, read from PostgreSQL's diagnostics.

    Only names are returned: the detail line also holds the clashing values, which may be
    another user's data.
    """
    match = _KEY_COLUMNS.match(diag.message_detail or "")
    if not match:
        return []
    columns = [column.strip() for column in match.group("columns").split(",")]
    model = next((m for m in apps.get_models() if m._meta.db_table == diag.table_name), None)
    by_column = {f.column: f.name for f in model._meta.concrete_fields} if model else {}
    return [by_column.get(column, column) for column in columns]


def _integrity_error_response(exc):
    cause = exc.__cause__
    if isinstance(cause, pg_errors.UniqueViolation):
        domain_error = DomainError.by_constraint.get(cause.diag.constraint_name)
        if domain_error is not None:
            return _domain_error_response(domain_error())
        fields = {
            name: ["A row with this value already exists."]
            for name in _constraint_fields(cause.diag)
        }
        return error_response(
            AlreadyExists.code, AlreadyExists.message, AlreadyExists.status, fields=fields
        )
    # A check, not-null or foreign-key violation past the serializer is a serializer bug;
    # the client still gets a 400, and the log says which constraint to cover.
    logger.warning("Database refused the input: %s", getattr(cause, "sqlstate", None) or exc)
    return error_response("validation_error", VALIDATION_MESSAGE, status.HTTP_400_BAD_REQUEST)


def _domain_error_response(exc):
    return error_response(exc.code, exc.message, exc.status, fields=exc.fields)


# PostgreSQL down, restarting or unreachable: a connection that fails or breaks. The caller
# should retry shortly; Django opens a fresh connection on the next request.
DATABASE_DOWN = (OperationalError, InterfaceError)
DATABASE_RETRY_AFTER = "1"


DATABASE_UNAVAILABLE = ("database_unavailable", "The database is unavailable; retry shortly.")


def _log_database_down():
    logger.warning("Database unavailable", exc_info=True)


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every failure in the error shape, never a traceback."""
    if isinstance(exc, DomainError):
        return _domain_error_response(exc)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.APIException):
        response = _api_exception_response(exc)
        if response.status_code in (status.HTTP_401_UNAUTHORIZED, status.HTTP_403_FORBIDDEN):
            _log_denial(context.get("request"), response)
        return response
    if isinstance(exc, DATABASE_DOWN):
        _log_database_down()
        return error_response(
            *DATABASE_UNAVAILABLE,
            status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": DATABASE_RETRY_AFTER},
        )
    if isinstance(exc, IntegrityError):
        return _integrity_error_response(exc)
    if isinstance(exc, DataError):
        logger.warning("Database refused the input: %s", exc)
        return error_response("validation_error", VALIDATION_MESSAGE, status.HTTP_400_BAD_REQUEST)
    request = context.get("request")
    logger.exception("Unhandled error (request id %s)", getattr(request, "request_id", "-"))
    return error_response(
        "server_error", _server_error_message(request), status.HTTP_500_INTERNAL_SERVER_ERROR
    )


def _log_denial(request, response):
    """A security event: who was refused what. Never the credentials themselves."""
    user = getattr(request, "user", None)
    security_log.info(
        "Denied %s %s: %s",
        request.method,
        request.path,
        response.data["code"],
        extra={
            "fields": {
                "event": "denied",
                "status": response.status_code,
                "code": response.data["code"],
                "user_id": str(user.pk) if user is not None and user.is_authenticated else None,
            }
        },
    )


def _server_error_message(request):
    request_id = getattr(request, "request_id", "-")
    return f"Something went wrong on our side. Quote request id {request_id} when reporting it."


def is_api(request):
    return request.path.startswith("/api/")


def api_error_response(body, *, status):
    """An error answered outside DRF (an unrouted path, Django's own 400/403/413/500 under
    /api/) in the same bytes DRF's renderer writes, so every API error reads alike."""
    return HttpResponse(
        ORJSONRenderer().render(body), status=status, content_type=ORJSONRenderer.media_type
    )


def handler500(request):
    """Django's last resort, for what no DRF view answered (middleware, admin, plain views).
    A database that cannot be reached is a 503 `database_unavailable` here too."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        _log_database_down()
        response = JsonResponse(error_body(*DATABASE_UNAVAILABLE), status=503)
        response["Retry-After"] = DATABASE_RETRY_AFTER
        return response
    if is_api(request):
        return api_error_response(
            error_body("server_error", _server_error_message(request)), status=500
        )
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the error shape under /api/, Django's page elsewhere."""
    if is_api(request):
        body = error_body("permission_denied", "CSRF verification failed.")
        return api_error_response(body, status=403)
    return csrf.csrf_failure(request, reason=reason)


def handler400(request, exception):
    if is_api(request):
        if isinstance(exception, RequestDataTooBig):
            body = error_body("payload_too_large", PayloadTooLarge.default_detail)
            return api_error_response(body, status=413)
        return api_error_response(
            error_body("parse_error", "The request could not be read."), status=400
        )
    return defaults.bad_request(request, exception)
