"""What each request example of openapi.yaml is sent as, operation by operation: who sends it, to which
record of the seeded demo world, with which ids and headers; and, where the demo world lacks the state
the example was written for, the step that makes it (through the API or the services), said in the
setup's docstring. Used by ``test_request_examples``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from agreements.models import AgreementVersion, CareTaskType, ResponsibilityRule
from cases.governance import tasks_to_decide
from cases.models import AnalysisStatus, CaseStatus, CaseTask, ResponsibilityCase
from competence.models import CompetenceTransfer, Delegation
from demo.people import DEFAULT_PASSWORD
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind, Role
from integrations import services as integrations
from integrations.models import ClientAccess
from patients.models import Enrolment
from patients.selectors import patient_get
from sip import services as sip_services
from sip.models import Sip, SipStatus

from .examples_world import (
    CLINIC,
    KOMMUN,
    REGION,
    VARDCENTRAL,
    Caller,
    ExampleWorld,
    as_member,
    as_user,
    kommun_nurse,
    member,
    organisation,
)
from .handoff.contract import schema

__all__ = ["schema"]

# What the webhook host of the examples resolves to while subscribing: a public address, never connected.
PUBLIC_ADDRESS = "93.184.215.14"


@dataclass
class Prepared:
    """Who sends the example, to which object, with which ids and headers."""

    caller: Caller
    path_params: dict[str, Any] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    # A form with files, for an operation that takes multipart/form-data only (an upload).
    multipart: dict[str, Any] | None = None


Setup = Callable[[ExampleWorld], Prepared]


# --- Setups: one per operation ---------------------------------------------------------------------------


def _region_admin() -> Caller:
    return as_user("admin.halland")


def _in_force() -> AgreementVersion:
    # The regional agreement (the demo world also has a local one in force, Kungsbacka's night patrol).
    return AgreementVersion.objects.get(
        agreement__region__name=REGION, agreement__scope="regional", status="in_force"
    )


def _draft_version(w: ExampleWorld) -> AgreementVersion:
    """A draft of the next version of the Halland agreement (made through the API the first time)."""
    draft = AgreementVersion.objects.filter(agreement__region__name=REGION, status="draft").first()
    if draft is None:
        answer = w.call(
            _region_admin(),
            "agreement_versions_create",
            json={"based_on": str(_in_force().public_id), "version": "2099.1", "valid_from": "2099-01-01"},
        )
        assert answer.status == 201, answer.body
        draft = AgreementVersion.objects.get(public_id=answer.body["id"])
    return draft


def agreement_versions_create(w: ExampleWorld) -> Prepared:
    return Prepared(_region_admin(), ids={"based_on": _in_force().public_id})


def agreement_versions_partial_update(w: ExampleWorld) -> Prepared:
    admin, draft = _region_admin(), _draft_version(w)
    return Prepared(
        admin,
        path_params={"id": draft.public_id},
        headers={"If-Match": w.etag(admin, "agreement_versions_retrieve", draft.public_id)},
    )


def agreement_sections_create(w: ExampleWorld) -> Prepared:
    """The example adds section 6.1, which a draft based on the version in force already has: it is added
    to a draft started empty (made through the API)."""
    admin = _region_admin()
    answer = w.call(
        admin,
        "agreement_versions_create",
        json={
            "agreement": str(_in_force().agreement.public_id),
            "version": "2099.2",
            "title": "Överenskommelse om hemsjukvård i Halland",
            "valid_from": "2099-06-01",
            "kommuner": [str(organisation(KOMMUN).public_id)],
            "housing_settings": ["ordinary_home"],
        },
    )
    assert answer.status == 201, answer.body
    return Prepared(admin, ids={"version": answer.body["id"]})


def agreement_sections_partial_update(w: ExampleWorld) -> Prepared:
    admin, draft = _region_admin(), _draft_version(w)
    section = draft.sections.order_by("pk").first()
    assert section is not None
    return Prepared(
        admin,
        path_params={"id": section.public_id},
        headers={"If-Match": w.etag(admin, "agreement_sections_retrieve", section.public_id)},
    )


def responsibility_rules_create(w: ExampleWorld) -> Prepared:
    """The draft's rule for PD is removed first (through the API): the example adds PD's rule anew."""
    admin, draft = _region_admin(), _draft_version(w)
    for rule in ResponsibilityRule.objects.filter(version=draft, task_type__code="peritoneal_dialysis"):
        etag = w.etag(admin, "responsibility_rules_retrieve", rule.public_id)
        removed = w.call(
            admin,
            "responsibility_rules_destroy",
            path_params={"id": rule.public_id},
            headers={"If-Match": etag},
        )
        assert removed.status == 204, removed.body
    section = draft.sections.order_by("pk").first()
    assert section is not None
    return Prepared(
        admin,
        ids={
            "version": draft.public_id,
            "section": section.public_id,
            "organisation": organisation(CLINIC).public_id,
        },
    )


def responsibility_rules_partial_update(w: ExampleWorld) -> Prepared:
    """The example moves a rule to special housing (säbo), which the demo agreement does not cover: the
    draft is first changed to cover it (through the API)."""
    admin, draft = _region_admin(), _draft_version(w)
    covered = sorted({*draft.covered_housing_settings, "special_housing"})
    changed = w.call(
        admin,
        "agreement_versions_partial_update",
        path_params={"id": draft.public_id},
        json={"housing_settings": covered},
        headers={"If-Match": w.etag(admin, "agreement_versions_retrieve", draft.public_id)},
    )
    assert changed.status == 200, changed.body
    rule = draft.rules.order_by("pk").first()
    assert rule is not None
    return Prepared(
        admin,
        path_params={"id": rule.public_id},
        headers={"If-Match": w.etag(admin, "responsibility_rules_retrieve", rule.public_id)},
    )


def agreements_create(w: ExampleWorld) -> Prepared:
    return Prepared(
        _region_admin(),
        ids={
            "region": organisation(REGION).public_id,
            "local_kommun": organisation(KOMMUN).public_id,
            "local_vardcentral": organisation(VARDCENTRAL).public_id,
        },
    )


def task_types_partial_update(w: ExampleWorld) -> Prepared:
    admin = _region_admin()
    task_type = CareTaskType.objects.get(code="peritoneal_dialysis")
    return Prepared(
        admin,
        path_params={"id": task_type.public_id},
        headers={"If-Match": w.etag(admin, "task_types_retrieve", task_type.public_id)},
    )


def task_types_create(w: ExampleWorld) -> Prepared:
    """The example adds PD to the catalogue, which the demo's catalogue already holds: it is sent to a
    catalogue where the demo's PD has another code (run last, after every example that names PD)."""
    CareTaskType.objects.filter(code="peritoneal_dialysis").update(code="peritoneal_dialysis_demo")
    return Prepared(_region_admin())


