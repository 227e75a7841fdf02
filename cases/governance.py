"""The escalation ladder's discipline: when a case may climb, and who answers a recommendation.

Pure rules over what has happened at the case's current level (``LevelFacts``, loaded by
``cases.selectors.levels``). A case goes to the next level only when the level cannot settle it: its
body recorded that it cannot, one party declined the body's recommendation, or the level's deadline
passed; or when both parties (the kommun and the region side) consent to skip the level. Never by one
party alone. Each level of the agreement's ladder says whether its decision binds or recommends
(``agreements.EscalationLevel.binding``); a recommendation takes effect when both parties accept it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .models import CaseStatus, CaseTask, ResponsibilityCase, ReviewState
from .transitions import A

KOMMUN_SIDE = "kommun"
REGION_SIDE = "region"
SIDES = frozenset({KOMMUN_SIDE, REGION_SIDE})


@dataclass(frozen=True)
class LevelFacts:
    """What has happened at the case's current escalation level.

    ``decided``: the body has decided (binding, or a recommendation that awaits the parties);
    ``accepted_by``/``declined_by``: the sides that answered the recommendation; ``skip_consents``: the
    sides that consent to skip the level; ``overdue``: the level's deadline has passed.
    """

    level: int
    binding: bool = True
    has_next: bool = False
    decided: bool = False
    accepted_by: frozenset[str] = frozenset()
    declined_by: frozenset[str] = frozenset()
    skip_consents: frozenset[str] = frozenset()
    overdue: bool = False

    @property
    def recommendation_open(self) -> bool:
        """A recommendation awaits the parties' answers (and none has declined it)."""
        return self.decided and not self.binding and not self.declined_by

    @property
    def may_climb(self) -> bool:
        """The level cannot settle the case, so a coordinator may send it to the next level."""
        return self.has_next and (bool(self.declined_by) or self.overdue)


def side_of(case: ResponsibilityCase, organisation_id: int) -> str | None:
    """The party an organisation acts for on ``case``: the kommun, or the region side (its listed
    vårdcentral or the ordering specialist clinic)."""
    if organisation_id == case.kommun_id:
        return KOMMUN_SIDE
    if organisation_id in (case.vardcentral_id, case.specialist_clinic_id):
        return REGION_SIDE
    return None


def level_allows(
    action: str, case: ResponsibilityCase, level: LevelFacts | None, organisation_id: int
) -> bool:
    """Whether the ladder's discipline lets ``action`` be taken now (the role table aside) by a person
    acting for ``organisation_id``."""
    escalated = case.status == CaseStatus.ESCALATED
    if action == A.ESCALATE:
        return case.status == CaseStatus.DISPUTED or (escalated and level is not None and level.may_climb)
    if not escalated or level is None:
        return action not in GOVERNED
    side = side_of(case, organisation_id)
    if action == A.DECIDE:
        return not level.decided
    if action == A.CANNOT_SETTLE:
        return not level.decided and level.has_next
    if action in (A.ACCEPT_RECOMMENDATION, A.DECLINE_RECOMMENDATION):
        return level.recommendation_open and side is not None and side not in level.accepted_by
    if action == A.CONSENT_SKIP:
        return level.has_next and not level.may_climb and side is not None and side not in level.skip_consents
    return True


GOVERNED = frozenset(
    {A.DECIDE, A.CANNOT_SETTLE, A.ACCEPT_RECOMMENDATION, A.DECLINE_RECOMMENDATION, A.CONSENT_SKIP}
)


def tasks_to_decide(tasks: Iterable[CaseTask]) -> list[CaseTask]:
    """The tasks a body decides: the disputed ones (an accepted task stays as accepted); where none is
    disputed (a review that passed its deadline unanswered), every task still awaiting review."""
    listed = sorted(tasks, key=lambda t: t.pk)
    disputed = [t for t in listed if t.review_state == ReviewState.DISPUTED]
    return disputed or [t for t in listed if t.review_state == ReviewState.PENDING]
