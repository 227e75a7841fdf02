"""Access-log pages: the care provider's review (MAS/MAR, the region's log reviewer), its CSV export, and
the patient's log extract."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from directory.actor import Actor
from hemsjukvard.csv import csv_document
from hemsjukvard.db_router import replica_reads

from . import extract as extract_selectors
from . import review
from .models import Action, Outcome, Purpose
from .records import TYPE_LABELS

EXPORT_LIMIT = 10_000
MASKED = "*****"


def _flag_labels() -> dict[str, str]:
    return {
        "no_care_relationship": _("No care relationship"),
        "emergency_access": _("Emergency access"),
        "protected_identity": _("Protected identity"),
        "unusual_volume": _("Unusual volume"),
    }


def _provider_param(params: Any) -> str | None:
    # ``kommun`` is what the page's links said before a region reviewed its own log; still accepted.
    return params.get("provider") or params.get("kommun") or None


def _selection(request: HttpRequest) -> tuple[Actor, review.ReviewSelection, str]:
    actor = Actor.from_request(request)
    params = {key: request.GET.get(key, "") for key in request.GET}
    error = ""
    try:
        filters = review.review_filters_parse(params)
    except ValidationError as exc:
        error = " ".join(exc.messages)
        filters = review.review_filters_parse({})
    selection = review.review_entries(actor=actor, provider_id=_provider_param(request.GET), filters=filters)
    return actor, selection, error


@login_required
@replica_reads
def review_page(request: HttpRequest) -> HttpResponse:
    with review.review_queries():
        actor, selection, error = _selection(request)
        page = Paginator(selection.entries, 50).get_page(request.GET.get("page"))
        entries = list(page.object_list)
    review.review_log_shown(actor=actor, context=selection.context, entries=entries, action=Action.LIST)
    labels = _flag_labels()
    rows = [
        {
            "entry": entry,
            "patient": review.entry_patient_label(entry),
            "flags": [labels[name] for name in selection.flags_of(entry)],
            "emergency": entry.purpose == Purpose.EMERGENCY_ACCESS,
        }
        for entry in entries
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/review.html",
        {
            "selection": selection,
            "page": page,
            "rows": rows,
            "error": error,
            "flag_choices": labels,
            "actions": Action.choices,
            "record_types": sorted(
                ((value, str(label)) for value, label in TYPE_LABELS.items()), key=lambda item: item[1]
            ),
            "query": query.urlencode(),
        },
    )


@login_required
@require_POST
def review_mark(request: HttpRequest, entry_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    try:
        review.entry_review(
            actor=actor,
            provider_id=_provider_param(request.POST),
            entry_id=entry_id,
            note=request.POST.get("note", ""),
            entry_at=request.POST.get("at", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The entry is marked reviewed."))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = reverse("audit:review")
    return redirect(target)


@login_required
@replica_reads
def review_export(request: HttpRequest) -> HttpResponse:
    with review.review_queries():
        actor, selection, _error = _selection(request)
        entries = list(selection.entries[:EXPORT_LIMIT])
    review.review_log_shown(actor=actor, context=selection.context, entries=entries, action=Action.EXPORT)
    labels = _flag_labels()
    # The choices' labels are lazy translations: resolved once here rather than three times per row
    # (``get_FOO_display`` on 10,000 rows took longer than the query).
    shown = {
        field: {value: str(label) for value, label in choices}
        for field, choices in (
            ("action", Action.choices),
            ("outcome", Outcome.choices),
            ("purpose", Purpose.choices),
        )
    }
    yes, no = _("yes"), _("no")
    header = [
        _("Time"),
        _("User"),
        _("Role"),
        _("Organisation"),
        _("Patient"),
        _("Record type"),
        _("Action"),
        _("Outcome"),
        _("Purpose"),
        _("Reason"),
        _("Flags"),
        _("Reviewed"),
    ]
    rows = [
        [
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.user_label,
            entry.role_label,
            entry.organisation_label,
            review.entry_patient_label(entry),
            entry.record_type_label,
            shown["action"].get(entry.action, entry.action),
            shown["outcome"].get(entry.outcome, entry.outcome),
            shown["purpose"].get(entry.purpose, entry.purpose),
            entry.reason,
            ", ".join(labels[name] for name in selection.flags_of(entry)),
            yes if getattr(entry, "reviewed", False) else no,
        ]
        for entry in entries
    ]
    response = HttpResponse(csv_document(header, rows), content_type="text/csv; charset=utf-8")
    provider = selection.context.provider
    response["Content-Disposition"] = (
        f'attachment; filename="logg-{provider.kommun_code or slugify(provider.name)}-'
        f'{selection.filters.start}-{selection.filters.end}.csv"'
    )
    return response


@login_required
@require_POST
def extract_create(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    extract = extract_selectors.log_extract_create(
        actor=Actor.from_request(request), patient_public_id=patient_id
    )
    return redirect("audit:extract", public_id=extract.public_id)


@login_required
def extract_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    extract = extract_selectors.log_extract_get(actor=Actor.from_request(request), public_id=public_id)
    return render(
        request,
        "audit/extract.html",
        {"extract": extract, "rows": extract_selectors.log_extract_rows(extract)},
    )


@login_required
@require_POST
def extract_pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    from documents.services import document_request

    from .documents import KIND

    document = document_request(
        actor=Actor.from_request(request), kind=KIND, source_id=public_id, language=get_language() or "sv"
    )
    messages.info(request, _("The PDF is being made; it appears among the patient's documents."))
    request.session["last_document"] = str(document.public_id)
    return redirect("audit:extract", public_id=public_id)
