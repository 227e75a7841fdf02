"""Optimistic concurrency for the API: ETags on reads, ``If-Match`` required on writes."""

from __future__ import annotations

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"
    default_detail = _("Send the If-Match header with the ETag from your last read of this resource.")


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = _(
        "Someone else has changed this resource since you read it. Read it again and redo your change."
    )


def etag_for(instance: models.Model, *, version: object | None = None) -> str:
    marker = version if version is not None else getattr(instance, "updated_at", None)
    raw = f"{instance._meta.label}:{instance.pk}:{marker}".encode()
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


class WildcardPreconditionRefused(PreconditionRequired):
    default_code = "if_match_wildcard"
    default_detail = _(
        "If-Match: * is not accepted here: send the ETag from your last read of this resource, so that "
        "your change is not made on a state you have not seen."
    )


def if_match_current(request: Request, current: str) -> bool:
    """Whether the request's ``If-Match`` names ``current``: ``False`` when stale (the caller decides
    whether that is 412), 428 when missing, and 428 for ``*``.

    ``*`` matches any version, so it would let a request act on whatever state it finds (twenty
    "escalate" requests would climb twenty levels, a SIP would be finalised over a colleague's edit):
    every write names the version it was made on.
    """
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    candidates = {value.strip().removeprefix("W/") for value in header.split(",")}
    if "*" in candidates:
        raise WildcardPreconditionRefused()
    return current in candidates


def require_if_match(request: Request, current: str) -> None:
    if not if_match_current(request, current):
        raise PreconditionFailed()
