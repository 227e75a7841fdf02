"""FHIR R4 resources (as JSON-ready dicts) built from records already read through the selectors.

Nothing here reads the database for patient data on its own: callers pass records that a selector
returned for the acting user (so access was checked and logged). References are relative
(``Organization/<id>``); the bundle gives every entry a ``fullUrl`` under the export's base URL.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from cases.models import OPEN_STATUSES, AnalysisStatus, ResponsibilityCase, RiskAnalysis
from cases.risk import risk_score, risk_words
from directory.models import Organisation
from patients.models import Patient
from patients.personnummer import IdentityKind
from sip.masking import is_masked
from sip.models import LegalBasis, Sip, SipStatus, SipVersion, VersionStatus

PERSONNUMMER_SYSTEM = "http://electronichealth.se/identifier/personnummer"
SAMORDNINGSNUMMER_SYSTEM = "http://electronichealth.se/identifier/samordningsnummer"
HSA_ID_SYSTEM = "urn:oid:1.2.752.29.4.19"
SE_BASE_PATIENT_PROFILE = "http://hl7.se/fhir/ig/base/StructureDefinition/SEBasePatient"
# Identifiers of this register's own records (cases, task types) and its code systems.
REGISTER_SYSTEM = "urn:hemsjukvard"
TASK_TYPE_SYSTEM = "urn:hemsjukvard:task-type"
CONFIDENTIALITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ORGANIZATION_TYPE_SYSTEM = "urn:hemsjukvard:organisation-kind"


def ref(resource_type: str, public_id: object, display: str = "") -> dict[str, Any]:
    reference: dict[str, Any] = {"reference": f"{resource_type}/{public_id}"}
    if display:
        reference["display"] = display
    return reference


def organisation_ref(organisation: Organisation) -> dict[str, Any]:
    return ref("Organization", organisation.public_id, organisation.name)


def _instant(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    """FHIR forbids empty strings, lists and objects: leave such elements out."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def organization(organisation: Organisation) -> dict[str, Any]:
    identifiers = (
        [{"use": "official", "system": HSA_ID_SYSTEM, "value": organisation.hsa_id}]
        if organisation.hsa_id
        else []
    )
    return _drop_empty(
        {
            "resourceType": "Organization",
            "id": str(organisation.public_id),
            "identifier": identifiers,
            "active": organisation.is_active,
            "type": [
                {
                    "coding": [
                        {
                            "system": ORGANIZATION_TYPE_SYSTEM,
                            "code": organisation.kind,
                            "display": str(organisation.get_kind_display()),
                        }
                    ]
                }
            ],
            "name": organisation.name,
            "partOf": (
                organisation_ref(organisation.region)
                if organisation.region_id and organisation.region is not None
                else None
            ),
        }
    )


def patient_identifier(record: Patient) -> dict[str, str]:
    """The patient's identity number under its own system: a reservnummer is the region's temporary
    identifier (``RESERVNUMMER_FHIR_SYSTEM``, use ``temp``), never sent as a personnummer."""
    if record.identity_kind == IdentityKind.RESERVNUMMER:
        return {"use": "temp", "system": settings.RESERVNUMMER_FHIR_SYSTEM, "value": record.personal_identity}
    system = (
        SAMORDNINGSNUMMER_SYSTEM
        if record.identity_kind == IdentityKind.SAMORDNINGSNUMMER
        else PERSONNUMMER_SYSTEM
    )
    return {"use": "official", "system": system, "value": record.personal_identity}