def auth_token_create(w: ExampleWorld) -> Prepared:
    """The password is the person's own (the demo's); the second example names the membership of a
    person with two, the acting MAS who is also a nurse: nurse.falkenberg in the demo."""
    values: dict[str, Any] = {"password": DEFAULT_PASSWORD}
    return Prepared(
        Caller("anonymous", APIClient()),
        ids={"membership": member("nurse.falkenberg", Role.MAS).public_id},
        values=values,
    )


def oauth_token_create(w: ExampleWorld) -> Prepared:
    """The client's id and secret are the integrator's own: a client registered for Varbergs kommun."""
    kommun = organisation(KOMMUN)
    issued = integrations.api_client_create(
        name=f"Journalsystem Varberg {uuid.uuid4().hex[:6]}",
        organisation=kommun,
        scope=[kommun],
        access=ClientAccess.READ_WRITE,
    )
    return Prepared(
        Caller("anonymous", APIClient()),
        values={"client_id": issued.client.client_id, "client_secret": issued.secret},
    )


def _integrator(w: ExampleWorld) -> Caller:
    kommun = organisation(KOMMUN)
    issued = integrations.api_client_create(
        name=f"Journal Varberg {uuid.uuid4().hex[:6]}",
        organisation=kommun,
        scope=[kommun],
        access=ClientAccess.READ_WRITE,
    )
    token = integrations.client_token_issue(client=issued.client, scope="read write")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.token}")
    return Caller(issued.client.name, client, authorization=f"Bearer {token.token}")


def webhook_subscriptions_create(w: ExampleWorld) -> Prepared:
    return Prepared(_integrator(w))


