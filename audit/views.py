"""Access-log pages: the care provider's review (MAS/MAR, the region's log reviewer), its CSV export, and
the patient's log extract."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
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
from . import review, sampling
from .models import Action, Outcome, Purpose
from .providers import reviewed_provider
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
    """The provider's entries as the filters choose them. A filter that is not valid is said, and
    nothing is listed: never every entry under an error about the filter meant to narrow them."""
    actor = Actor.from_request(request)
    params = {key: request.GET.get(key, "") for key in request.GET}
    error = ""
    try:
        filters = review.review_filters_parse(params)
    except ValidationError as exc:
        error = " ".join(exc.messages)
        filters = review.review_filters_parse({})
    selection = review.review_entries(actor=actor, provider_id=_provider_param(request.GET), filters=filters)
    if error:
        selection.entries = selection.entries.none()
    return actor, selection, error


def _form_values(request: HttpRequest, filters: review.ReviewFilters) -> dict[str, str]:
    """The filters' fields as the reviewer typed them, so that a value found invalid can be corrected."""
    values = {key: request.GET.get(key, "")[:200] for key in request.GET}
    values["from"] = values.get("from") or filters.start.isoformat()
    values["to"] = values.get("to") or filters.end.isoformat()
    return values


@login_required
@replica_reads
def review_page(request: HttpRequest) -> HttpResponse:
    with review.review_queries():
        actor, selection, error = _selection(request)
        page = Paginator(selection.entries, 50).get_page(request.GET.get("page"))
        entries = list(page.object_list)
        reviews = review.reviews_of(context=selection.context, entries=entries)
        samples = sampling.sample_status(kommun=selection.context.provider)
    review.review_log_shown(actor=actor, context=selection.context, entries=entries, action=Action.LIST)
    labels = _flag_labels()
    query = request.GET.copy()
    query.pop("page", None)
    rows = [
        {
            "entry": entry,
            "patient": review.entry_patient_label(entry),
            "patient_query": _with(query, patient=str(entry.patient.public_id)) if entry.patient else "",
            "flags": [labels[name] for name in selection.flags_of(entry)],
            "emergency": entry.purpose == Purpose.EMERGENCY_ACCESS,
            "review": reviews.get(entry.pk),
        }
        for entry in entries
    ]
    return render(
        request,
        "audit/review.html",
        {
            "selection": selection,
            "page": page,
            "rows": rows,
            "error": error,
            "values": _form_values(request, selection.filters),
            "samples": samples,
            "sample_week_query": (
                _with(
                    query,
                    sampled="1",
                    **{"from": samples.last.week_start.isoformat(), "to": samples.last_week_end.isoformat()},
                )
                if samples.last and samples.last_week_end
                else ""
            ),
            "flag_choices": labels,
            "actions": Action.choices,
            "record_types": sorted(
                ((value, str(label)) for value, label in TYPE_LABELS.items()), key=lambda item: item[1]
            ),
            "query": query.urlencode(),
        },
    )


def _with(query: QueryDict, **changes: str) -> str:
    """The page's query with some parameters changed (and its page number dropped)."""
    changed = query.copy()
    changed.pop("page", None)
    for key, value in changes.items():
        changed[key] = value
    return changed.urlencode()


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
        actor, selection, error = _selection(request)
        if error:
            # The page says what is wrong with the filter; the export never holds more than was asked.
            return redirect(f"{reverse('audit:review')}?{request.GET.urlencode()}")
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
    from documents import selectors as document_selectors

    from .documents import KIND

    actor = Actor.from_request(request)
    # Checked here, logged once below: the extract's documents are read through the extract (the
    # document kind's ``load``), which logs the read of the extract.
    extract = extract_selectors.log_extract_get(actor=actor, public_id=public_id, log=False)
    documents = document_selectors.documents_listed(
        actor=actor,
        documents=document_selectors.documents_for_source(
            actor=actor, kind=KIND, source_id=extract.public_id
        )[:5],
    )
    return render(
        request,
        "audit/extract.html",
        {
            "extract": extract,
            "rows": extract_selectors.log_extract_rows(extract),
            "documents": documents,
            "document_kind": KIND,
            "reviews_log": any(reviewed_provider(m) is not None for m in actor.memberships),
        },
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
