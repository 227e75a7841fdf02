""" "Ditt nästa steg": one function per status, table-tested for every status and every role.

Each case is driven through the services to its status; each person's step is computed from the actions
the transition table gives them there (``policies.allowed_actions``), as the case page does. The step
names who acts and, where the status has a deadline, the date (Europe/Stockholm).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable

import pytest
from django.utils import translation

from cases import next_step as next_step_module
from cases import selectors
from cases.models import CaseStatus, ResponsibilityCase
from cases.policies import allowed_actions
from tests.fixtures.agreements import REHAB
from tests.fixtures.cases import CaseDriver
from tests.fixtures.world import World, as_actor

ROLES = ("nurse_a", "mas_a", "gp_a", "specialist", "coordinator_a", "governance_lokal")


def _draft(d: CaseDriver) -> ResponsibilityCase:
    return d.to(CaseStatus.DRAFT)


def _submitted(d: CaseDriver) -> ResponsibilityCase:
    # Submitting passes through ``submitted`` within one transaction; the page can still meet it.
    case = d.to(CaseStatus.DRAFT)
    case.status = CaseStatus.SUBMITTED
    return case


def _written(d: CaseDriver) -> ResponsibilityCase:
    case = d.to(CaseStatus.RISK_ANALYSIS)
    d.analyse(case)
    case.refresh_from_db()
    return case


def _returned(d: CaseDriver) -> ResponsibilityCase:
    from cases import services

    case = d.to(CaseStatus.RISK_ANALYSIS)
    analysis = d.analyse(case)
    services.risk_analysis_return(
        actor=as_actor(d.world, "specialist"),
        case=case,
        analysis=analysis,
        expected_version=None,
        reason="Beskriv åtgärd vid peritonit nattetid.",
    )
    case.refresh_from_db()
    return case


def _withdrawn(d: CaseDriver) -> ResponsibilityCase:
    from cases import services

    case = d.to(CaseStatus.IN_REVIEW)
    return services.case_withdraw(
        actor=as_actor(d.world, "nurse_a"), case=case, expected_version=None, reason="Fel patient."
    )


SCENARIOS: dict[str, Callable[[CaseDriver], ResponsibilityCase]] = {
    "draft": _draft,
    "submitted": _submitted,
    "in_review": lambda d: d.to(CaseStatus.IN_REVIEW),
    "risk_analysis": lambda d: d.to(CaseStatus.RISK_ANALYSIS),
    "risk_analysis_written": _written,
    "risk_analysis_returned": _returned,
    "awaiting_approval": lambda d: d.to(CaseStatus.AWAITING_APPROVAL),
    "agreed": lambda d: d.to(CaseStatus.AGREED),
    "active": lambda d: d.to(CaseStatus.ACTIVE),
    "follow_up": lambda d: d.to(CaseStatus.FOLLOW_UP),
    "disputed": lambda d: d.to(CaseStatus.DISPUTED),
    "escalated": lambda d: d.to(CaseStatus.ESCALATED),
    "closed": _withdrawn,
}

W = "wait"
# scenario → the step of each role in ROLES (nurse, MAS, GP, specialist, kommun coordinator, lokal
# samverkan); a step in capitals is the person's own ("Ditt nästa steg").
TABLE: dict[str, tuple[str, ...]] = {
    "draft": ("SUBMIT", W, W, W, W, W),
    "submitted": (W, W, W, W, W, W),
    # PD is the clinic's to review (it orders it); the kommun's request stands as its acceptance.
    "in_review": (W, W, W, "REVIEW", W, W),
    # No analysis yet: the kommun writes it; nobody is told to sign what does not exist.
    "risk_analysis": ("WRITE_ANALYSIS", W, W, W, W, W),
    # PD needs the specialist's active role: only the specialist signs.
    "risk_analysis_written": (W, W, W, "SIGN_ANALYSIS", W, W),
    "risk_analysis_returned": ("WRITE_ANALYSIS", W, W, W, W, W),
    "awaiting_approval": (W, "APPROVE_ANALYSIS", W, W, W, W),
    "agreed": ("SIP", W, W, W, W, W),
    # An active case: the follow-up, never "write the risk analysis".
    "active": ("FOLLOW_UP", W, W, W, W, W),
    "follow_up": ("RECORD_FOLLOW_UP", W, W, W, W, W),
    # The clinic disputed PD with a position: nothing more is asked of it; the other parties state theirs.
    "disputed": ("STATE_POSITION", "STATE_POSITION", "STATE_POSITION", W, "STATE_POSITION", W),
    "escalated": (W, W, W, W, W, "DECIDE"),
    "closed": ("closed", "closed", "closed", "closed", "closed", "closed"),
}


def _step(world: World, case: ResponsibilityCase, who: str) -> next_step_module.NextStep:
    actor = as_actor(world, who)
    facts = selectors.case_facts(case)
    actions = allowed_actions(actor, case, facts)
    return next_step_module.next_step(
        next_step_module.step_facts(
            actor=actor,
            case=case,
            actions=actions,
            facts=facts,
            analysis=selectors.current_analysis(case),
            positions=list(case.positions.all()),
        )
    )


def test_every_status_has_a_step_function() -> None:
    assert set(next_step_module.NEXT_STEPS) == set(CaseStatus.values)
    assert set(CaseStatus.values) <= set(TABLE)


@pytest.mark.parametrize("scenario", list(TABLE))
def test_next_step_for_every_role(world: World, drive: CaseDriver, scenario: str) -> None:
    case = SCENARIOS[scenario](drive)
    got = []
    for who in ROLES:
        step = _step(world, case, who)
        assert step.text, (scenario, who)
        got.append(step.code.upper() if step.for_me else step.code)
    assert tuple(got) == TABLE[scenario]


def test_the_step_names_who_acts_and_the_deadline_as_a_stockholm_date(
    world: World, drive: CaseDriver
) -> None:
    case = drive.to(CaseStatus.IN_REVIEW)
    step = _step(world, case, "nurse_a")
    assert "Njurmedicin Test" in step.who  # PD awaits the clinic that orders it
    assert case.due_at is not None
    local_due = case.due_at.astimezone(zoneinfo.ZoneInfo("Europe/Stockholm"))
    # A whole-day deadline runs out at midnight; the step names the last day, not the day after.
    assert local_due.time() == datetime.time.min
    assert step.due == local_due.date() - datetime.timedelta(days=1)

    written = _written(drive)
    assert "Njurmedicin Test" in _step(world, written, "nurse_a").who

    escalated = drive.to(CaseStatus.ESCALATED)
    step = _step(world, escalated, "gp_a")
    assert step.who == "Lokal samverkan A"
    assert step.due is not None


def test_one_named_signer_the_physician_who_orders(world: World, drive: CaseDriver) -> None:
    """A rehabilitation analysis on a case with a specialist clinic: the clinic orders nothing in it,
    so the vårdcentral's GP is the one signer; the specialist is not offered "Signera"."""
    case = drive.to(CaseStatus.RISK_ANALYSIS, tasks=(REHAB,))
    drive.analyse(case)
    case.refresh_from_db()
    facts = selectors.case_facts(case)
    assert "sign_analysis" in allowed_actions(as_actor(world, "gp_a"), case, facts)
    assert "sign_analysis" not in allowed_actions(as_actor(world, "specialist"), case, facts)
    assert "return_analysis" in allowed_actions(as_actor(world, "gp_a"), case, facts)
    assert _step(world, case, "gp_a").code == "sign_analysis"
    assert _step(world, case, "specialist").code == "wait"


