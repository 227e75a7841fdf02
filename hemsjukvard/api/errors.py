"""One error shape for the whole API.

Every error answer is ``{"error": {"code": ..., "message": ..., "fields": {...}}}``: ``code`` is stable
for programs, ``message`` is for people (in the request's language), ``fields`` names each invalid field
with its messages. Unexpected exceptions are not caught here: they are bugs and must surface; the one
exception is a lost database connection, which is an outage, not a bug: 503 ``service_unavailable``
with ``Retry-After`` (here for the API, in ``hemsjukvard.middleware`` for everything else).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hemsjukvard.errors import NotPermitted, StaleVersionError, StateConflictError

from .concurrency import PreconditionFailed


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the current state of the resource."

    def __init__(self, detail: str | None = None, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.extra = extra or {}


# Seconds a client is asked to wait before trying again after a 503.
RETRY_AFTER_SECONDS = 5
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    default_detail = "The service is briefly unavailable; try again shortly."


def service_unavailable_body() -> dict[str, Any]:
    return {
        "error": {
            "code": ServiceUnavailable.default_code,
            "message": _("The service is briefly unavailable; try again shortly."),
        }
    }


def service_unavailable_response() -> JsonResponse:
    """The API's 503 when the database cannot be reached; nothing was changed."""
    response = JsonResponse(service_unavailable_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def invalid_response(fields: dict[str, list[str]]) -> JsonResponse:
    """The API's 400 for input refused before any view saw it (``hemsjukvard.request_checks``)."""
    message = _("The request contains invalid data; see the fields.")
    return JsonResponse(
        {"error": {"code": "invalid", "message": message, "fields": fields}},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def _codes(detail: Any) -> Any:
    if isinstance(detail, exceptions.ErrorDetail):
        return detail.code
    return None


def _from_domain(exc: Exception) -> Exception:
    """A service's domain error (``hemsjukvard.errors``) as the API answers it: 409, 412 or 403."""
    if isinstance(exc, StateConflictError):
        return Conflict(exc.message, extra=exc.extra)
    if isinstance(exc, StaleVersionError):
        return PreconditionFailed(exc.message)
    if isinstance(exc, NotPermitted):
        return exceptions.PermissionDenied(str(exc), code=exc.code)
    return exc


def _request_fields(messages: dict[str, list[str]], context: dict[str, Any]) -> dict[str, Any]:
    """A model's errors under the names the request used: a view whose fields differ from its model's
    says how in ``error_field_names`` (model field → request field; ``a.b`` for field ``b`` of the
    request's object ``a``, nested as a serializer's own errors are)."""
    names: dict[str, str] = getattr(context.get("view"), "error_field_names", {})
    renamed: dict[str, Any] = {}
    for field, field_messages in messages.items():
        *outer, name = names.get(field, field).split(".")
        target = renamed
        for part in outer:
            target = target.setdefault(part, {})
        target.setdefault(name, []).extend(field_messages)
    return renamed


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _from_domain(exc)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(_request_fields(exc.message_dict, context))
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DATABASE_UNAVAILABLE):
        # The service's transaction has rolled back (services are atomic), so nothing is half-written;
        # Django drops the broken connection when the request ends, and the next one connects afresh.
        exc = ServiceUnavailable(_("The service is briefly unavailable; try again shortly."))

    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response

    body: dict[str, Any]
    if isinstance(exc, exceptions.ValidationError):
        invalid = exc.detail
        fields = _flatten(invalid) if isinstance(invalid, dict) else {"non_field_errors": _flatten(invalid)}
        body = {
            "code": "invalid",
            "message": _("The request contains invalid data; see the fields."),
            "fields": fields,
        }
    else:
        detail = exc.detail
        body = {
            "code": _codes(detail) or exc.default_code,
            "message": str(detail) if not isinstance(detail, dict | list) else str(exc.default_detail),
        }
        if isinstance(exc, Conflict):
            body.update(exc.extra)
        if isinstance(exc, ServiceUnavailable):
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.data = {"error": body}
    return response
