import logging
import re
import time
import uuid

from config.logging import request_id_var

REQUEST_ID_HEADER = "X-Request-ID"
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

access_log = logging.getLogger("studio.request")


class RequestLogMiddleware:
    """Gives every request an id and writes one log line for it when it is answered.

    The id is taken from `X-Request-ID` when the caller sends a sane one, returned in the same
    header, attached to every log record written while serving (config.logging), and quoted
    in 500 responses. The line holds method, path (no query string: it may carry secrets),
    status, user id and latency.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = incoming if _CLIENT_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        context = request_id_var.set(request.request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            user = getattr(request, "user", None)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "fields": {
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "user_id": str(user.pk)
                        if user is not None and user.is_authenticated
                        else None,
                        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                },
            )
            return response
        finally:
            request_id_var.reset(context)
