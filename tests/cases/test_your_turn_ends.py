"""A notice's "your turn" ends when the person has acted, and for everyone once the case has moved on:
the inbox never asks for what can no longer be done, and the new step says whose turn it is now."""

from __future__ import annotations

import pytest

from cases.models import Notification, NotificationKind
from tests.fixtures.agreements import PD, WOUND

pytestmark = pytest.mark.django_db

K = NotificationKind


def _turns(world, key: str, case) -> list[str]:
    return sorted(
        Notification.objects.filter(user=world.users[key], case=case, acts=True).values_list(
            "kind", flat=True
        )
    )


def test_a_reviewer_who_answered_is_no_longer_asked_while_the_other_still_is(world, drive):
    case = drive.submit(drive.open(tasks=(PD, WOUND)))
    assert _turns(world, "gp_a", case) == [K.REVIEW_REQUESTED]
    assert _turns(world, "specialist", case) == [K.REVIEW_REQUESTED]

    case = drive.accept(case, by="specialist", tasks=[PD])
    assert _turns(world, "specialist", case) == []
    assert _turns(world, "gp_a", case) == [K.REVIEW_REQUESTED]  # still the GP's turn for wound care

    drive.accept(case, by="gp_a", tasks=[WOUND])
    assert _turns(world, "gp_a", case) == []
    assert _turns(world, "nurse_a", case) == [K.ANALYSIS_REQUESTED]


def test_a_recommendation_nobody_answered_is_no_longer_asked_for_once_the_case_climbs(world, drive):
    case = drive.submit(drive.open(tasks=(WOUND,)))
    case = drive.dispute(case)
    case = drive.escalate(case)
    case = drive.decide(case)  # level 1 recommends
    assert _turns(world, "coordinator_a", case) == [K.RECOMMENDATION_MADE]
    assert K.RECOMMENDATION_MADE in _turns(world, "mas_a", case)

    case = drive.answer(case, by="gp_a", accept=False)
    case = drive.escalate(case, by="coordinator_a")
    # The case is at level 2: nobody is asked to answer level 1's recommendation any more.
    for key in ("coordinator_a", "mas_a", "gp_a", "specialist"):
        assert K.RECOMMENDATION_MADE not in _turns(world, key, case), key
    assert Notification.objects.filter(case=case, kind=K.RECOMMENDATION_MADE, acts=False).exists()
