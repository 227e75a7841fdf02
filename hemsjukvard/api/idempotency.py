"""``Idempotency-Key`` for the API's creating ``POST``s: a retried request gets the first answer again.

* same caller, method, path and key, same body → the first answer's status and ``Location`` with
  ``Idempotent-Replayed: true``, and the answered record **read again** through the view's own read
  (``retrieve`` by default): the replay checks access and writes the access log like any read, and a
  caller who has lost access since gets 404. Only the answered record's id is stored, never personal
  data;
* same key, another body → 422 in the API's error shape;
* two requests with the same key at once → one result: the record is inserted before the work, in the
  same transaction, so the second insert waits on the unique index until the first commits and then
  replays its answer;
* only successful (2xx) answers are kept; an error answer frees the key so the request can be retried;
* keys expire after 24 hours (treated as absent at once, deleted by ``idempotency_purge_expired``).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast, overload

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from hemsjukvard.api.schema import ERROR_BODY
from hemsjukvard.models import IdempotencyRecord

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
LIFETIME = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = ("Location",)

IDEMPOTENCY_KEY = OpenApiParameter(
    KEY_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique key (e.g. a UUID) per intended creation. Retrying with the same key and body does "
        "the work only once: the answer has the first status and `Idempotent-Replayed: true`, with the "
        "created record read again as it is now (access checked and logged like any read; 404 if you "
        "may no longer see it). The same key with another body is 422. Keys are kept for 24 hours."
    ),
)
IDEMPOTENCY_RESPONSES = {
    422: OpenApiResponse(
        ERROR_BODY, description="The Idempotency-Key was already used with another request body."
    ),
}


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _(
        "This Idempotency-Key was already used with another request body. Use a new key for a new request."
    )


class IdempotencyKeyInvalid(exceptions.ValidationError):
    pass


def _caller(request: Request) -> str:
    client = getattr(request, "api_client", None) or getattr(request.auth, "client", None)
    user = request.user
    if client is not None and getattr(client, "pk", None) is not None:
        # A client acting for a person (``X-On-Behalf-Of``) keeps a key space per person: a replay
        # answers only the person whose request made the first answer.
        if getattr(user, "pk", None) not in (None, getattr(client, "service_user_id", None)):
            return f"client:{client.pk}:user:{user.pk}"
        return f"client:{client.pk}"
    return f"user:{getattr(user, 'pk', None)}"


def _body_hash(request: Request) -> str:
    try:
        canonical = json.dumps(request.data, sort_keys=True, default=str, separators=(",", ":"))
    except (TypeError, ValueError):  # pragma: no cover - parsed JSON always serialises
        canonical = repr(request.data)
    return hashlib.sha256(canonical.encode()).hexdigest()


Reread = Callable[[Any, Request, str | None, dict[str, Any]], Response]
"""How a view answers a replay: ``(view, request, answered_id, view_kwargs)``; the id is None when the
first answer named no record."""


def reread_by_retrieve(
    view: Any, request: Request, answered_id: str | None, kwargs: dict[str, Any]
) -> Response:
    """The default: the viewset's own ``retrieve`` of the answered record (access check and log)."""
    if answered_id is None:
        return Response(None)
    return cast(Response, view.retrieve(request, id=answered_id))


def _replay(
    view: Any, request: Request, record: IdempotencyRecord, kwargs: dict[str, Any], reread: Reread
) -> Any:
    answered = str(record.answered_id) if record.answered_id is not None else None
    response = reread(view, request, answered, kwargs)
    response.status_code = record.response_status or response.status_code
    for name, value in (record.response_headers or {}).items():
        if name in REPLAYED_HEADERS:
            response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _answered_id(data: Any) -> uuid.UUID | None:
    if not isinstance(data, dict):
        return None
    try:
        return uuid.UUID(str(data.get("id")))
    except ValueError:
        return None


# Exceptions that the API's exception handler turns into a 4xx answer; they leave the database usable.
_ANSWERED = (exceptions.APIException, Http404, DjangoPermissionDenied, DjangoValidationError)

View = TypeVar("View", bound=Callable[..., Any])


@overload
def idempotent(view: View, /) -> View: ...


@overload
def idempotent(*, reread: Reread) -> Callable[[View], View]: ...


def idempotent(view: View | None = None, /, *, reread: Reread = reread_by_retrieve) -> Any:
    """Make a viewset action honour ``Idempotency-Key``.

    A replay answers the first status and reads the answered record again with ``reread`` (by default
    the viewset's ``retrieve``), so access is checked and the read is logged as for any other read.
    """
    if view is None:
        return functools.partial(_idempotent, reread=reread)
    return _idempotent(view, reread=reread)


def _idempotent(view: View, *, reread: Reread) -> View:
    @functools.wraps(view)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(KEY_HEADER, "")
        if not key:
            return view(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH or not key.isprintable():
            raise IdempotencyKeyInvalid({KEY_HEADER: [_("Send a key of at most 255 printable characters.")]})
        identity = {
            "caller": _caller(request),
            "method": request.method or "",
            "path": request.path,
            "key": key,
        }
        body_hash = _body_hash(request)
        now = timezone.now()
        with transaction.atomic():
            IdempotencyRecord.objects.filter(**identity, expires_at__lte=now).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        **identity, request_hash=body_hash, expires_at=now + LIFETIME
                    )
            except IntegrityError:
                # Another request with this key got there first; the insert waited for it to commit.
                existing = IdempotencyRecord.objects.filter(**identity).first()
                if existing is None:  # it failed and freed the key meanwhile: ask the client to retry
                    raise exceptions.APIException(
                        _("A request with this Idempotency-Key was running; send it again.")
                    ) from None
                if existing.request_hash != body_hash:
                    raise IdempotencyKeyReused() from None
                if not existing.completed:  # pragma: no cover - records commit only completed
                    raise exceptions.APIException(
                        _("A request with this Idempotency-Key is still running.")
                    ) from None
                try:
                    return _replay(self, request, existing, kwargs, reread)
                except _ANSWERED as exc:  # e.g. access lost since: answer it, keep the denial's log row
                    return self.handle_exception(exc)
            if record.request_hash != body_hash:  # pragma: no cover - a fresh record has our hash
                raise IdempotencyKeyReused()
            try:
                response = view(self, request, *args, **kwargs)
            except _ANSWERED as exc:
                # Answer the error as DRF would, keep what the view logged (access log), free the key.
                record.delete()
                return self.handle_exception(exc)
            if not isinstance(response, Response) or not 200 <= response.status_code < 300:
                record.delete()
                return response
            record.completed = True
            record.response_status = response.status_code
            record.answered_id = _answered_id(response.data)
            record.response_headers = {
                name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)
            }
            record.save(update_fields=["completed", "response_status", "answered_id", "response_headers"])
            return response

    return cast(View, wrapper)


def idempotency_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete expired records; returns how many."""
    deleted, _counts = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