def patient(record: Patient, *, identity_visible: bool) -> dict[str, Any]:
    """HL7 Sweden's base Patient; with skyddad identitet hidden from the reader (``identity_visible``,
    as the selector that read the patient decided), no identity at all."""
    visible = identity_visible
    data: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(record.public_id),
        "meta": {"profile": [SE_BASE_PATIENT_PROFILE]},
        "generalPractitioner": (
            [organisation_ref(record.listed_vardcentral)] if record.listed_vardcentral is not None else []
        ),
        "managingOrganization": organisation_ref(record.folkbokforing_kommun),
    }
    if record.protected_identity:
        data["meta"]["security"] = [{"system": CONFIDENTIALITY_SYSTEM, "code": "R", "display": "restricted"}]
    if visible:
        data["identifier"] = [patient_identifier(record)]
        data["name"] = [{"use": "official", "family": record.family_name, "given": [record.given_name]}]
        if record.street_address or record.city:
            data["address"] = [
                _drop_empty(
                    {
                        "use": "home",
                        "line": [record.street_address] if record.street_address else [],
                        "postalCode": record.postal_code,
                        "city": record.city,
                        "country": "SE",
                    }
                )
            ]
    if record.interpreter_needed and record.interpreter_language:
        data["communication"] = [{"language": {"text": record.interpreter_language}, "preferred": True}]
    return _drop_empty(data)


def _careplan_status(sip: Sip, version: SipVersion | None, shared: bool) -> str:
    if not shared:
        return "revoked"
    if sip.status == SipStatus.CLOSED:
        return "completed"
    if version is not None and version.status == VersionStatus.FINALISED:
        return "active"
    return "draft"


def _activity(insats: Any, *, status: str) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "status": status,
        "description": insats.description,
    }
    if insats.task_type is not None:
        detail["code"] = {
            "coding": [
                {
                    "system": TASK_TYPE_SYSTEM,
                    "code": insats.task_type.code,
                    "display": insats.task_type.name_sv,
                }
            ],
            "text": insats.task_type.name_sv,
        }
    if insats.responsible is not None:
        detail["performer"] = [organisation_ref(insats.responsible)]
    # When: the start bounds the timing, the frequency or period is its text ("dagligen kl 08 och 20").
    timing: dict[str, Any] = {}
    if insats.starts_on is not None:
        timing["repeat"] = {"boundsPeriod": {"start": insats.starts_on.isoformat()}}
    if insats.frequency:
        timing["code"] = {"text": insats.frequency}
    if timing:
        detail["scheduledTiming"] = timing
    notes = []
    if insats.basis == LegalBasis.SOL:
        notes.append({"text": "Insats enligt socialtjänstlagen (SoL)"})
    if insats.reported_by or insats.reported_to:
        notes.append({"text": f"Rapporterar resultat: {insats.reported_by} till {insats.reported_to}"})
    if insats.orders is not None:
        notes.append({"text": f"Ordinerar: {insats.orders.name}"})
    if insats.follows_up is not None:
        notes.append({"text": f"Följer upp: {insats.follows_up.name}"})
    if insats.notes:
        notes.append({"text": insats.notes})
    return _drop_empty({"detail": _drop_empty(detail), "progress": notes})


