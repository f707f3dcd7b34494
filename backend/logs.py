"""Logs an operator can search by request id, and that hold no personal data and no credentials.

Every record goes out as one line: JSON (``LOG_FORMAT=json``, the production default) or text.
Both formats mask device tokens, which travel in URLs (``/key/{token}/`` and Enketo's ``?st=``).
The JSON formatter writes an allowlist of fields, never a record's other attributes: Django puts
the request object on its records (its repr holds the URL, token included), and any future
``extra=`` would otherwise reach the log unreviewed. Query strings are not logged at all, since
they carry the ``st`` token and a DPO's stated reason for reading raw data.

Written on the standard library rather than python-json-logger: that library copies every extra
attribute of a record by default, the opposite of the allowlist wanted here.
"""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

from celery import current_task

from backend.env import MissingSetting, env_str

TOKEN_IN_PATH = re.compile(r"/key/[^/?\s]+")
TOKEN_IN_QUERY = re.compile(r"(^|[?&])st=[^&\s]+")
# A DPO's reason for reading raw data can name the person ("call back Amina, case 41"): it is
# in the audit trail, never in access logs.
REASON_IN_QUERY = re.compile(r"(^|[?&])reason=[^&\s]*")

# The request being served in this thread: its id, method and masked path (set by
# backend.request_id.RequestIdMiddleware, read by RequestContextFilter).
request_context: ContextVar[dict[str, str] | None] = ContextVar("request_context", default=None)

# Record attributes the JSON lines carry besides time, level, logger and message.
CONTEXT_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "bytes", "task_id")


def mask(text: str) -> str:
    """Mask device tokens and raw-read reasons in a path, a full URI, a bare query string or a
    whole log line."""
    masked = TOKEN_IN_QUERY.sub(r"\1st=***", TOKEN_IN_PATH.sub("/key/***", text))
    return REASON_IN_QUERY.sub(r"\1reason=***", masked)


def log_format() -> str:
    """``LOG_FORMAT``: ``json`` or ``text``; JSON by default in production, text otherwise.

    Read from the environment rather than Django's settings because gunicorn's master process,
    which writes the access log, never loads the settings."""
    production = env_str("WAYPOINT_ENV", "development") == "production"
    value = env_str("LOG_FORMAT", "json" if production else "text")
    if value not in {"json", "text"}:
        raise MissingSetting(f"LOG_FORMAT must be json or text, got {value!r}.")
    return value


class RequestContextFilter(logging.Filter):
    """Adds the current request's id, method and path, and the current Celery task's id, to every
    record (values the record already carries, such as gunicorn's access fields, are kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = request_context.get()
        if context is None:
            # Django logs a refused request ("Bad Request: ...") after the middleware has
            # returned, with the request on the record.
            context = getattr(getattr(record, "request", None), "log_context", None)
        for key, value in (context or {}).items():
            if getattr(record, key, None) is None:
                setattr(record, key, value)
        task = current_task  # a proxy: falsy outside a task, also in eager (in-process) runs
        if task and getattr(record, "task_id", None) is None:
            record.task_id = task.request.id
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and the context fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
        }
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        status_code = getattr(record, "status_code", None)  # as django.request and .server name it
        if status_code is not None and "status" not in entry:
            entry["status"] = status_code
        if record.exc_info:
            entry["exception"] = mask(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = mask(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def celery_handlers_restyle(logger: logging.Logger, **kwargs) -> None:
    """Put Waypoint's filter, and in JSON mode its formatter, on the handlers a Celery worker or
    beat just set up (connected to Celery's ``after_setup_logger`` signals in backend/celery.py).

    Celery keeps choosing where lines go (stderr, or ``--logfile`` as deploy/local.sh uses); in
    text mode its own format, which names the pool process, stays."""
    json_lines = log_format() == "json"
    for handler in logger.handlers:
        if json_lines:
            handler.setFormatter(JsonFormatter())
        if not any(isinstance(f, RequestContextFilter) for f in handler.filters):
            handler.addFilter(RequestContextFilter())


class TextFormatter(logging.Formatter):
    """A readable line for development, masked the same way, with the request id when there is
    one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # the line before any traceback
        line = super().formatMessage(record)
        request_id = getattr(record, "request_id", None)
        return f"{line} [request {request_id}]" if request_id else line

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))
