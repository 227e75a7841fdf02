"""Document pages: ask for a PDF, follow its progress (htmx polling), download it when ready.

The same selectors and service as the API: every read and download is access-checked and logged.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from directory.actor import Actor
from hemsjukvard.errors import StateConflictError
from hemsjukvard.pages import refusal_message

from . import selectors, services
from .filenames import content_disposition
from .models import DocumentStatus

STATUS_TEMPLATE = "printouts/_document.html"
# How long the fragment waits before asking again, by how often it has asked: a PDF is usually stored
# within half a second, so the first asks come quickly, and a long render is not asked about every moment.
POLL_DELAYS_MS = (150, 200, 300, 450, 700, 1000, 1500, 2000)


def _polling(poll: int) -> dict[str, int]:
    """The fragment's next poll: its number and how long to wait for it."""
    poll = max(0, min(poll, len(POLL_DELAYS_MS) - 1))
    return {"next_poll": poll + 1, "poll_delay_ms": POLL_DELAYS_MS[poll]}


def _poll_number(request: HttpRequest) -> int:
    value = request.GET.get("poll", "")
    return int(value) if value.isdigit() and len(value) <= 3 else 0


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@login_required
@require_POST
def document_request(request: HttpRequest) -> HttpResponseBase:
    actor = Actor.from_request(request)
    language = (get_language() or "sv")[:2]
    try:
        document = services.document_request(
            actor=actor,
            kind=request.POST.get("kind", ""),
            source_id=request.POST.get("source_id", ""),
            language=language,
        )
    except (ValidationError, StateConflictError) as error:
        message = refusal_message(error)
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "printouts/_document_error.html", {"message": message}, status=409)
        messages.error(request, message)
        return redirect(_back(request))
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, STATUS_TEMPLATE, {"document": document, "focus": True, **_polling(0)})
    messages.success(request, _("The document is asked for; it is ready in a moment."))
    return redirect(_back(request))


@login_required
@require_GET
def document_status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The document's progress; while it is queued or rendering the fragment asks again by itself.

    Every poll is access-checked and logged like any read (``selectors.document_get``).
    """
    actor = Actor.from_request(request)
    document = selectors.document_get(actor=actor, public_id=public_id)
    # Polling never moves focus: the person may be elsewhere on the page; role=status announces it.
    return render(
        request, STATUS_TEMPLATE, {"document": document, "focus": False, **_polling(_poll_number(request))}
    )


@login_required
@require_GET
def document_download(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = Actor.from_request(request)
    document, content = selectors.document_content(actor=actor, public_id=public_id)
    if document.status != DocumentStatus.READY or content is None:
        return render(request, "printouts/not_ready.html", {"document": document}, status=409)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(document)
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "private, no-store"
    return response
