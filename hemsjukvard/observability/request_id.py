"""A request id on every log line, from the request into the Celery tasks it causes.

The id is the caller's ``X-Request-ID`` when it is a plain token (a proxy's or an integrator's, so their
logs and ours meet), otherwise a new one; it is sent back in the answer's ``X-Request-ID``. The outbox
stores it with each task it writes (``hemsjukvard.outbox``) and publishes it as a task header, and the
worker puts it back before the task runs (``hemsjukvard.celery``).
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_TASK_HEADER = "request_id"
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(value: str | None) -> str:
    """The caller's id if it is a plain token of sensible length, else a new one."""
    return value if value and _ACCEPTED.match(value) else new_request_id()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


def request_id_of_task(task_request: object) -> str:
    """The request id a task was sent with (a custom Celery header), or a new one for the task."""
    value = getattr(task_request, REQUEST_ID_TASK_HEADER, None)
    if not value:
        headers = getattr(task_request, "headers", None) or {}
        value = headers.get(REQUEST_ID_TASK_HEADER) if isinstance(headers, dict) else None
    return request_id_from(value if isinstance(value, str) else None)
