"""FHIR R4 export (read-only, JSON): SIP as CarePlan, risk analysis as RiskAssessment, open deadlines as
Task, patient (HL7 Sweden base profile) and Organization. Every read goes through the apps' selectors,
so access is checked and logged exactly as for the rest of the API; what a reader may not see is 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.legal_basis import sharing_for
from cases import selectors as case_selectors
from directory.actor import Actor
from directory.models import Organisation
from hemsjukvard.api.schema import ERROR_RESPONSES
from patients.selectors import patient_get
from sip import selectors as sip_selectors

from .. import resources

F = TypeVar("F", bound=Callable[..., Any])


def _base_url(request: Request) -> str:
    return request.build_absolute_uri("/api/v1/fhir").rstrip("/")


def _fhir(data: dict[str, Any]) -> Response:
    return Response(data, content_type="application/fhir+json")


def _schema(summary: str, description: str, example: dict[str, Any], **kwargs: Any) -> Callable[[F], F]:
    return extend_schema(
        tags=["fhir"],
        summary=summary,
        description=description,
        responses={
            (200, "application/fhir+json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="A FHIR R4 resource (JSON).",
                examples=[OpenApiExample(example["resourceType"], value=example, response_only=True)],
            ),
            **ERROR_RESPONSES,
        },
        **kwargs,
    )


ORG_EXAMPLE = {
    "resourceType": "Organization",
    "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "identifier": [{"use": "official", "system": resources.HSA_ID_SYSTEM, "value": "SE2321000115-E8X1"}],
    "active": True,
    "name": "Njurmedicin Halland",
}
PATIENT_EXAMPLE = {
    "resourceType": "Patient",
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "meta": {"profile": [resources.SE_BASE_PATIENT_PROFILE]},
    "identifier": [{"use": "official", "system": resources.PERSONNUMMER_SYSTEM, "value": "194003129816"}],
    "name": [{"use": "official", "family": "Svensson", "given": ["Karin"]}],
    "managingOrganization": {"reference": "Organization/9b2e6f1a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"},
}
CAREPLAN_EXAMPLE = {
    "resourceType": "CarePlan",
    "id": "5d0e1c2b-8f7a-4b3c-9d2e-1f0a9b8c7d6e",
    "status": "active",
    "intent": "plan",
    "title": "Samordnad individuell plan (SIP)",
    "subject": {"reference": "Patient/3fa85f64-5717-4562-b3fc-2c963f66afa6"},
    "goal": [{"reference": "#goal"}],
    "careTeam": [{"reference": "#careteam"}],
    "activity": [
        {
            "detail": {
                "status": "in-progress",
                "description": "Peritonealdialys (PD), påsbyte kl 22 och 06",
                "performer": [
                    {
                        "reference": "Organization/9b2e6f1a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
                        "display": "Varbergs kommun",
                    }
                ],
            }
        }
    ],
}
RISK_EXAMPLE = {
    "resourceType": "RiskAssessment",
    "id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    "status": "final",
    "subject": {"reference": "Patient/3fa85f64-5717-4562-b3fc-2c963f66afa6"},
    "prediction": [
        {
            "outcome": {"text": "Peritonit vid bristande aseptik vid påsbyte"},
            "qualitativeRisk": {"text": "Sannolikhet 2 × konsekvens 4 = 8 (hög risk)"},
        }
    ],
}
BUNDLE_EXAMPLE = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": CAREPLAN_EXAMPLE}]}


class _TaskQuery(serializers.Serializer[Any]):
    case = serializers.UUIDField(help_text="The responsibility case's id.")


def _sip_parts(actor: Actor, id: object) -> tuple[Any, Any, bool]:
    view = sip_selectors.sip_get(actor=actor, public_id=str(id))
    version = sip_selectors.current_version(view.sip) if view.shared else None
    return view, version, view.shared


class PatientView(APIView):
    @_schema(
        "A patient as FHIR Patient (HL7 Sweden base profile)",
        "Identifier system personnummer or samordningsnummer. For a patient with skyddad identitet the "
        "identity (identifier, name, address) is left out unless you may see it.",
        PATIENT_EXAMPLE,
    )
    def get(self, request: Request, id: object) -> Response:
        seen = patient_get(actor=Actor.from_request(request), public_id=str(id))
        return _fhir(resources.patient(seen.obj, identity_visible=seen.identity_visible))


class OrganizationView(APIView):
    @_schema(
        "An organisation as FHIR Organization",
        "With its HSA-id (`urn:oid:1.2.752.29.4.19`) where known. Directory data: any signed-in reader.",
        ORG_EXAMPLE,
    )
    def get(self, request: Request, id: object) -> Response:
        organisation = Organisation.objects.select_related("region").filter(public_id=str(id)).first()
        if organisation is None:
            raise Http404(_("No organisation found."))
        return _fhir(resources.organization(organisation))


class CarePlanView(APIView):
    @_schema(
        "A SIP as FHIR CarePlan",
        "The current version of the plan: the person's goals as a contained Goal, the participants as a "
        "contained CareTeam, one activity per insats naming the responsible organisation as performer. "
        "After consent is withdrawn, readers outside the organisation keeping the plan get only its "
        "status (`revoked`). For a patient with skyddad identitet, a reader who may not see the identity "
        "gets no names of the person or närstående (the CareTeam says only who they are to the person).",
        CAREPLAN_EXAMPLE,
    )
    def get(self, request: Request, id: object) -> Response:
        view, version, shared = _sip_parts(Actor.from_request(request), id)
        return _fhir(
            resources.care_plan(view.sip, version, shared=shared, identity_visible=view.identity_visible)
        )


class CarePlanBundleView(APIView):
    @_schema(
        "A SIP with everything it names, as a FHIR Bundle",
        "A `collection` Bundle: the CarePlan, the Patient, every Organization it references, the case's "
        "risk analyses as RiskAssessment and the open deadlines (case deadline, SIP follow-up) as Task.",
        BUNDLE_EXAMPLE,
    )
    def get(self, request: Request, id: object) -> Response:
        actor = Actor.from_request(request)
        view, version, shared = _sip_parts(actor, id)
        sip = view.sip
        entries: list[dict[str, Any]] = [
            resources.care_plan(sip, version, shared=shared, identity_visible=view.identity_visible),
            resources.patient(sip.patient, identity_visible=view.identity_visible),
        ]
        organisations: list[Organisation] = [sip.owner_organisation, sip.patient.folkbokforing_kommun]
        if sip.patient.listed_vardcentral is not None:
            organisations.append(sip.patient.listed_vardcentral)
        if shared and version is not None:
            if version.huvudansvar is not None:
                organisations.append(version.huvudansvar)
            for insats in version.insatser.all():
                organisations += [o for o in (insats.responsible, insats.orders, insats.follows_up) if o]
            organisations += [p.organisation for p in version.participants.all() if p.organisation]
            if sip.case is not None:
                case = case_selectors.case_get(actor=actor, public_id=sip.case.public_id)
                # The case's risk analyses only where they are shared (access.legal_basis).
                analyses: list[Any] = []
                if sharing_for(actor, case).analyses:
                    _case, analyses = case_selectors.risk_analyses_for_case(
                        actor=actor, public_id=case.public_id
                    )
                for analysis in analyses:
                    entries.append(resources.risk_assessment(analysis))
                    organisations.append(analysis.organisation)
                entries += resources.case_tasks(case)
                if case.owner_organisation is not None:
                    organisations.append(case.owner_organisation)
            entries += resources.follow_up_task(sip, version, shared=shared)
        entries += [resources.organization(o) for o in organisations]
        return _fhir(resources.bundle(entries, base_url=_base_url(request)))


class RiskAssessmentView(APIView):
    @_schema(
        "A risk analysis version as FHIR RiskAssessment",
        "One prediction per hazard with its score (likelihood × consequence, ≥ 8 high); the measures "
        "as mitigation.",
        RISK_EXAMPLE,
    )
    def get(self, request: Request, id: object) -> Response:
        analysis = case_selectors.risk_analysis_get(actor=Actor.from_request(request), public_id=str(id))
        return _fhir(resources.risk_assessment(analysis))


class TaskSearchView(APIView):
    @_schema(
        "A case's open deadline as FHIR Task (searchset Bundle)",
        "The case's current deadline (review, approval) as a Task owned by the organisation that holds "
        "the case; empty when nothing is due.",
        {"resourceType": "Bundle", "type": "searchset", "total": 0},
        parameters=[OpenApiParameter("case", OpenApiTypes.UUID, required=True, description="The case's id.")],
    )
    def get(self, request: Request) -> Response:
        query = _TaskQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        case = case_selectors.case_get(
            actor=Actor.from_request(request), public_id=query.validated_data["case"]
        )
        return _fhir(
            resources.bundle(resources.case_tasks(case), base_url=_base_url(request), kind="searchset")
        )
