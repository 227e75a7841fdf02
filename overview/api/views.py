"""``GET /patients/{id}/overview``: a patient's coming dates and a page of their timeline, under the same
rule and the same single access-log row as the overview page."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from directory.actor import Actor
from hemsjukvard.api.schema import ERROR_RESPONSES

from .. import selectors
from .serializers import (
    ComingDateSerializer,
    OverviewQuerySerializer,
    PatientOverviewSerializer,
    TimelineEntrySerializer,
)

EXAMPLE = {
    "patient": "0b8f3c1e-4f2a-5d7e-9a61-2c3b4d5e6f70",
    "upcoming": [
        {
            "on": "2026-12-09",
            "kind": "case",
            "what": "Deadline: In review",
            "reference": "HSV-2026-000123",
            "record": "5f0c2d7a-8b1e-5c3f-a9d2-7e6b4a3c2d1e",
            "case": "5f0c2d7a-8b1e-5c3f-a9d2-7e6b4a3c2d1e",
            "overdue": False,
        }
    ],
    "count": 1,
    "page": 1,
    "pages": 1,
    "next": None,
    "previous": None,
    "results": [
        {
            "at": "2026-12-04T09:12:00+01:00",
            "kind": "case",
            "what": "Status changed",
            "detail": "Submitted → In review",
            "reference": "HSV-2026-000123",
            "record": "5f0c2d7a-8b1e-5c3f-a9d2-7e6b4a3c2d1e",
            "case": "5f0c2d7a-8b1e-5c3f-a9d2-7e6b4a3c2d1e",
            "organisation": "Varbergs kommun",
            "person": "Anna Nilsson",
        }
    ],
}


def _page_link(request: Request, number: int | None) -> str | None:
    if number is None:
        return None
    query = request.query_params.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


class PatientOverviewViewSet(viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        tags=["patients"],
        summary="A patient's overview: coming dates and timeline",
        description=(
            "The dates coming up for the patient (case deadlines, SIP follow-ups, risk-analysis reviews "
            "and re-reviews, competence transfers and delegations that end), earliest first, overdue "
            "ones marked; and one timeline of case events, SIP events, risk-analysis decisions and "
            "enrolments, newest first, a page at a time. Only what you may see is included: cases of "
            "other organisations that you cannot open are not mentioned, and a SIP whose consent was "
            "withdrawn adds nothing unless your organisation keeps it. A patient you may not see is a "
            "`404`. Each call is one row in the access log."
        ),
        parameters=[
            OpenApiParameter("page", int, description=f"Timeline page, 1 to {selectors.MAX_PAGE}."),
            OpenApiParameter(
                "page_size", int, description=f"Timeline entries a page, 1 to {selectors.MAX_PAGE_SIZE}."
            ),
        ],
        responses={200: PatientOverviewSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "Ett ärende som väntar på granskning",
                value=EXAMPLE,
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    @action(detail=True, methods=["get"], url_path="overview")
    def overview(self, request: Request, id: str) -> Response:
        query = OverviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page: int = query.validated_data["page"]
        overview = selectors.patient_overview(
            actor=Actor.from_request(request),
            public_id=id,
            page=page,
            page_size=query.validated_data["page_size"],
        )
        timeline = overview.timeline
        body: dict[str, Any] = {
            "patient": str(overview.patient.obj.public_id),
            "upcoming": ComingDateSerializer(overview.coming, many=True).data,
            "count": timeline.count,
            "page": timeline.number,
            "pages": timeline.pages,
            "next": _page_link(request, page + 1 if timeline.has_next else None),
            "previous": _page_link(request, page - 1 if timeline.has_previous else None),
            "results": TimelineEntrySerializer(timeline.entries, many=True).data,
        }
        return Response(body)
