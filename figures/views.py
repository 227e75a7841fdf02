"""Figures pages: the dashboard, each chart's picture, the CSV of each figure, the cases behind a figure
and the PDF report."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import presenters
from cases.selectors import case_list_keys, cases_listed
from directory.actor import Actor
from hemsjukvard.db_router import replica_reads

from . import selectors, services
from .dashboard import CHART_KEYS, FIGURE_KEYS, csv_bytes, dashboard_build
from .drilldown import PAGE_SIZE, drill_cases, drill_get, may_list_cases
from .facts import facts_get
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


def _selection(scope: FigureScope, period: selectors.Period) -> str:
    """The query string that names a selection: the same on every link of the page."""
    return f"scope={scope.public_id}&from={period.start.isoformat()}&to={period.end.isoformat()}"


@login_required
@require_GET
@replica_reads
def dashboard(request: HttpRequest) -> HttpResponse:
    actor, scope, period, error = _scope_and_period(request)
    board = dashboard_build(scope=scope, period=period)
    return render(
        request,
        "figures/dashboard.html",
        {
            "board": board,
            "scopes": figure_scopes(actor=actor),
            "error": error,
            "selection": _selection(scope, period),
            "may_list_cases": may_list_cases(actor=actor, scope=scope),
        },
    )


@login_required
@require_GET
@replica_reads
def chart_svg(request: HttpRequest, key: str) -> HttpResponse:
    """One chart's picture, for the dashboard's ``<img>`` (the page stays small and never waits for it)."""
    _actor, scope, period, _error = _scope_and_period(request)
    if key not in CHART_KEYS:
        raise Http404
    board = dashboard_build(scope=scope, period=period)
    # Kept by no cache, like every answer (``hemsjukvard.security_headers``); drawn once per snapshot
    # on the server (``dashboard._remembered``).
    return HttpResponse(str(board.chart(key).svg), content_type="image/svg+xml; charset=utf-8")


@login_required
@require_GET
@replica_reads
def figure_csv(request: HttpRequest, key: str) -> HttpResponse:
    _actor, scope, period, _error = _scope_and_period(request)
    if key not in FIGURE_KEYS:
        raise Http404
    board = dashboard_build(scope=scope, period=period)
    try:
        table = board.figure(key)
    except KeyError:
        raise Http404 from None
    response = HttpResponse(csv_bytes(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{key}-{period.start}-{period.end}.csv"'
    return response


@login_required
@require_GET
def figure_cases(request: HttpRequest, figure: str) -> HttpResponse:
    """The cases behind a figure that the reader may see (``figures.drilldown``), each one logged."""
    actor, scope, period, error = _scope_and_period(request)
    if error:
        raise Http404(error)
    if not may_list_cases(actor=actor, scope=scope):
        raise PermissionDenied(_("Your roles let you see the figures, not the cases behind them."))
    drill = drill_get(figure=figure, scope=scope, period=period, facts=facts_get())
    cases = drill_cases(actor=actor, drill=drill)
    ids = list(case_list_keys(cases).values_list("pk", flat=True)[: PAGE_SIZE + 1])
    shown = cases_listed(actor=actor, cases=cases, ids=ids[:PAGE_SIZE])
    return render(
        request,
        "figures/cases.html",
        {
            "drill": drill,
            "scope": scope,
            "period": period,
            "rows": presenters.work_rows(shown),
            "more": len(ids) > PAGE_SIZE,
            "page_size": PAGE_SIZE,
            "selection": _selection(scope, period),
        },
    )


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
