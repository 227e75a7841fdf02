"""Fixtures for the case tests: a Halland-like agreement, the escalation ladder, and cases in any status.

The agreement is built with the agreements models directly: PD (peritoneal dialysis) as in domain §8
(ordered by the specialist clinic, performed by the kommun, risk analysis approved by MAS, specialist
active role), simple wound care without conditions, a rehabilitation task whose risk analysis MAR
approves, and a three-level ladder (the kommun's lokal samverkan → RUG → GNHH).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from agreements.choices import (
    AgreementScope,
    AgreementStatus,
    ApproverRole,
    CareLevel,
    EscalationBodyRef,
    PartyRef,
    TaskKind,
)
from agreements.models import (
    Agreement,
    AgreementVersion,
    CareTaskType,
    EscalationLevel,
    ResponsibilityRule,
    Section,
)
from cases import services
from cases.models import CaseStatus, ResponsibilityCase
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind, Role
from hemsjukvard.api.concurrency import etag_for
from hemsjukvard.celery import app as celery_app
from patients.selectors import patient_get
from tests.factories import World, make_user

PD = "peritoneal-dialysis"
WOUND = "simple-wound-care"
REHAB = "rehab-transfer-training"
VENTILATOR = "home-ventilator"


@pytest.fixture(autouse=True)
def _eager_celery() -> Any:
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@dataclass
class Halland:
    agreement: Agreement
    version: AgreementVersion
    lokal_a: Organisation
    rug: Organisation
    gnhh: Organisation


@pytest.fixture
def halland(world: World) -> Halland:
    o, u = world.orgs, world.users
    region = o["region"]
    o["lokal_a"] = Organisation.objects.create(
        name="Lokal samverkan A", kind=OrganisationKind.JOINT_BODY, region=region, kommun=o["kommun_a"]
    )
    o["gnhh"] = Organisation.objects.create(name="GNHH Test", kind=OrganisationKind.JOINT_BODY, region=region)
    u["governance_lokal"] = make_user("governance.lokal", (o["lokal_a"], Role.GOVERNANCE))
    u["governance_gnhh"] = make_user("governance.gnhh", (o["gnhh"], Role.GOVERNANCE))
    u["coordinator_vc_a"] = make_user("coordinator.vc.a", (o["vc_a"], Role.COORDINATOR))
    for key, user in u.items():
        user.email = f"{key}@example.org"
        user.save(update_fields=["email"])

    agreement = Agreement.objects.create(region=region, code="halland-test", scope=AgreementScope.REGIONAL)
    version = AgreementVersion.objects.create(
        agreement=agreement,
        version="2025.1",
        title="Överenskommelse om hemsjukvård i Halland (test)",
        status=AgreementStatus.IN_FORCE,
        valid_from=datetime.date(2025, 1, 1),
        covered_housing_settings=["ordinary_home", "special_housing"],
        review_deadline_days=3,
        approval_deadline_days=5,
        auto_escalate_unanswered_review=True,
    )
    version.kommuner.set([o["kommun_a"], o["kommun_b"]])
    section = Section.objects.create(version=version, number="5.3", heading="Avancerad hemsjukvård")
    pd = CareTaskType.objects.create(
        code=PD,
        name_sv="Peritonealdialys (PD)",
        name_en="Peritoneal dialysis",
        kind=TaskKind.SPECIALISED,
        care_level=CareLevel.SPECIALISED,
    )
    wound = CareTaskType.objects.create(
        code=WOUND,
        name_sv="Enkel sårvård",
        name_en="Simple wound care",
        kind=TaskKind.NURSING,
        care_level=CareLevel.PRIMARY,
    )
    rehab = CareTaskType.objects.create(
        code=REHAB,
        name_sv="Förflyttningsträning",
        name_en="Transfer training",
        kind=TaskKind.REHAB,
        care_level=CareLevel.PRIMARY,
    )
    ResponsibilityRule.objects.create(
        version=version,
        task_type=pd,
        section=section,
        orders_party=PartyRef.CASE_SPECIALIST_CLINIC,
        performs_party=PartyRef.ENROLMENT_KOMMUN,
        follows_up_party=PartyRef.CASE_SPECIALIST_CLINIC,
        risk_analysis_required=True,
        approver_role=ApproverRole.MAS,
        specialist_active_role_required=True,
        training_required=True,
        contact_24_7_required=True,
    )
    ResponsibilityRule.objects.create(
        version=version,
        task_type=wound,
        section=section,
        orders_party=PartyRef.LISTED_VARDCENTRAL,
        performs_party=PartyRef.ENROLMENT_KOMMUN,
        follows_up_party=PartyRef.LISTED_VARDCENTRAL,
    )
    ResponsibilityRule.objects.create(
        version=version,
        task_type=rehab,
        section=section,
        orders_party=PartyRef.ENROLMENT_KOMMUN,
        performs_party=PartyRef.ENROLMENT_KOMMUN,
        follows_up_party=PartyRef.ENROLMENT_KOMMUN,
        risk_analysis_required=True,
        approver_role=ApproverRole.MAR,
    )
    EscalationLevel.objects.create(
        version=version, level=1, body_ref=EscalationBodyRef.KOMMUN_JOINT_BODY, deadline_days=10
    )
    EscalationLevel.objects.create(version=version, level=2, body=o["body"], deadline_days=20)
    EscalationLevel.objects.create(version=version, level=3, body=o["gnhh"], deadline_days=30)
    return Halland(agreement=agreement, version=version, lokal_a=o["lokal_a"], rug=o["body"], gnhh=o["gnhh"])


@pytest.fixture
def ventilator_rule(halland: Halland) -> ResponsibilityRule:
    """Home ventilator treatment as in domain §8: the specialist clinic orders, performs and follows
    up; a joint risk analysis that nobody in the kommun approves, and the kommun's MAS is informed."""
    version = halland.version
    ventilator = CareTaskType.objects.create(
        code=VENTILATOR,
        name_sv="Ventilatorbehandling i hemmet",
        name_en="Home ventilator treatment",
        kind=TaskKind.SPECIALISED,
        care_level=CareLevel.SPECIALISED,
    )
    return ResponsibilityRule.objects.create(
        version=version,
        task_type=ventilator,
        section=version.sections.get(number="5.3"),
        orders_party=PartyRef.CASE_SPECIALIST_CLINIC,
        performs_party=PartyRef.CASE_SPECIALIST_CLINIC,
        follows_up_party=PartyRef.CASE_SPECIALIST_CLINIC,
        risk_analysis_required=True,
        approver_role=ApproverRole.INFORMED,
        specialist_active_role_required=True,
    )