def webhook_subscriptions_partial_update(w: ExampleWorld) -> Prepared:
    integrator = _integrator(w)
    created = w.call(
        integrator,
        "webhook_subscriptions_create",
        json={"url": "https://journal.kommun.example.se/hooks/hemsjukvard", "events": ["case.submitted"]},
    )
    assert created.status == 201, created.body
    return Prepared(integrator, path_params={"id": created.body["id"]})


def patients_create(w: ExampleWorld) -> Prepared:
    kommun = organisation(KOMMUN).public_id
    return Prepared(kommun_nurse(), ids={"folkbokforing_kommun": kommun, "kommun": kommun})


def patients_partial_update(w: ExampleWorld) -> Prepared:
    nurse, patient = kommun_nurse(), w.patient_without_a_case()
    return Prepared(
        nurse,
        path_params={"id": patient.public_id},
        headers={"If-Match": w.etag(nurse, "patients_retrieve", patient.public_id)},
    )


def patients_emergency_access_create(w: ExampleWorld) -> Prepared:
    """A nurse of another kommun of the region, on call, opens a Varberg patient."""
    return Prepared(as_user("nurse.halmstad"), path_params={"id": w.patient_without_a_case().public_id})


def patients_enrolments_create(w: ExampleWorld) -> Prepared:
    """The patient whose enrolment the example of ``enrolments_end_create`` ended (on 2026-11-20) is
    enrolled anew (from 2026-11-22), by the kommun's MAS: without an open enrolment, the nurses no longer
    see the patient, while MAS still reaches a patient the kommun gave care."""
    assert w.ended is not None, "run after enrolments_end_create"
    return Prepared(
        as_user("mas.varberg"),
        path_params={"id": w.ended.public_id},
        ids={"kommun": organisation(KOMMUN).public_id},
    )


def patients_protected_identity_create(w: ExampleWorld) -> Prepared:
    """Sent by the kommun's MAS, the one who records Skatteverket's decision."""
    nurse, patient = as_user("mas.varberg"), w.patient_without_a_case()
    return Prepared(
        nurse,
        path_params={"id": patient.public_id},
        headers={"If-Match": w.etag(nurse, "patients_retrieve", patient.public_id)},
    )


def enrolments_end_create(w: ExampleWorld) -> Prepared:
    nurse, patient = kommun_nurse(), w.patient_without_a_case()
    enrolment = Enrolment.objects.get(patient=patient, ends_on__isnull=True)
    w.ended = patient
    return Prepared(
        nurse,
        path_params={"id": enrolment.public_id},
        headers={"If-Match": w.etag(nurse, "enrolments_retrieve", enrolment.public_id)},
    )


def responsibility_proposals_create(w: ExampleWorld) -> Prepared:
    return Prepared(
        kommun_nurse(),
        ids={
            "patient": w.patient_without_a_case().public_id,
            "specialist_clinic": organisation(CLINIC).public_id,
            # A stay in another kommun of the region (HSL 12 kap. 2 §).
            "stay_kommun": organisation("Falkenbergs kommun").public_id,
        },
    )


