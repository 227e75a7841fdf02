"""A review past its deadline reminds every party whose answer a task still awaits: the clinic for what it
orders as well as the vårdcentral, not the vårdcentral alone."""

from __future__ import annotations

import datetime

import pytest

from cases import services
from cases.models import CaseStatus, Notification, NotificationKind
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.cases import CaseDriver
from tests.fixtures.world import World

pytestmark = pytest.mark.django_db


def test_an_overdue_review_reminds_each_awaited_party(world: World, drive: CaseDriver) -> None:
    case = drive.to(CaseStatus.IN_REVIEW, tasks=(PD, WOUND))
    assert case.due_at is not None
    services.case_remind_if_overdue(case_id=case.pk, now=case.due_at + datetime.timedelta(minutes=1))
    reminded = set(
        Notification.objects.filter(case=case, kind=NotificationKind.DEADLINE_PASSED).values_list(
            "user__username", flat=True
        )
    )
    assert {world.users["gp_a"].username, world.users["specialist"].username} <= reminded
    assert world.users["nurse_a"].username not in reminded  # the kommun's request stands as its answer


def test_once_the_clinic_has_answered_only_the_vardcentral_is_reminded(
    world: World, drive: CaseDriver
) -> None:
    case = drive.to(CaseStatus.IN_REVIEW, tasks=(PD, WOUND))
    case = drive.accept(case, by="specialist")
    assert case.status == CaseStatus.IN_REVIEW
    assert case.due_at is not None
    services.case_remind_if_overdue(case_id=case.pk, now=case.due_at + datetime.timedelta(minutes=1))
    reminded = set(
        Notification.objects.filter(case=case, kind=NotificationKind.DEADLINE_PASSED).values_list(
            "user__username", flat=True
        )
    )
    assert world.users["gp_a"].username in reminded
    assert world.users["specialist"].username not in reminded