def test_on_the_ladder_the_step_follows_the_recommendation_and_names_who_acts(
    world: World, drive: CaseDriver
) -> None:
    """Lokal samverkan recommends: each party is asked to answer it (the parties named as who acts), the
    nurse and the body wait for the parties; a party declines: a coordinator may take the case on."""
    with translation.override("sv"):  # the texts as a Swedish reader gets them
        case = drive.decide(drive.to(CaseStatus.ESCALATED))
        for who in ("gp_a", "coordinator_a"):
            step = _step(world, case, who)
            assert (step.for_me, step.code) == (True, "recommendation"), who
            assert "A kommun" in step.who
            assert "Vårdcentralen A" in step.who
        for who in ("nurse_a", "governance_lokal"):
            step = _step(world, case, who)
            assert (step.for_me, step.code) == (False, "wait"), who
            assert "rekommendation" in step.text, who

        case = drive.answer(case, by="gp_a", accept=False)
        step = _step(world, case, "coordinator_a")
        assert (step.for_me, step.code) == (True, "escalate")
        assert "Samordnare" in step.who or "samordnare" in step.who.lower()
        nurse = _step(world, case, "nurse_a")
        assert (nurse.for_me, nurse.code) == (False, "wait")
        assert "nästa nivå" in nurse.text
