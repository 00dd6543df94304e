"""Structured logs: every line carries the request id; production writes JSON lines."""

import logging
from contextvars import ContextVar
from datetime import UTC, datetime

import orjson

request_id_var = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served, if any."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the record's
    `fields` (passed as `extra={"fields": {...}}`)."""

    def format(self, record):
        payload = {
            "time": datetime.fromtimestamp(record.created, tz=UTC),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(payload, option=orjson.OPT_UTC_Z, default=str).decode()