def cases_create(w: ExampleWorld) -> Prepared:
    return Prepared(
        kommun_nurse(),
        ids={
            "patient": w.patient_without_a_case().public_id,
            "specialist_clinic": organisation(CLINIC).public_id,
        },
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


def _case_action(action: str, **more: Any) -> Callable[..., Prepared]:
    """The example is sent by someone who may take ``action`` on a demo case now, with the case's ETag
    of their read."""

    def setup(w: ExampleWorld, where: list[ResponsibilityCase] | None = None) -> Prepared:
        case, membership = w.case_for(action, where=where)
        caller = as_member(membership)
        ids = {key: resolve(case, membership) for key, resolve in more.items()}
        return Prepared(
            caller,
            path_params={"id": case.public_id},
            ids=ids,
            headers={"If-Match": w.etag(caller, "cases_retrieve", case.public_id)},
        )

    setup.__doc__ = f"A demo case on which someone may {action} now."
    return setup


def _task_awaiting(case: ResponsibilityCase, membership: Membership) -> Any:
    return _task_to_decide(case, membership)


def _task_to_decide(case: ResponsibilityCase, membership: Membership) -> Any:
    return tasks_to_decide(case.tasks.select_related("task_type"))[0].public_id


def _clinic_of(case: ResponsibilityCase, membership: Membership) -> Any:
    return (case.specialist_clinic or case.kommun).public_id


def _kommun_of(case: ResponsibilityCase, membership: Membership) -> Any:
    return case.kommun.public_id


def _recommended(w: ExampleWorld) -> ResponsibilityCase:
    """An escalated demo case on which the body at a recommending level has recommended a split (sent
    through the API: ``cases_decide_create``); both parties are asked to accept it."""
    if w.recommended is None:
        escalated = ResponsibilityCase.objects.filter(status=CaseStatus.ESCALATED, escalation_level__lt=3)
        case, membership = w.case_for("decide", where=escalated.order_by("pk"))
        body = as_member(membership)
        decided = w.call(
            body,
            "cases_decide_create",
            path_params={"id": case.public_id},
            json={
                "outcome": "agreed",
                "reasons": "Enligt överenskommelsen.",
                "splits": [
                    {
                        "task": str(task.public_id),
                        "orders": str(_clinic_of(case, membership)),
                        "performs": str(_kommun_of(case, membership)),
                        "follows_up": str(_clinic_of(case, membership)),
                    }
                    for task in tasks_to_decide(case.tasks.select_related("task_type"))
                ],
            },
            headers={"If-Match": w.etag(body, "cases_retrieve", case.public_id)},
        )
        assert decided.status == 200, decided.body
        w.recommended = case
    return w.recommended


def _one_task_to_decide() -> list[ResponsibilityCase]:
    escalated = ResponsibilityCase.objects.filter(status=CaseStatus.ESCALATED).order_by("pk")
    return [c for c in escalated if len(tasks_to_decide(c.tasks.select_related("task_type"))) == 1]


def cases_decide_create(w: ExampleWorld) -> Prepared:
    """The example decides one task: an escalated demo case with one task to decide."""
    return _case_action(
        "decide", task=_task_to_decide, orders=_clinic_of, follows_up=_clinic_of, performs=_kommun_of
    )(w, _one_task_to_decide())


def _answer_recommendation(action: str) -> Setup:
    """One party accepts the recommendation and the other declines it, on the same case."""

    def setup(w: ExampleWorld) -> Prepared:
        case, membership = w.case_for(action, where=[_recommended(w)], again=True)
        caller = as_member(membership)
        return Prepared(
            caller,
            path_params={"id": case.public_id},
            headers={"If-Match": w.etag(caller, "cases_retrieve", case.public_id)},
        )

    return setup


def cases_risk_analyses_create(w: ExampleWorld) -> Prepared:
    return _case_action("create_analysis", owner_organisation=_clinic_of)(w)


def _latest_analysis(case: ResponsibilityCase) -> str | None:
    latest = case.risk_analyses.order_by("-number").first()
    return latest.status if latest else None


def _analysis_action(action: str, status: str) -> Setup:
    """A demo case whose latest risk analysis is ``status``, which its signer or approver may ``action``
    now, with the ETag of their read of the analysis."""

    def setup(w: ExampleWorld) -> Prepared:
        latest = [c for c in ResponsibilityCase.objects.order_by("pk") if _latest_analysis(c) == status]
        case, membership = w.case_for(action, where=latest)
        caller = as_member(membership)
        analysis = case.risk_analyses.order_by("-number").first()
        assert analysis is not None
        return Prepared(
            caller,
            path_params={"id": analysis.public_id},
            headers={"If-Match": w.etag(caller, "risk_analyses_retrieve", analysis.public_id)},
        )

    return setup


def patients_log_extract_create(w: ExampleWorld) -> Prepared:
    """The kommun's MAS makes a patient's log extract, as the patient asked for it."""
    return Prepared(
        as_user("mas.varberg"),
        path_params={"id": w.patient_without_a_case().public_id},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


def documents_create(w: ExampleWorld) -> Prepared:
    analysis = (
        ResponsibilityCase.objects.filter(kommun__name=KOMMUN, risk_analyses__status=AnalysisStatus.APPROVED)
        .order_by("pk")
        .values_list("risk_analyses__public_id", flat=True)
        .first()
    )
    return Prepared(
        kommun_nurse(), ids={"source_id": analysis}, headers={"Idempotency-Key": str(uuid.uuid4())}
    )


def figures_reports_create(w: ExampleWorld) -> Prepared:
    return Prepared(as_user("coordinator.varberg"))


def sips_create(w: ExampleWorld) -> Prepared:
    return Prepared(
        kommun_nurse(),
        ids={"patient": w.patient_without_a_case().public_id},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


def sips_from_case_create(w: ExampleWorld) -> Prepared:
    """An agreed demo case of Varbergs kommun without a plan; its ETag, read by the kommun's nurse."""
    nurse = kommun_nurse()
    case = (
        ResponsibilityCase.objects.filter(status=CaseStatus.AGREED, sips__isnull=True)
        .exclude(pk__in=w.used_cases)
        .order_by("pk")
        .first()
    )
    assert case is not None
    w.used_cases.add(case.pk)
    caller = as_user(f"nurse.{case.kommun.name.split()[0].lower().removesuffix('s')}")
    del nurse
    return Prepared(
        caller,
        ids={"case": case.public_id},
        headers={
            "Idempotency-Key": str(uuid.uuid4()),
            "If-Match": w.etag(caller, "cases_retrieve", case.public_id),
        },
    )


def _sip(w: ExampleWorld, status: str) -> tuple[Sip, Caller]:
    sip = Sip.objects.filter(status=status).order_by("pk").first()
    assert sip is not None, f"the demo world has no plan {status}"
    return sip, kommun_nurse()


def sips_draft_partial_update(w: ExampleWorld) -> Prepared:
    """A new plan for a Varberg patient (made through the services), filled in by the example."""
    nurse = kommun_nurse()
    patient = w.patient_without_a_case()
    actor = Actor.for_user(member("nurse.varberg").user)
    sip = sip_services.sip_create_for_patient(
        actor=actor, patient=patient_get(actor=actor, public_id=patient.public_id)
    )
    return Prepared(
        nurse,
        path_params={"id": sip.public_id},
        ids={
            "huvudansvar": organisation(KOMMUN).public_id,
            "responsible": organisation(KOMMUN).public_id,
            "orders": organisation(CLINIC).public_id,
            "follows_up": organisation(CLINIC).public_id,
        },
        headers={"If-Match": w.etag(nurse, "sips_retrieve", sip.public_id)},
    )


def _finalised_sip(w: ExampleWorld) -> Prepared:
    sip = (
        Sip.objects.filter(status=SipStatus.FINALISED, patient__folkbokforing_kommun__name=KOMMUN)
        .order_by("pk")
        .first()
    )
    assert sip is not None
    nurse = kommun_nurse()
    return Prepared(
        nurse,
        path_params={"id": sip.public_id},
        headers={"If-Match": w.etag(nurse, "sips_retrieve", sip.public_id)},
    )


def sips_follow_ups_create(w: ExampleWorld) -> Prepared:
    prepared = _finalised_sip(w)
    prepared.headers["Idempotency-Key"] = str(uuid.uuid4())
    return prepared


# --- Attachments ----------------------------------------------------------------------------------------

# A small PDF, as a discharge summary arrives: the API reads its type from these bytes.
DISCHARGE_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def attachment_upload() -> dict[str, Any]:
    """The upload example's form, with a real PDF as its file."""
    return {
        "kind": "discharge_summary",
        "title": "Utskrivningsinformation njurmedicin 3 december",
        "file": SimpleUploadedFile("utskrivning.pdf", DISCHARGE_PDF, content_type="application/pdf"),
    }


def varberg_case_of_the_nurse() -> ResponsibilityCase:
    """A Varberg case the kommun's demo nurse takes part in, not closed."""
    case = (
        ResponsibilityCase.objects.filter(kommun=organisation(KOMMUN))
        .exclude(status=CaseStatus.CLOSED)
        .order_by("-pk")
        .first()
    )
    assert case is not None, "the demo world has no open case in Varbergs kommun"
    return case


def attachments_remove_create(w: ExampleWorld) -> Prepared:
    """The demo world has no attachment: the nurse attaches a discharge summary to a case (through the API)
    and removes it again."""
    nurse = kommun_nurse()
    case = varberg_case_of_the_nurse()
    created = w.call(
        nurse,
        "cases_attachments_create",
        path_params={"id": case.public_id},
        multipart=attachment_upload(),
    )
    assert created.status == 201, created.body
    return Prepared(nurse, path_params={"id": created.body["id"]}, headers={"If-Match": str(created.etag)})


# --- The registers of competence transfer and delegation -------------------------------------------------


def _delegator(delegation: Delegation) -> Caller:
    """The person who delegated, acting in the membership in which they delegated."""
    membership = (
        Membership.objects.active()
        .filter(user=delegation.delegated_by, organisation=delegation.delegating_organisation)
        .select_related("user", "organisation")
        .order_by("pk")
        .first()
    )
    assert membership is not None, f"the delegator of {delegation} has no membership"
    return as_member(membership)


def _insulin_task() -> CaseTask:
    """A demo case's task of giving insulin injections that the case's rule lets be delegated (the demo
    has such a task only in a case of another kommun than Varberg)."""
    tasks = CaseTask.objects.filter(task_type__code="insulin_injection").select_related("case__kommun")
    for task in tasks.order_by("pk"):
        if ((task.proposal or {}).get("conditions") or {}).get("delegation_allowed"):
            return task
    raise AssertionError("the demo world has no insulin task that may be delegated")


def _kommun_nurse_of(kommun: Organisation) -> Caller | None:
    nurse = (
        Membership.objects.active()
        .filter(organisation=kommun, role=Role.NURSE, user__is_active=True)
        .select_related("user", "organisation")
        .order_by("pk")
        .first()
    )
    return as_member(nurse) if nurse is not None else None


def _insulin_delegation(kommun: Organisation) -> Delegation:
    """The demo's delegation of insulin injections by a nurse of ``kommun``, in force."""
    found = (
        Delegation.objects.filter(
            task_type__code="insulin_injection", delegating_organisation=kommun, revoked_at__isnull=True
        )
        .select_related("delegated_by", "delegating_organisation")
        .order_by("pk")
        .first()
    )
    assert found is not None, f"the demo world has no insulin delegation in {kommun}"
    return found


def competence_transfers_create(w: ExampleWorld) -> Prepared:
    """The kommun's nurse records the training the ordering clinic gave the kommun's nurses."""
    return Prepared(
        kommun_nurse(),
        ids={
            "training_unit": organisation(CLINIC).public_id,
            "receiving_unit": organisation(KOMMUN).public_id,
        },
    )


def competence_transfers_revoke_create(w: ExampleWorld) -> Prepared:
    """A training another kommun of the region received, revoked by that kommun's nurse (Varberg's
    trainings stay in force: its cases' tasks need them to start)."""
    for transfer in (
        CompetenceTransfer.objects.filter(
            receiving_unit__kind=OrganisationKind.KOMMUN, revoked_at__isnull=True
        )
        .exclude(receiving_unit__name=KOMMUN)
        .order_by("pk")
    ):
        nurse = _kommun_nurse_of(transfer.receiving_unit)
        if nurse is not None:
            return Prepared(nurse, path_params={"id": transfer.public_id})
    raise AssertionError("the demo world has no training of another kommun to revoke")


def delegations_create(w: ExampleWorld) -> Prepared:
    """A nurse of the kommun whose case has a delegable insulin task delegates it to the kommun's own
    staff, linked to that task."""
    task = _insulin_task()
    nurse = _kommun_nurse_of(task.case.kommun)
    assert nurse is not None, f"the demo world has no nurse in {task.case.kommun}"
    return Prepared(
        nurse,
        ids={"receiver_organisation": task.case.kommun.public_id},
        values={"case_tasks": [str(task.public_id)]},
    )


def delegations_revoke_create(w: ExampleWorld) -> Prepared:
    """The vårdcentral physician revokes the B12 injections they delegated to the kommun's staff."""
    delegation = (
        Delegation.objects.filter(
            delegating_organisation__kind=OrganisationKind.VARDCENTRAL, revoked_at__isnull=True
        )
        .select_related("delegated_by", "delegating_organisation")
        .order_by("pk")
        .first()
    )
    assert delegation is not None, "the demo world has no delegation by a vårdcentral physician"
    return Prepared(_delegator(delegation), path_params={"id": delegation.public_id})


def delegations_case_tasks_create(w: ExampleWorld) -> Prepared:
    """The kommun's nurse who delegated insulin injections links the delegation to the kommun's case's
    delegable insulin task."""
    task = _insulin_task()
    delegation = _insulin_delegation(task.case.kommun)
    return Prepared(
        _delegator(delegation),
        path_params={"id": delegation.public_id},
        ids={"case_task": task.public_id},
    )


SETUPS: dict[str, Setup] = {
    "auth_token_create": auth_token_create,
    "oauth_token_create": oauth_token_create,
    "agreement_versions_create": agreement_versions_create,
    "agreement_versions_partial_update": agreement_versions_partial_update,
    "agreement_sections_create": agreement_sections_create,
    "agreement_sections_partial_update": agreement_sections_partial_update,
    "responsibility_rules_create": responsibility_rules_create,
    "responsibility_rules_partial_update": responsibility_rules_partial_update,
    "agreements_create": agreements_create,
    "patients_create": patients_create,
    "patients_partial_update": patients_partial_update,
    "patients_emergency_access_create": patients_emergency_access_create,
    "patients_protected_identity_create": patients_protected_identity_create,
    "enrolments_end_create": enrolments_end_create,
    "patients_enrolments_create": patients_enrolments_create,
    "responsibility_proposals_create": responsibility_proposals_create,
    "cases_create": cases_create,
    "cases_partial_update": _case_action("update"),
    "cases_submit_create": _case_action("submit"),
    "cases_accept_create": _case_action("accept"),
    "cases_dispute_create": _case_action("dispute", task=_task_awaiting),
    "cases_positions_create": _case_action("state_position", task=_task_awaiting),
    "cases_escalate_create": _case_action("escalate"),
    "cases_consent_skip_create": _case_action("consent_skip"),
    "cases_decide_create": cases_decide_create,
    "cases_cannot_settle_create": _case_action("cannot_settle"),
    "cases_accept_recommendation_create": _answer_recommendation("accept_recommendation"),
    "cases_decline_recommendation_create": _answer_recommendation("decline_recommendation"),
    "cases_risk_analyses_create": cases_risk_analyses_create,
    "risk_analyses_reject_create": _analysis_action("reject_analysis", AnalysisStatus.SIGNED),
    "risk_analyses_return_create": _analysis_action("return_analysis", AnalysisStatus.DRAFT),
    "cases_activate_create": _case_action("activate"),
    "cases_start_follow_up_create": _case_action("start_follow_up"),
    "cases_resume_create": _case_action("resume"),
    "cases_close_create": _case_action("close"),
    "cases_comment_create": _case_action("comment"),
    "cases_withdraw_create": _case_action("withdraw"),
    "documents_create": documents_create,
    "patients_log_extract_create": patients_log_extract_create,
    "figures_reports_create": figures_reports_create,
    "sips_create": sips_create,
    "sips_from_case_create": sips_from_case_create,
    "sips_draft_partial_update": sips_draft_partial_update,
    "sips_follow_ups_create": sips_follow_ups_create,
    "sips_withdraw_consent_create": _finalised_sip,
    "sips_distributions_create": _finalised_sip,
    "competence_transfers_create": competence_transfers_create,
    "competence_transfers_revoke_create": competence_transfers_revoke_create,
    "delegations_create": delegations_create,
    "delegations_case_tasks_create": delegations_case_tasks_create,
    "delegations_revoke_create": delegations_revoke_create,
    "attachments_remove_create": attachments_remove_create,
    "task_types_partial_update": task_types_partial_update,
    # After every example that makes an event: the subscriptions' deliveries would go out (to a host that
    # is not there) as the requests commit.
    "webhook_subscriptions_create": webhook_subscriptions_create,
    "webhook_subscriptions_partial_update": webhook_subscriptions_partial_update,
    # Last: it renames the demo's PD, which the examples above name by its code.
    "task_types_create": task_types_create,
}

# The legal basis for sharing a case, objections and spärrar: their setups live in their own module.
from .example_setups_handlers import HANDLER_SETUPS  # noqa: E402
from .example_setups_messages import MESSAGE_SETUPS  # noqa: E402
from .example_setups_review import REVIEW_SETUPS  # noqa: E402
from .example_setups_sharing import SHARING_SETUPS  # noqa: E402

SETUPS = {**SHARING_SETUPS, **MESSAGE_SETUPS, **HANDLER_SETUPS, **REVIEW_SETUPS, **SETUPS}