def care_plan(
    sip: Sip, version: SipVersion | None, *, shared: bool, identity_visible: bool
) -> dict[str, Any]:
    """The SIP as a CarePlan: ``Goal`` and ``CareTeam`` contained, one activity per insats.

    For a reader who may not see the identity of a patient with skyddad identitet, the names that
    identify the person (the person themself, närstående) are left out, as from the Patient.
    """
    status = _careplan_status(sip, version, shared)
    data: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(sip.public_id),
        "identifier": [{"system": f"{REGISTER_SYSTEM}:sip", "value": str(sip.public_id)}],
        "status": status,
        "intent": "plan",
        "title": "Samordnad individuell plan (SIP)",
        "subject": ref("Patient", sip.patient.public_id),
        "created": _instant(sip.created_at),
    }
    if sip.case is not None:
        data["identifier"].append({"system": f"{REGISTER_SYSTEM}:case", "value": str(sip.case.public_id)})
    if not shared or version is None:
        return _drop_empty(data)

    data["description"] = version.what_matters
    if version.huvudansvar is not None:
        data["author"] = organisation_ref(version.huvudansvar)
        data["contributor"] = [organisation_ref(version.huvudansvar)]
    if version.follow_up_on is not None:
        data["period"] = {"end": version.follow_up_on.isoformat()}

    contained: list[dict[str, Any]] = []
    if version.own_goals:
        contained.append(
            {
                "resourceType": "Goal",
                "id": "goal",
                "lifecycleStatus": "active",
                "description": {"text": version.own_goals},
                "subject": ref("Patient", sip.patient.public_id),
                "expressedBy": ref("Patient", sip.patient.public_id),
            }
        )
        data["goal"] = [{"reference": "#goal"}]
    participants = [
        _care_team_participant(p, identity_visible=identity_visible) for p in version.participants.all()
    ]
    if version.huvudansvar is not None:
        named = ", ".join(v for v in (version.huvudansvar_contact, version.huvudansvar_phone) if v)
        participants.append(
            {
                "role": [{"text": f"Huvudansvar ({named})" if named else "Huvudansvar"}],
                "member": organisation_ref(version.huvudansvar),
            }
        )
    for label, name, unit, phone in (
        (
            "Fast vårdkontakt",
            version.fast_vardkontakt_name,
            version.fast_vardkontakt_unit,
            version.fast_vardkontakt_phone,
        ),
        (
            "Fast läkarkontakt",
            version.fast_lakarkontakt_name,
            version.fast_lakarkontakt_unit,
            version.fast_lakarkontakt_phone,
        ),
    ):
        if name:
            participants.append(
                {"role": [{"text": f"{label}: " + ", ".join(v for v in (name, unit, phone) if v)}]}
            )
    if participants:
        contained.append(
            _drop_empty(
                {
                    "resourceType": "CareTeam",
                    "id": "careteam",
                    "status": "active",
                    "name": "Deltagare i SIP",
                    "subject": ref("Patient", sip.patient.public_id),
                    "participant": participants,
                    "managingOrganization": (
                        [organisation_ref(version.huvudansvar)] if version.huvudansvar is not None else []
                    ),
                }
            )
        )
        data["careTeam"] = [{"reference": "#careteam"}]
    data["contained"] = contained
    activity_status = (
        "in-progress" if status == "active" else ("completed" if status == "completed" else "not-started")
    )
    data["activity"] = [_activity(insats, status=activity_status) for insats in version.insatser.all()]
    notes = [
        {"text": f"Insats av annan: {measure.description}"}
        if is_masked(measure, "actor_name", identity_visible=identity_visible)
        else {"text": f"Insats av annan ({measure.actor_name}): {measure.description}"}
        for measure in version.other_measures.all()
    ]
    notes += [
        {"text": f"Kontaktväg ({path.get_period_display()}): {path.who} {path.phone}".strip()}
        for path in version.contact_paths.all()
    ]
    if version.no_other_measures:
        notes.append({"text": "Inga insatser av andra än kommun och region."})
    data["note"] = notes
    return _drop_empty(data)


def _care_team_participant(participant: Any, *, identity_visible: bool) -> dict[str, Any]:
    role_text = participant.get_kind_display()
    if participant.role:
        role_text = f"{role_text}: {participant.role}"
    entry: dict[str, Any] = {"role": [{"text": str(role_text)}]}
    if participant.organisation is not None:
        entry["member"] = organisation_ref(participant.organisation)
    elif participant.name and not is_masked(participant, "name", identity_visible=identity_visible):
        entry["role"][0]["text"] = f"{role_text} ({participant.name})"
    return entry


_RISK_STATUS: dict[str, str] = {
    AnalysisStatus.APPROVED: "final",
    AnalysisStatus.MAS_INFORMED: "final",  # in effect: nobody approves it, the kommun's MAS is informed
    AnalysisStatus.REJECTED: "cancelled",
    AnalysisStatus.SUPERSEDED: "amended",
}


