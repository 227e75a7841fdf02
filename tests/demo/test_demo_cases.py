"""``seed_demo --cases``: responsibility cases in every state, driven through the real services."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AccessLogEntry
from cases.models import (
    AnalysisDecision,
    AnalysisVerdict,
    CaseEvent,
    CaseStatus,
    Closure,
    DecisionOutcome,
    EventKind,
    Hazard,
    Notification,
    Position,
    ResponsibilityCase,
    ShiftPlanning,
    Signature,
)
from demo import cases as demo_cases
from sip.models import Sip, SipStatus, VersionStatus

PATIENTS = "200"
CASES = "40"


@pytest.fixture(autouse=True)
def _eager_celery(eager_celery: None) -> None:
    pass


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def seeded() -> str:
    return seed("--patients", PATIENTS, "--cases", CASES)


def counts() -> dict[str, int]:
    return {
        "cases": ResponsibilityCase.objects.count(),
        "events": CaseEvent.objects.count(),
        "positions": Position.objects.count(),
        "sips": Sip.objects.count(),
        "notifications": Notification.objects.count(),
        "access_log": AccessLogEntry.objects.count(),
    }


@pytest.mark.django_db
def test_a_small_world_has_cases_in_every_state(seeded):
    cases = ResponsibilityCase.objects.all()
    assert cases.count() == int(CASES)
    assert demo_cases.existing_demo_numbers() == set(range(1, int(CASES) + 1))

    statuses = set(cases.values_list("status", flat=True))
    assert statuses >= {
        CaseStatus.DRAFT,
        CaseStatus.IN_REVIEW,
        CaseStatus.RISK_ANALYSIS,
        CaseStatus.AWAITING_APPROVAL,
        CaseStatus.AGREED,
        CaseStatus.ACTIVE,
        CaseStatus.FOLLOW_UP,
        CaseStatus.DISPUTED,
        CaseStatus.ESCALATED,
        CaseStatus.CLOSED,
    }
    # Every case but the drafts went through ``submitted``.
    submitted = CaseEvent.objects.filter(to_status=CaseStatus.SUBMITTED).values_list("case", flat=True)
    assert set(cases.exclude(status=CaseStatus.DRAFT).values_list("pk", flat=True)) <= set(submitted)
    assert set(cases.filter(status=CaseStatus.ESCALATED).values_list("escalation_level", flat=True)) == {
        1,
        2,
        3,
    }
    closures = set(cases.filter(status=CaseStatus.CLOSED).values_list("closure", flat=True))
    assert closures >= {Closure.WITHDRAWN, Closure.COMPLETED, Closure.WITHDRAWN_BY_DECISION}
    # Decided by an escalation body: some agreed splits, some withdrawn.
    outcomes = set(
        ResponsibilityCase.objects.filter(decisions__isnull=False).values_list(
            "decisions__outcome", flat=True
        )
    )
    assert outcomes == {DecisionOutcome.AGREED, DecisionOutcome.WITHDRAWN}

    # Active cases run under a finalised SIP; a case closed after follow-up closed its SIP too.
    for case in cases.filter(status__in=[CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP]):
        sip = Sip.objects.get(case=case)
        assert sip.versions.filter(status=VersionStatus.FINALISED).exists()
    for case in cases.filter(closure=Closure.COMPLETED):
        assert Sip.objects.get(case=case).status == SipStatus.CLOSED

    # Risk analyses with hazards, signed by physicians, approved and rejected by MAS.
    assert Hazard.objects.filter(score__gte=8).exists()
    assert Signature.objects.filter(role__in=["gp", "specialist"]).exists()
    verdicts = set(AnalysisDecision.objects.values_list("verdict", flat=True))
    assert verdicts == {AnalysisVerdict.APPROVED, AnalysisVerdict.REJECTED}
    assert not AnalysisDecision.objects.filter(verdict=AnalysisVerdict.REJECTED, reason="").exists()
    # Positions from both sides of a dispute.
    assert {"gp", "nurse"} <= set(Position.objects.values_list("role", flat=True))

    # Spread over kommuner, with impact flags planned and unorganised, in Swedish.
    assert cases.values("kommun").distinct().count() >= 4
    planning = set(cases.values_list("shift_planning", flat=True))
    assert {ShiftPlanning.PLANNED, ShiftPlanning.UNORGANISED} <= planning
    assert cases.filter(patient_safety_risk=True).exists()
    assert all("Demoärende" in background for background in cases.values_list("background", flat=True))

    # Dates spread over the past year, in order.
    now = timezone.now()
    created = sorted(cases.values_list("created_at", flat=True))
    assert created[-1] <= now
    assert now - created[0] > datetime.timedelta(days=60)
    for case in cases:
        if case.submitted_at:
            assert case.created_at <= case.submitted_at <= now
        if case.agreed_at:
            assert case.submitted_at is not None
            assert case.submitted_at <= case.agreed_at <= now
        if case.closed_at:
            assert case.created_at <= case.closed_at <= now

    # The output says where to look.
    for label in ("draft", "in_review", "escalated (level 3)", "closed (completed)", "(decided)"):
        assert label in seeded
    assert "/cases/" in seeded


@pytest.mark.django_db
def test_every_timeline_starts_with_creation_and_ends_in_the_status(seeded):
    for case in ResponsibilityCase.objects.all():
        events = list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))
        first = events[0]
        assert first.kind == EventKind.CREATED
        assert first.to_status == CaseStatus.DRAFT
        assert first.user_id == case.opened_by_id
        status = first.to_status
        for event in events[1:]:
            if event.kind == EventKind.UPDATED:
                assert status == CaseStatus.DRAFT
                continue
            assert event.from_status == status, (case.public_id, event.kind, event.from_status, status)
            status = event.to_status
        assert status == case.status, case.public_id
        # The people who acted are the demo users of the case's parties (the system only reminds and
        # auto-escalates).
        for event in events:
            if event.user_id is None:
                assert event.kind in (EventKind.REMINDER, EventKind.ESCALATED)
            else:
                assert event.organisation_id is not None
                assert event.role
    # Every case's writes are in the access log.
    for public_id in ResponsibilityCase.objects.values_list("public_id", flat=True):
        assert AccessLogEntry.objects.filter(record_id=str(public_id)).exists()


@pytest.mark.django_db
def test_a_second_run_adds_nothing(seeded):
    before = counts()
    output = seed("--patients", PATIENTS, "--cases", CASES)
    assert counts() == before
    assert "0 new / 40 kept" in output


@pytest.mark.django_db
def test_no_cases_when_asked_for_none():
    seed("--patients", "20", "--cases", "0")
    assert not ResponsibilityCase.objects.exists()


@pytest.mark.django_db
def test_the_demo_world_has_trainings_and_delegations_so_its_specialised_cases_start(seeded):
    from competence.models import CompetenceTransfer, Delegation
    from competence.rules import missing_training

    assert CompetenceTransfer.objects.filter(receiving_unit__name="Hylte kommun").exists()
    assert Delegation.objects.filter(consulted_with__startswith="MAS").count() == 1
    assert Delegation.objects.count() >= 6
    today = timezone.localdate()
    for case in ResponsibilityCase.objects.filter(status=CaseStatus.ACTIVE):
        assert missing_training(case, on=today) == []
