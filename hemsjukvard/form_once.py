"""One-time tokens for the pages' creating forms: a back button or a double click gets the first result.

The page's counterpart of the API's ``Idempotency-Key`` (``hemsjukvard.api.idempotency``), kept in the
same store (``IdempotencyRecord``): each rendered form carries a fresh token (``FIELD``); the first POST
with it inserts the record before the work, in the same transaction, so a second POST with the same token
waits on the unique index until the first commits, and is then sent where the first one went (a redirect
to what it created; that page checks access and logs the read as any read does). Only the address of the
result is kept, never personal data. A POST that fails (a form error) frees the token, so the person can
correct the form and send it again. Tokens expire with the API's keys (24 hours).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .api.idempotency import LIFETIME
from .models import IdempotencyRecord

FIELD = "form_token"
METHOD = "FORM"


def form_token() -> str:
    """A fresh token for one rendered form."""
    return uuid.uuid4().hex


def _token(request: HttpRequest) -> str:
    token = str(request.POST.get(FIELD) or "")
    try:
        return uuid.UUID(token).hex
    except ValueError:
        return ""


def form_once(request: HttpRequest, work: Callable[[], HttpResponseBase]) -> HttpResponseBase:
    """Run ``work`` (the creating part of a view) once per token: a repeat is redirected where the first
    went. Without a token (an old page) ``work`` runs as before."""
    token = _token(request)
    if not token:
        return work()
    identity = {
        "caller": f"user:{request.user.pk}",
        "method": METHOD,
        "path": request.path[:500],
        "key": token,
    }
    now = timezone.now()
    with transaction.atomic():
        IdempotencyRecord.objects.filter(**identity, expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    **identity,
                    request_hash=hashlib.sha256(repr(sorted(request.POST.lists())).encode()).hexdigest(),
                    expires_at=now + LIFETIME,
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(**identity).first()
            location = (existing.response_headers or {}).get("Location") if existing else None
            if existing is not None and existing.completed and location:
                messages.info(request, _("This form was already sent; here is what it did."))
                return HttpResponseRedirect(location)
            return work()
        response = work()
        if isinstance(response, HttpResponseRedirect):
            record.completed = True
            record.response_status = response.status_code
            record.response_headers = {"Location": response["Location"]}
            record.save(update_fields=["completed", "response_status", "response_headers"])
        else:
            record.delete()
        return response
