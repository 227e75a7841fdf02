"""A "Brådskande" case runs on the agreement's shorter deadlines: review, approval and each escalation
level."""

from __future__ import annotations

import pytest

from cases.models import ResponsibilityCase, Urgency
from tests.fixtures.cases import ANALYSIS

pytestmark = pytest.mark.django_db


def _urgent(drive):
    return drive.open(urgency=Urgency.URGENT)


def _due(case):
    return ResponsibilityCase.objects.get(pk=case.pk).due_at


def test_an_urgent_review_is_due_sooner(world, drive):
    routine = drive.submit(drive.open())
    urgent = drive.submit(_urgent(drive))
    assert _due(urgent) < _due(routine)


def test_an_urgent_approval_is_due_sooner(world, drive):
    due = {}
    for name, case in (("routine", drive.open()), ("urgent", _urgent(drive))):
        case = drive.accept(drive.submit(case))
        drive.sign(case, drive.analyse(case, data=ANALYSIS))
        assert ResponsibilityCase.objects.get(pk=case.pk).status == "awaiting_approval"
        due[name] = _due(case)
    assert due["urgent"] < due["routine"]


def test_each_urgent_escalation_level_is_due_sooner(world, drive):
    routine = drive.escalate(drive.dispute(drive.submit(drive.open())))
    urgent = drive.escalate(drive.dispute(drive.submit(_urgent(drive))))
    assert _due(urgent) < _due(routine)
    routine = drive.cannot_settle(routine)
    urgent = drive.cannot_settle(urgent)
    assert _due(urgent) < _due(routine)
    routine = drive.cannot_settle(routine, by="governance")
    urgent = drive.cannot_settle(urgent, by="governance")
    assert _due(urgent) < _due(routine)
