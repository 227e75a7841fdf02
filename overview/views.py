"""The patient overview page: the same selector as the API, so the same rule and the same log."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from directory.actor import Actor

from . import selectors


def _page_number(raw: str | None) -> int:
    """The timeline page asked for in the address; anything but a page number shows the first page,
    and a page beyond the last one readable shows that one."""
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return min(max(number, 1), selectors.MAX_PAGE)


@login_required
@require_GET
def patient_overview(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = Actor.from_request(request)
    overview = selectors.patient_overview(
        actor=actor, public_id=public_id, page=_page_number(request.GET.get("page"))
    )
    return render(
        request,
        "overview/patient_overview.html",
        {
            "overview": overview,
            "patient": overview.patient.obj,
            "seen": overview.patient,
            "timeline": overview.timeline,
            "kinds": selectors.Kind,
        },
    )
