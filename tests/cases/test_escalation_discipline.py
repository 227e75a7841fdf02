"""A case climbs the ladder only when its level cannot settle it: the body says so, a party declines the
body's recommendation, or the level's deadline passes; or both parties consent to skip the level. One
party alone never moves it (a kommun coordinator once took a case from level 1 to 3 in a minute)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases.models import CaseEvent, EventKind, ResponsibilityCase
from hemsjukvard.errors import StateConflictError
from tests.fixtures.cases import etag

pytestmark = pytest.mark.django_db


def _level(case) -> int | None:
    return ResponsibilityCase.objects.get(pk=case.pk).escalation_level


def _escalations(case) -> int:
    return CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).count()


def test_one_coordinator_cannot_push_a_case_up_the_ladder(world, drive, api):
    case = drive.to("escalated")
    assert _level(case) == 1
    for who in ("coordinator_a", "coordinator_vc_a"):
        with pytest.raises(StateConflictError):
            drive.escalate(case, by=who)
        response = api(world.users[who]).post(
            f"/api/v1/cases/{case.public_id}/escalate",
            {"reason": "Vi vill vidare.", "level": 2},
            format="json",
            HTTP_IF_MATCH=etag(case),
        )
        assert response.status_code == 409, response.content
        assert "escalate" not in response.json()["error"]["allowed"]
    assert _level(case) == 1
    assert _escalations(case) == 1


def test_the_body_that_cannot_settle_sends_the_case_on(world, drive, halland):
    case = drive.to("escalated")
    case = drive.cannot_settle(case)
    case.refresh_from_db()
    assert (case.status, case.escalation_level, case.escalation_body) == ("escalated", 2, halland.rug)
    event = CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).latest("pk")
    assert event.action == "cannot_settle"
    assert event.user == world.users["governance_lokal"]


def test_a_declined_recommendation_lets_a_coordinator_escalate(world, drive, halland):
    case = drive.to("escalated")
    case = drive.decide(case)
    with pytest.raises(StateConflictError):
        drive.escalate(case)  # a recommendation awaiting answers is not a failure to settle
    case = drive.answer(case, by="mas_a", accept=False, reason="Kommunen saknar kompetens.")
    case = drive.escalate(case, by="coordinator_vc_a")
    case.refresh_from_db()
    assert (case.escalation_level, case.escalation_body) == (2, halland.rug)


def test_a_passed_level_deadline_lets_a_coordinator_escalate(world, drive):
    case = drive.to("escalated")
    ResponsibilityCase.objects.filter(pk=case.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    case.refresh_from_db()
    case = drive.escalate(case)
    assert _level(case) == 2


def test_skipping_a_level_needs_both_parties(world, drive, halland):
    case = drive.to("escalated")
    case = drive.consent_skip(case, by="coordinator_a")
    assert _level(case) == 1
    # The same party consenting again does not stand for the other party.
    with pytest.raises(StateConflictError):
        drive.consent_skip(case, by="coordinator_a")
    assert _level(case) == 1
    case = drive.consent_skip(case, by="coordinator_vc_a")
    case.refresh_from_db()
    assert (case.escalation_level, case.escalation_body) == (2, halland.rug)
    # At the new level the earlier consents count for nothing.
    case = drive.consent_skip(case, by="coordinator_vc_a")
    assert _level(case) == 2


def test_the_top_level_cannot_be_skipped_or_passed_on(world, drive):
    case = drive.to("escalated")
    case = drive.cannot_settle(case)
    case = drive.cannot_settle(case, by="governance")
    assert _level(case) == 3
    with pytest.raises(StateConflictError):
        drive.cannot_settle(case, by="governance_gnhh")
    with pytest.raises(StateConflictError):
        drive.consent_skip(case, by="coordinator_a")
