"""Figures pages: the dashboard, the CSV of each figure and the PDF report."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from directory.actor import Actor
from hemsjukvard.db_router import replica_reads

from . import selectors, services
from .dashboard import FIGURE_KEYS, csv_bytes, dashboard_build
from .models import ReportStatus
from .scope import FigureScope, figure_scope_get, figure_scopes


def _scope_and_period(request: HttpRequest) -> tuple[Actor, FigureScope, selectors.Period, str]:
    actor = Actor.from_request(request)
    scope = figure_scope_get(actor=actor, public_id=request.GET.get("scope") or None)
    error = ""
    try:
        period = selectors.period_parse(request.GET.get("from"), request.GET.get("to"))
    except ValidationError as exc:
        error = " ".join(exc.messages)
        period = selectors.period_parse(None, None)
    return actor, scope, period, error


@login_required
@replica_reads
def dashboard(request: HttpRequest) -> HttpResponse:
    actor, scope, period, error = _scope_and_period(request)
    board = dashboard_build(scope=scope, period=period, suppress=scope.suppress_on_page)
    return render(
        request,
        "figures/dashboard.html",
        {
            "board": board,
            "scopes": figure_scopes(actor=actor),
            "error": error,
            "figure_keys": FIGURE_KEYS,
        },
    )


@login_required
@replica_reads
def figure_csv(request: HttpRequest, key: str) -> HttpResponse:
    _actor, scope, period, _error = _scope_and_period(request)
    if key not in FIGURE_KEYS:
        raise Http404
    board = dashboard_build(scope=scope, period=period, suppress=True)
    try:
        table = board.figure(key)
    except KeyError:
        raise Http404 from None
    response = HttpResponse(csv_bytes(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{key}-{period.start}-{period.end}.csv"'
    return response


@login_required
@require_POST
def report_create(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    period = selectors.period_parse(request.POST.get("from"), request.POST.get("to"))
    report = services.report_request(
        actor=actor,
        scope_id=request.POST.get("scope") or None,
        period=period,
        language=request.POST.get("language") or get_language() or "sv",
    )
    return redirect("figures:report", public_id=report.public_id)


@login_required
def report_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    report = selectors.report_get(actor=Actor.from_request(request), public_id=public_id)
    return render(
        request, "figures/report.html", {"report": report, "ready": report.status == ReportStatus.READY}
    )


@login_required
def report_download(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    report = selectors.report_get(actor=Actor.from_request(request), public_id=public_id)
    if report.status != ReportStatus.READY or report.content is None:
        raise Http404
    response = HttpResponse(bytes(report.content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response
