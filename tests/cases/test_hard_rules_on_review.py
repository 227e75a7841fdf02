"""Physician care is never the kommun's (HSL 12 kap. 3 §), on every path that sets a task's parties.

The agreement's rules, the admin, the API and the import refuse a split that gives the kommun a
physician task; so do the reviewer's accept with a split of their own, the positions of a dispute and
the joint body's decision. The law's fallback - the kommun engaging a physician at the region's expense
- is recorded with a note, not refused.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agreements.choices import CareLevel, HardRuleCode, SplitArrangement, TaskKind
from agreements.models import CareTaskType, HardRule
from cases import services
from cases.models import CaseEvent, CaseStatus, CaseTask, EscalationDecision, Position, ReviewState
from patients.models import HousingSetting
from tests.fixtures.clients import signed_in
from tests.fixtures.world import World, as_actor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("physician_rule_recorded")]

VISIT = "physician_home_visit"
NOTE = "Regionen saknar läkare för LSS-boendet; kommunen anlitar en hyrläkare efter samråd med regionen."


@pytest.fixture
def physician_visit(halland: Any) -> CareTaskType:
    return CareTaskType.objects.create(
        code=VISIT,
        name_sv="Läkarbesök i hemmet",
        name_en="Physician home visit",
        kind=TaskKind.PHYSICIAN,
        care_level=CareLevel.PRIMARY,
    )


@pytest.fixture
def lss_case(world: World, case_in: Any, physician_visit: CareTaskType) -> Any:
    """A physician home visit for a patient in LSS housing: no rule covers it, so it is unclear."""

    def make(status: str = CaseStatus.IN_REVIEW) -> Any:
        patient = world.patient(housing=HousingSetting.LSS_HOUSING)
        case = case_in(status, tasks=(VISIT,), patient=patient)
        task = case.tasks.get()
        assert task.is_unclear
        return case

    return make


def _split(world: World, task: CaseTask, **extra: Any) -> dict[str, Any]:
    o = world.orgs
    return {
        "task": str(task.public_id),
        "orders": str(o["vc_a"].public_id),
        "performs": str(o["kommun_a"].public_id),
        "follows_up": str(o["vc_a"].public_id),
        **extra,
    }


# --- Accept, through the API as an integrator would -------------------------------------------------


def test_accepting_the_lss_physician_visit_with_the_kommun_performing_is_400_and_writes_nothing(
    world: World, lss_case: Any, act: Any
) -> None:
    case = lss_case()
    task = case.tasks.get()
    events_before = CaseEvent.objects.filter(case=case).count()
    version_before = case.version

    response = act(
        world.users["gp_a"], case, f"cases/{case.public_id}/accept", {"tasks": [_split(world, task)]}
    )

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    [message] = error["fields"]["tasks"]
    assert "Läkarbesök i hemmet" in message
    assert "utför" in message
    assert "aldrig kommunens" in message
    assert "HSL 12 kap. 3 §" in message
    task.refresh_from_db()
    case.refresh_from_db()
    assert task.review_state == ReviewState.PENDING
    assert task.agreed_performs is None
    assert (case.status, case.version) == (CaseStatus.IN_REVIEW, version_before)
    assert CaseEvent.objects.filter(case=case).count() == events_before


def test_accepting_with_the_region_performing_is_fine(world: World, lss_case: Any, act: Any) -> None:
    case = lss_case()
    task = case.tasks.get()
    split = _split(world, task, performs=str(world.orgs["vc_a"].public_id))
    response = act(world.users["gp_a"], case, f"cases/{case.public_id}/accept", {"tasks": [split]})
    assert response.status_code == 200, response.content
    [accepted] = response.json()["tasks"]
    assert accepted["agreed_performs"]["id"] == str(world.orgs["vc_a"].public_id)
    assert accepted["arrangement"] == ""


def test_the_kommun_engaging_a_physician_at_the_regions_expense_is_recorded_not_refused(
    world: World, lss_case: Any, act: Any
) -> None:
    case = lss_case()
    task = case.tasks.get()
    split = _split(world, task, arrangement="kommun_engages_physician", arrangement_note=NOTE)
    response = act(world.users["gp_a"], case, f"cases/{case.public_id}/accept", {"tasks": [split]})
    assert response.status_code == 200, response.content
    [accepted] = response.json()["tasks"]
    assert accepted["agreed_performs"]["id"] == str(world.orgs["kommun_a"].public_id)
    assert (accepted["arrangement"], accepted["arrangement_note"]) == ("kommun_engages_physician", NOTE)
    event = CaseEvent.objects.filter(case=case, action="accept").get()
    assert event.payload["tasks"][0]["arrangement"] == "kommun_engages_physician"


def test_the_arrangement_needs_a_note(world: World, lss_case: Any, act: Any) -> None:
    case = lss_case()
    task = case.tasks.get()
    split = _split(world, task, arrangement="kommun_engages_physician")
    response = act(world.users["gp_a"], case, f"cases/{case.public_id}/accept", {"tasks": [split]})
    assert response.status_code == 400, response.content
    [message] = response.json()["error"]["fields"]["tasks"]
    assert "Beskriv" in message
    assert CaseTask.objects.get(pk=task.pk).review_state == ReviewState.PENDING


def test_the_arrangement_is_only_for_a_physician_task_the_kommun_takes(
    world: World, lss_case: Any, act: Any
) -> None:
    case = lss_case()
    task = case.tasks.get()
    split = _split(
        world,
        task,
        performs=str(world.orgs["vc_a"].public_id),
        arrangement="kommun_engages_physician",
        arrangement_note=NOTE,
    )
    response = act(world.users["gp_a"], case, f"cases/{case.public_id}/accept", {"tasks": [split]})
    assert response.status_code == 400, response.content
    assert "tasks" in response.json()["error"]["fields"]


def test_where_the_law_gives_no_fallback_the_arrangement_is_refused_too(
    world: World, lss_case: Any, act: Any
) -> None:
    HardRule.objects.filter(code=HardRuleCode.PHYSICIAN_CARE_NOT_KOMMUN).update(fallback_citation="")
    case = lss_case()
    task = case.tasks.get()
    split = _split(world, task, arrangement="kommun_engages_physician", arrangement_note=NOTE)
    response = act(world.users["gp_a"], case, f"cases/{case.public_id}/accept", {"tasks": [split]})
    assert response.status_code == 400, response.content


def test_once_the_rule_is_no_longer_in_force_the_kommun_may_take_physician_care(
    world: World, lss_case: Any, act: Any
) -> None:
    """A reform ends the rule in the data; no release is needed for the split to be allowed."""
    HardRule.objects.filter(code=HardRuleCode.PHYSICIAN_CARE_NOT_KOMMUN).update(
        valid_to=datetime.date(2020, 12, 31)
    )
    case = lss_case()
    task = case.tasks.get()
    response = act(
        world.users["gp_a"], case, f"cases/{case.public_id}/accept", {"tasks": [_split(world, task)]}
    )
    assert response.status_code == 200, response.content


# --- Positions and decisions, through the services --------------------------------------------------


def test_a_position_proposing_the_kommun_performs_physician_care_is_refused(
    world: World, lss_case: Any
) -> None:
    case = lss_case()
    task = case.tasks.get()
    o = world.orgs
    position = services.PositionInput(
        task=task.public_id,
        text="Kommunens sjuksköterska kan göra besöket.",
        orders=o["vc_a"],
        performs=o["kommun_a"],
        follows_up=o["vc_a"],
    )
    with pytest.raises(ValidationError) as caught:
        services.case_dispute(
            actor=as_actor(world, "gp_a"), case=case, expected_version=None, positions=[position]
        )
    assert "positions" in caught.value.message_dict
    assert not Position.objects.filter(case=case).exists()
    assert CaseTask.objects.get(pk=task.pk).review_state == ReviewState.PENDING


def test_a_stated_position_in_a_dispute_goes_through_the_same_rule(world: World, lss_case: Any) -> None:
    case = lss_case(CaseStatus.DISPUTED)
    task = case.tasks.get()
    o = world.orgs
    refused = services.PositionInput(
        task=task.public_id, text="Kommunen ordinerar.", orders=o["kommun_a"], performs=o["vc_a"]
    )
    with pytest.raises(ValidationError) as caught:
        services.case_state_position(
            actor=as_actor(world, "nurse_a"), case=case, expected_version=None, positions=[refused]
        )
    assert "positions" in caught.value.message_dict
    allowed = services.PositionInput(
        task=task.public_id,
        text="Kommunen anlitar läkare på regionens bekostnad.",
        orders=o["vc_a"],
        performs=o["kommun_a"],
        follows_up=o["vc_a"],
        arrangement=SplitArrangement.KOMMUN_ENGAGES_PHYSICIAN,
        arrangement_note=NOTE,
    )
    services.case_state_position(
        actor=as_actor(world, "nurse_a"), case=case, expected_version=None, positions=[allowed]
    )
    stated = Position.objects.filter(case=case).latest("pk")
    assert (stated.proposed_arrangement, stated.proposed_arrangement_note) == (
        SplitArrangement.KOMMUN_ENGAGES_PHYSICIAN,
        NOTE,
    )


def test_a_governance_decision_cannot_give_the_kommun_physician_care(
    world: World, halland: Any, lss_case: Any
) -> None:
    case = lss_case(CaseStatus.ESCALATED)
    task = case.tasks.get()
    o = world.orgs
    governance = as_actor(world, "governance_lokal")
    split = services.Split(
        task=task.public_id, orders=o["vc_a"], performs=o["kommun_a"], follows_up=o["vc_a"]
    )
    with pytest.raises(ValidationError) as caught:
        services.case_decide(
            actor=governance,
            case=case,
            expected_version=None,
            outcome="agreed",
            reasons="Kommunen gör besöken.",
            splits=[split],
        )
    assert "splits" in caught.value.message_dict
    assert "Läkarbesök i hemmet" in caught.value.message_dict["splits"][0]
    assert not EscalationDecision.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.ESCALATED

    decided = services.case_decide(
        actor=governance,
        case=case,
        expected_version=None,
        outcome="agreed",
        reasons="Regionen har inte kunnat bemanna; kommunen anlitar läkare på regionens bekostnad.",
        splits=[
            services.Split(
                task=task.public_id,
                orders=o["vc_a"],
                performs=o["kommun_a"],
                follows_up=o["vc_a"],
                arrangement=SplitArrangement.KOMMUN_ENGAGES_PHYSICIAN,
                arrangement_note=NOTE,
            )
        ],
    )
    # Lokal samverkan recommends: the split holds once both parties accept it.
    for who in ("coordinator_a", "gp_a"):
        decided = services.case_answer_recommendation(
            actor=as_actor(world, who), case=decided, expected_version=None, accept=True
        )
    assert decided.status == CaseStatus.AGREED
    task.refresh_from_db()
    assert (task.agreed_performs, task.arrangement) == (
        o["kommun_a"],
        SplitArrangement.KOMMUN_ENGAGES_PHYSICIAN,
    )
    decision = EscalationDecision.objects.get(case=case)
    assert decision.splits[0]["arrangement_note"] == NOTE


# --- The page: the same rule, and the arrangement as a choice for a physician task -----------------------


def test_the_review_page_refuses_the_kommun_and_records_the_arrangement(world: World, lss_case: Any) -> None:
    case = lss_case()
    task = case.tasks.get()
    o = world.orgs
    client = signed_in(world.users["gp_a"])
    page = client.get(reverse("cases:detail", args=[case.public_id]))
    assert f"accept-split_{task.public_id}_arrangement" in page.content.decode()

    prefix = f"accept-split_{task.public_id}"
    form = {
        "accept-version": case.version,
        f"{prefix}_orders": str(o["vc_a"].public_id),
        f"{prefix}_performs": str(o["kommun_a"].public_id),
        f"{prefix}_follows_up": str(o["vc_a"].public_id),
    }
    url = reverse("cases:action", args=[case.public_id, "accept"])
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "aldrig kommunens" in refused.content.decode()
    assert CaseTask.objects.get(pk=task.pk).review_state == ReviewState.PENDING

    accepted = client.post(url, {**form, f"{prefix}_arrangement": "on", f"{prefix}_arrangement_note": NOTE})
    assert accepted.status_code == 302
    task.refresh_from_db()
    assert (task.arrangement, task.arrangement_note) == (SplitArrangement.KOMMUN_ENGAGES_PHYSICIAN, NOTE)
    shown = client.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert "Kommunen anlitar läkare på regionens bekostnad" in shown
