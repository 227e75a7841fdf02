"""Figures endpoints. Every figure is an aggregate; small groups are suppressed for every API client."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.actor import Actor
from figures import selectors, services
from figures.scope import FigureScope, figure_scope_get, figure_scopes
from figures.selectors import FLAGS, Kpis, Period, ShiftRow
from hemsjukvard.api.schema import ERROR_RESPONSES
from hemsjukvard.db_router import replica_reads

from .serializers import (
    KpisSerializer,
    ReportRequestSerializer,
    ReportSerializer,
    ScopeSerializer,
    ShiftTableSerializer,
    cell_data,
    share_data,
)

PERIOD_PARAMETERS = [
    OpenApiParameter("scope", str, description="Public id of the organisation (default: the broadest)."),
    OpenApiParameter("from", str, description="First day, YYYY-MM-DD (default: 364 days before `to`)."),
    OpenApiParameter("to", str, description="Last day, YYYY-MM-DD (default: today)."),
]


def _context(request: Request) -> tuple[FigureScope, Period]:
    actor = Actor.from_request(request)
    scope = figure_scope_get(actor=actor, public_id=request.query_params.get("scope") or None)
    period = selectors.period_parse(request.query_params.get("from"), request.query_params.get("to"))
    return scope, period


def _head(scope: FigureScope, period: Period) -> dict[str, Any]:
    return {
        "scope": {"public_id": scope.public_id, "kind": scope.kind, "name": scope.name},
        "period": {"start": period.start, "end": period.end},
    }


def _shift_row(row: ShiftRow) -> dict[str, Any]:
    data: dict[str, Any] = {"key": row.key, "label": row.label, "cases": cell_data(row.cases)}
    cells = {**{f: row.flags[f] for f in FLAGS}, "planned": row.planned, "unorganised": row.unorganised}
    for name, cell in cells.items():
        data[name] = {"count": cell_data(cell), "share": share_data(row.share(cell))}
    return data


class ScopesView(APIView):
    @extend_schema(
        tags=["figures"],
        summary="Organisations whose figures you may see",
        responses={200: ScopeSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        scopes = figure_scopes(actor=Actor.from_request(request))
        return Response(ScopeSerializer(scopes, many=True).data)


class ShiftTableView(APIView):
    @extend_schema(
        tags=["figures"],
        summary="The vårdöverskjutning table",
        description=(
            "Cases submitted in the period, per task type, category or kommun, with the four impact flags "
            "and planned/unorganised. Counts behind which fewer than five patients stand are null and "
            "marked `suppressed`. Read, like the key figures, from a snapshot that the worker brings up "
            "to date every 15 minutes; `as_of` says which moment the table describes."
        ),
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("group", str, enum=list(selectors.SHIFT_GROUPS), description="Rows per …"),
        ],
        responses={200: ShiftTableSerializer, **ERROR_RESPONSES},
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        scope, period = _context(request)
        table = selectors.shift_table(
            scope=scope, period=period, group=request.query_params.get("group") or "task_type"
        )
        data = {
            **_head(scope, period),
            "as_of": table.as_of,
            "snapshot": table.snapshot,
            "group": table.group,
            "rows": [_shift_row(r) for r in table.rows],
            "total": _shift_row(table.total),
        }
        return Response(ShiftTableSerializer(data).data)


def _kpis(kpis: Kpis) -> dict[str, Any]:
    lead = kpis.lead_time
    return {
        "as_of": kpis.as_of,
        "snapshot": kpis.snapshot,
        "submitted": cell_data(kpis.submitted),
        "open_by_status": [
            {"status": key, "label": label, "cases": cell_data(cell)}
            for key, label, cell in kpis.open_by_status
        ],
        "agreed": cell_data(lead.cases),
        "lead_time_median_days": None if lead.suppressed else lead.median_days,
        "lead_time_p90_days": None if lead.suppressed else lead.p90_days,
        "disputed": cell_data(kpis.disputed),
        "disputed_share": share_data(kpis.disputed_share),
        "escalation_levels": [
            {
                "level": row.level,
                "reached": cell_data(row.reached),
                "reached_share": share_data(kpis.level_share(row)),
                "median_days": None if row.stints.suppressed else row.median_days,
            }
            for row in kpis.levels
        ],
        "unclear_tasks": [
            {
                "task_type": row.key,
                "label": row.label,
                "unclear": cell_data(row.unclear),
                "undecided": cell_data(row.undecided),
            }
            for row in kpis.unclear_rows
        ],
        "overdue_reviews": cell_data(kpis.overdue_reviews),
        "overdue_approvals": cell_data(kpis.overdue_approvals),
        "sips_past_follow_up": None
        if kpis.sips_past_follow_up is None
        else cell_data(kpis.sips_past_follow_up),
        "discharge_cases": cell_data(kpis.discharge_cases),
        "readmitted_within_30_days": cell_data(kpis.readmitted),
        "readmitted_share": share_data(kpis.readmitted_share),
    }


class KpisView(APIView):
    @extend_schema(
        tags=["figures"],
        summary="Key figures for a period",
        description=(
            "See `figures.selectors` for what each figure counts. They are read from a snapshot that the "
            "worker brings up to date every 15 minutes; `as_of` says which moment they describe."
        ),
        parameters=PERIOD_PARAMETERS,
        responses={200: KpisSerializer, **ERROR_RESPONSES},
    )
    @replica_reads
    def get(self, request: Request) -> Response:
        scope, period = _context(request)
        data = {**_head(scope, period), **_kpis(selectors.kpis(scope=scope, period=period))}
        return Response(KpisSerializer(data).data)


class ReportListView(APIView):
    @extend_schema(
        tags=["figures"],
        summary="Ask for the aggregated PDF report",
        description=(
            "Rendered by the worker; asking again the same day for the same figures gives the same report."
        ),
        request=ReportRequestSerializer,
        responses={202: ReportSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Rapport för Varbergs kommun, första halvåret",
                value={"start": "2026-01-01", "end": "2026-06-30", "language": "sv"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        period = selectors.period_parse(
            data["start"].isoformat() if data.get("start") else None,
            data["end"].isoformat() if data.get("end") else None,
        )
        report = services.report_request(
            actor=Actor.from_request(request),
            scope_id=str(data["scope"]) if data.get("scope") else None,
            period=period,
            language=data["language"],
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


class ReportDetailView(APIView):
    @extend_schema(
        tags=["figures"],
        summary="A figures report's status",
        responses={200: ReportSerializer, **ERROR_RESPONSES},
    )
    def get(self, request: Request, id: str) -> Response:
        report = selectors.report_get(actor=Actor.from_request(request), public_id=id)
        return Response(ReportSerializer(report).data)