def as_actor(world: World, key: str) -> Actor:
    return Actor.for_user(world.users[key])


ANALYSIS = services.AnalysisInput(
    summary="PD-byten utförs av kommunens sjuksköterskor efter utbildning.",
    hazards=[
        services.HazardInput(description="Peritonit vid påsbyte", likelihood=2, consequence=4),
        services.HazardInput(description="Feldosering av dialysvätska", likelihood=1, consequence=3),
    ],
)

STATUS_PATH = [
    CaseStatus.DRAFT,
    CaseStatus.IN_REVIEW,
    CaseStatus.RISK_ANALYSIS,
    CaseStatus.AWAITING_APPROVAL,
    CaseStatus.AGREED,
    CaseStatus.ACTIVE,
    CaseStatus.FOLLOW_UP,
]


@pytest.fixture
def case_in(world: World, halland: Halland) -> Callable[..., ResponsibilityCase]:
    """Make a case for a PD patient of kommun A (listed at vc A) and drive it, by services, to ``status``."""

    def make(
        status: str = CaseStatus.DRAFT, *, tasks: tuple[str, ...] = (PD,), patient: Any = None
    ) -> ResponsibilityCase:
        patient = patient or world.patient()
        nurse = as_actor(world, "nurse_a")
        seen = patient_get(actor=nurse, public_id=patient.public_id)
        case = services.case_open(
            actor=nurse,
            patient=seen,
            data=services.CaseInput(
                trigger="discharge",
                specialist_clinic=world.orgs["clinic"],
                task_codes=tasks,
                increased_staff_time=True,
                patient_safety_risk=True,
            ),
        )
        if status == CaseStatus.DRAFT:
            return case
        case = services.case_submit(actor=nurse, case=case, expected_version=None)
        if status == CaseStatus.IN_REVIEW:
            return case
        gp = as_actor(world, "gp_a")
        if status in (CaseStatus.DISPUTED, CaseStatus.ESCALATED):
            positions = [
                services.PositionInput(task=t.public_id, text="Specialistvården bör utföra.")
                for t in case.tasks.all()
            ]
            case = services.case_dispute(actor=gp, case=case, expected_version=None, positions=positions)
            if status == CaseStatus.ESCALATED:
                case = services.case_escalate(
                    actor=as_actor(world, "coordinator_a"),
                    case=case,
                    expected_version=None,
                    reason="Oenighet.",
                )
            return case
        case = services.case_accept(actor=gp, case=case, expected_version=None)
        if status == CaseStatus.RISK_ANALYSIS:
            return case
        analysis = services.risk_analysis_create(actor=nurse, case=case, expected_version=None, data=ANALYSIS)
        signer = as_actor(world, "specialist")
        services.risk_analysis_sign(actor=signer, case=case, analysis=analysis, expected_version=None)
        case.refresh_from_db()
        if status == CaseStatus.AWAITING_APPROVAL:
            return case
        services.risk_analysis_approve(
            actor=as_actor(world, "mas_a"), case=case, analysis=analysis, expected_version=None
        )
        case.refresh_from_db()
        if status == CaseStatus.AGREED:
            return case
        case = services.case_move(actor=nurse, case=case, expected_version=None, action="activate")
        if status == CaseStatus.ACTIVE:
            return case
        case = services.case_move(actor=nurse, case=case, expected_version=None, action="start_follow_up")
        assert case.status == status
        return case

    return make


def etag(case: ResponsibilityCase) -> str:
    case.refresh_from_db()
    return etag_for(case, version=case.version)


@pytest.fixture
def act(api: Callable[..., Any]) -> Callable[..., Any]:
    """POST an action (or any write) as ``user`` with the case's current ETag."""

    def post(user: Any, case: ResponsibilityCase, path: str, body: dict[str, Any] | None = None) -> Any:
        return api(user).post(f"/api/v1/{path}", body or {}, format="json", HTTP_IF_MATCH=etag(case))

    return post