def risk_assessment(analysis: RiskAnalysis) -> dict[str, Any]:
    """A risk analysis as RiskAssessment: one prediction per hazard (likelihood × consequence)."""
    measures = list(analysis.measures.all())
    predictions = []
    for hazard in analysis.hazards.all():
        score = risk_score(hazard.likelihood, hazard.consequence)
        risk = _("Likelihood %(likelihood)d × consequence %(consequence)d = %(score)d (%(level)s)") % {
            "likelihood": hazard.likelihood,
            "consequence": hazard.consequence,
            "score": score,
            "level": risk_words(score).lower(),
        }
        predictions.append(
            _drop_empty(
                {
                    "outcome": {"text": hazard.description},
                    "qualitativeRisk": {"text": risk},
                    "rationale": "; ".join(m.description for m in measures if m.hazard_id == hazard.pk),
                }
            )
        )
    mitigation = "; ".join(
        f"{m.description} ({m.owner_organisation.name}, senast {m.due_on.isoformat()})" for m in measures
    )
    return _drop_empty(
        {
            "resourceType": "RiskAssessment",
            "id": str(analysis.public_id),
            "identifier": [
                {
                    "system": f"{REGISTER_SYSTEM}:risk-analysis",
                    "value": f"{analysis.case.public_id}/{analysis.number}",
                }
            ],
            "status": _RISK_STATUS.get(analysis.status, "preliminary"),
            "subject": ref("Patient", analysis.case.patient.public_id),
            "occurrenceDateTime": _instant(analysis.created_at),
            "performer": organisation_ref(analysis.organisation),
            "prediction": predictions,
            "mitigation": mitigation,
            "note": [{"text": analysis.summary}] if analysis.summary else [],
        }
    )


def case_tasks(case: ResponsibilityCase) -> list[dict[str, Any]]:
    """The case's open deadline (review, approval, escalation) as a Task owned by who holds the case."""
    if case.status not in OPEN_STATUSES or case.due_at is None:
        return []
    return [
        _drop_empty(
            {
                "resourceType": "Task",
                "id": f"case-{case.public_id}-{int(case.due_at.timestamp())}",
                "identifier": [{"system": f"{REGISTER_SYSTEM}:case", "value": str(case.public_id)}],
                "status": "requested",
                "intent": "order",
                "code": {"text": str(case.get_status_display())},
                "description": (
                    f"Ansvarsärende: {case.get_status_display()} senast {case.due_at.date().isoformat()}"
                ),
                "for": ref("Patient", case.patient.public_id),
                "authoredOn": _instant(case.created_at),
                "lastModified": _instant(case.updated_at),
                "owner": organisation_ref(case.owner_organisation) if case.owner_organisation else None,
                "restriction": {"period": {"end": _instant(case.due_at)}},
            }
        )
    ]


def follow_up_task(sip: Sip, version: SipVersion | None, *, shared: bool) -> list[dict[str, Any]]:
    """The SIP's follow-up date as a Task for the principal with huvudansvar."""
    if not shared or version is None or version.follow_up_on is None or sip.status == SipStatus.CLOSED:
        return []
    return [
        _drop_empty(
            {
                "resourceType": "Task",
                "id": f"sip-{sip.public_id}-follow-up-{version.number}",
                "status": "requested",
                "intent": "plan",
                "code": {"text": "Uppföljning av SIP"},
                "description": (
                    f"Följ upp SIP version {version.number} senast {version.follow_up_on.isoformat()}"
                ),
                "focus": ref("CarePlan", sip.public_id),
                "for": ref("Patient", sip.patient.public_id),
                "owner": organisation_ref(version.huvudansvar) if version.huvudansvar is not None else None,
                "restriction": {"period": {"end": version.follow_up_on.isoformat()}},
            }
        )
    ]


def bundle(resources: Iterable[dict[str, Any]], *, base_url: str, kind: str = "collection") -> dict[str, Any]:
    entries = []
    seen: set[tuple[str, str]] = set()
    for resource in resources:
        key = (resource["resourceType"], resource["id"])
        if key in seen:
            continue
        seen.add(key)
        entries.append({"fullUrl": f"{base_url}/{key[0]}/{key[1]}", "resource": resource})
    data: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": kind,
        "timestamp": datetime.datetime.now(tz=datetime.UTC).isoformat(),
        "entry": entries,
    }
    if kind == "searchset":
        data["total"] = len(entries)
    return data
