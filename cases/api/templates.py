"""``GET /cases/{id}/risk-templates``: the agreement's risk-analysis templates for the case's tasks, what
the risk-analysis page fills in with "Utgå från mall". Read like the case's risk analysis (the same
rule, 404 for a case the caller may not see, logged as a read of the analysis)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agreements.risk_templates import measure_days
from audit.records import RECORD_ANALYSIS
from directory.actor import Actor
from hemsjukvard.api.schema import ERROR_RESPONSES

from .. import selectors
from ..analysis_templates import case_templates


class MeasureTemplateSerializer(serializers.Serializer[Any]):
    what = serializers.CharField()
    who = serializers.ChoiceField(
        choices=["kommun", "region"], help_text=_("The principal that carries it out.")
    )
    within_days = serializers.IntegerField(help_text=_("Due this many days after the analysis is written."))

    def to_representation(self, instance: Any) -> Any:
        # The days the form counts with (``measure_days``): the file's, or the default where it gives none.
        return super().to_representation({**instance, "within_days": measure_days(instance)})


class HazardTemplateSerializer(serializers.Serializer[Any]):
    description = serializers.CharField()
    cause = serializers.CharField()
    consequence = serializers.CharField()
    likelihood = serializers.IntegerField(min_value=1, max_value=4)
    severity = serializers.IntegerField(min_value=1, max_value=4, help_text=_("Suggested consequence, 1–4."))
    measures = MeasureTemplateSerializer(many=True)


class RiskTemplateSerializer(serializers.Serializer[Any]):
    task_type = serializers.CharField(source="template.task_type.code")
    task_type_name = serializers.CharField()
    agreement_version = serializers.CharField(source="version_label")
    hazards = HazardTemplateSerializer(many=True, source="template.hazards")


EXAMPLE = [
    {
        "task_type": "peritoneal_dialysis",
        "task_type_name": "Peritonealdialys (PD)",
        "agreement_version": "2025.1",
        "hazards": [
            {
                "description": "Peritonit (bukhinneinflammation)",
                "cause": "Bristande aseptik vid påsbyte eller vid hantering av PD-katetern.",
                "consequence": "Buksmärta, feber och grumlig dialysvätska; risk för sepsis.",
                "likelihood": 2,
                "severity": 4,
                "measures": [
                    {
                        "what": "Praktisk utbildning i aseptiskt påsbyte, med godkänd kontroll.",
                        "who": "region",
                        "within_days": 7,
                    }
                ],
            }
        ],
    }
]


class CaseRiskTemplateViewSet(viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        tags=["cases"],
        summary="The agreement's risk-analysis templates for a case",
        description=(
            "For each task type of the case, the template of the agreement version in force for the task "
            "(the version that proposed it, else the case's): typical hazards with a suggested score "
            "and the measures that answer them. A starting point for `POST /cases/{id}/risk-analyses`; "
            "nothing is stored by reading it. A case you may not see is a `404`; the read is logged as "
            "one of the case's risk analysis."
        ),
        responses={200: RiskTemplateSerializer(many=True), **ERROR_RESPONSES},
        examples=[
            # One template; the schema shows it as the one item of the list.
            OpenApiExample("Mall för PD", value=EXAMPLE[0], response_only=True, status_codes=["200"]),
        ],
    )
    @action(detail=True, methods=["get"], url_path="risk-templates")
    def risk_templates(self, request: Request, id: str) -> Response:
        seen = selectors.case_read(
            actor=Actor.from_request(request), public_id=id, record_type=RECORD_ANALYSIS
        )
        return Response(RiskTemplateSerializer(case_templates(seen.obj), many=True).data)
