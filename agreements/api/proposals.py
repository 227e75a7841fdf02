"""``POST /responsibility/proposals``: the rule engine's proposal for one patient's tasks; nothing is stored.

The read of the patient goes through ``patients.selectors.patient_get``, which checks access and writes
the access log; a patient the caller may not see answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.records import RECORD_PROPOSAL
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind
from hemsjukvard.api.schema import ERROR_RESPONSES
from patients.selectors import patient_get

from .. import selectors
from ..engine import rules_propose_split
from .serializers import ProposalRequestSerializer, ProposalResponseSerializer, bands_by_task

UUID_EXAMPLE = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

PROPOSAL_RESPONSE_EXAMPLE = {
    "patient": UUID_EXAMPLE,
    "on": "2025-06-02",
    "tasks": [
        {
            "task_type": {
                "id": UUID_EXAMPLE,
                "code": "peritoneal_dialysis",
                "name_sv": "Peritonealdialys (PD)",
                "name_en": "Peritoneal dialysis (PD)",
                "kind": "specialised",
                "care_level": "specialised",
            },
            "status": "proposed",
            "reason": "",
            "message": "Överenskommelse om hemsjukvård i Halland 2025.1 § 6.1 Peritonealdialys (PD)",
            "basis": "agreement_rule",
            "orders": {
                "party": "case_specialist_clinic",
                "organisation": {
                    "id": UUID_EXAMPLE,
                    "name": "Njurmedicin Halland",
                    "kind": "specialist_clinic",
                },
                "problem": "",
                "principal": None,
            },
            "performs": {
                "party": "enrolment_kommun",
                "organisation": {"id": UUID_EXAMPLE, "name": "Varbergs kommun", "kind": "kommun"},
                "problem": "",
                "principal": None,
            },
            "follows_up": {
                "party": "case_specialist_clinic",
                "organisation": {
                    "id": UUID_EXAMPLE,
                    "name": "Njurmedicin Halland",
                    "kind": "specialist_clinic",
                },
                "problem": "",
                "principal": None,
            },
            "conditions": {
                "risk_analysis_required": True,
                "approver_role": "mas",
                "specialist_active_role_required": True,
                "training_required": True,
                "contact_24_7_required": True,
                "delegation_allowed": False,
                "max_duration_days": 180,
                "note": "",
            },
            "rule": UUID_EXAMPLE,
            "agreement": {
                "id": UUID_EXAMPLE,
                "code": "halland-hemsjukvard",
                "version_id": UUID_EXAMPLE,
                "version": "2025.1",
                "title": "Överenskommelse om hemsjukvård i Halland",
            },
            "section": {"id": UUID_EXAMPLE, "number": "6.1", "heading": "Peritonealdialys (PD)"},
            "conflicting_rules": [],
            "review_by": "2025-11-29",
            "time_bands": [],
            "notes": [],
        },
        {
            "task_type": {
                "id": UUID_EXAMPLE,
                "code": "insulin_injection",
                "name_sv": "Insulininjektion",
                "name_en": "Insulin injection",
                "kind": "nursing",
                "care_level": "primary",
            },
            "status": "unclear",
            "reason": "no_rule",
            "message": (
                "Överenskommelsen täcker inte patientens boendeform; en person avgör vem som ansvarar."
            ),
            "basis": "",
            "orders": None,
            "performs": None,
            "follows_up": None,
            "conditions": {
                "risk_analysis_required": False,
                "approver_role": "",
                "specialist_active_role_required": False,
                "training_required": False,
                "contact_24_7_required": False,
                "delegation_allowed": False,
                "max_duration_days": None,
                "note": "",
            },
            "rule": None,
            "agreement": None,
            "section": None,
            "conflicting_rules": [],
            "review_by": None,
            "time_bands": [],
            "notes": [],
        },
    ],
}


class ResponsibilityProposalView(APIView):
    """``POST /responsibility/proposals``: run the rule engine for one patient; nothing is stored."""

    @extend_schema(
        tags=["responsibility"],
        summary="Propose who is responsible for a patient's tasks",
        description=(
            "Runs the agreement's rules for the patient's situation (housing setting, enrolment, "
            "listed vårdcentral, kommun) on the given day and returns, per task, who orders, performs "
            "and follows it up, the conditions, and the rule, agreement version and section that say "
            "so - or `unclear` with the reason (`no_rule`, `conflicting_rules`, `party_unresolved`). "
            "Nothing is stored. The read of the patient is written to the access log; a patient you "
            "may not see answers 404, exactly like one that does not exist."
        ),
        request=ProposalRequestSerializer,
        responses={200: ProposalResponseSerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "PD och insulin för en inskriven patient i Varberg",
                value={
                    "patient": UUID_EXAMPLE,
                    "task_codes": ["peritoneal_dialysis", "insulin_injection"],
                    "on": "2025-06-02",
                    "specialist_clinic": UUID_EXAMPLE,
                },
                request_only=True,
            ),
            OpenApiExample(
                "IV-antibiotika nattetid under en vistelse i en annan kommun",
                value={
                    "patient": UUID_EXAMPLE,
                    "task_codes": ["iv_antibiotics"],
                    "time_bands": [{"task": "iv_antibiotics", "bands": ["night"]}],
                    "stay_kommun": UUID_EXAMPLE,
                },
                request_only=True,
            ),
            OpenApiExample(
                "Förslag", value=PROPOSAL_RESPONSE_EXAMPLE, response_only=True, status_codes=["200"]
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        serializer = ProposalRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        on = data.get("on") or timezone.localdate()
        patient = patient_get(actor=actor, public_id=data["patient"], record_type=RECORD_PROPOSAL).obj
        specialist_clinic_id = None
        if data.get("specialist_clinic"):
            region_id = patient.folkbokforing_kommun.region_id
            clinic = Organisation.objects.filter(
                public_id=data["specialist_clinic"],
                kind=OrganisationKind.SPECIALIST_CLINIC,
                region_id=region_id,
                is_active=True,
            ).first()
            if clinic is None:
                raise exceptions.ValidationError(
                    {"specialist_clinic": [_("No active specialist clinic with this id in the region.")]}
                )
            specialist_clinic_id = clinic.pk
        stay_kommun = None
        if data.get("stay_kommun"):
            stay_kommun = Organisation.objects.filter(
                public_id=data["stay_kommun"], kind=OrganisationKind.KOMMUN, is_active=True
            ).first()
            if stay_kommun is None:
                raise exceptions.ValidationError({"stay_kommun": [_("No active kommun with this id.")]})
        time_bands = bands_by_task(data.get("time_bands")) or {}
        unasked = set(time_bands) - set(data["task_codes"])
        if unasked:
            raise exceptions.ValidationError(
                {"time_bands": [_("Give times of day only for the tasks asked for.")]}
            )
        situation = selectors.patient_situation(
            patient=patient, specialist_clinic_id=specialist_clinic_id, stay_kommun=stay_kommun
        )
        inputs = selectors.responsibility_inputs_load(
            actor=actor, situation=situation, task_codes=data["task_codes"], on=on
        )
        missing = inputs.missing_codes(data["task_codes"])
        if missing:
            raise exceptions.ValidationError(
                {"task_codes": [_("Unknown task type: %(code)s.") % {"code": code} for code in missing]}
            )
        proposals = rules_propose_split(
            situation=situation,
            task_types=[inputs.task_types[code] for code in data["task_codes"]],
            rules=inputs.rules,
            on=on,
            time_bands=time_bands,
        )
        body = {"patient": patient.public_id, "on": on, "tasks": proposals}
        return Response(ProposalResponseSerializer(body).data)


__all__ = ["ResponsibilityProposalView"]
