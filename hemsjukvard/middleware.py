"""A lost database connection (PostgreSQL restarting, a backend terminated) is an outage, not a bug.

Such a request answers 503 with ``Retry-After`` — the API's JSON error shape under ``/api/``, a plain
page elsewhere — instead of a 500. Services are atomic, so the failed request changed nothing; Django
drops the broken connection when the request ends, and with ``CONN_HEALTH_CHECKS`` the next request
connects afresh, so the app recovers by itself when the database is back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from hemsjukvard.api.errors import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, service_unavailable_response

logger = logging.getLogger(__name__)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = service_unavailable_response()
    else:
        # No request context: the usual page header counts the user's work, which needs the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exception)
        return database_unavailable_response(request)
