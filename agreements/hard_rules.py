"""The law's hard rules, which no agreement can configure away.

1. **Physician care is never the kommun's** (HSL 12 kap. 3 §, 14 kap. 1 §): a task of kind ``physician``
   is never ordered, performed or followed up by a kommun.
2. **Tröskelprincipen** (the threshold principle): a person is enrolled in municipal home health care only
   if they cannot get to the vårdcentral; a patient in an ordinary home *without* an open enrolment can
   visit it and is regional primary care's patient, so the listed vårdcentral has every part of every
   task.

Rule 2 is bound to the ordinary home on purpose. In special housing, short-term housing, LSS housing,
social-psychiatry housing and day activities the kommun's part follows from the kommun's own decision
about the housing (HSL 12 kap. 1 §), not from enrolment, so the threshold says nothing there; whether the
agreement covers those settings is the agreement's business (the Halland agreement does not cover LSS
housing, so such tasks come out unclear and go to review).

Pure functions: the model's ``clean()``, the admin, the API, the import and the engine all call these, so
the rules are written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from directory.models import OrganisationKind
from patients.models import HousingSetting

from .choices import KOMMUN_PARTIES, EnrolmentRequirement, PartyRef, TaskKind

# The housing settings where tröskelprincipen decides for a patient without an open enrolment.
THRESHOLD_HOUSING_SETTINGS = frozenset({HousingSetting.ORDINARY_HOME})

ROLE_FIELDS = ("orders_party", "performs_party", "follows_up_party")


@dataclass(frozen=True)
class PartyChoice:
    """A party as a rule names it: the reference and, where the rule names one, that organisation's kind."""

    party: str
    organisation_kind: str | None = None


def is_kommun_party(party: str, organisation_kind: str | None) -> bool:
    if party in KOMMUN_PARTIES:
        return True
    return party == PartyRef.ORGANISATION and organisation_kind == OrganisationKind.KOMMUN


def threshold_principle_applies(*, housing_setting: str, has_open_enrolment: bool) -> bool:
    """Whether tröskelprincipen gives the listed vårdcentral every task for this patient."""
    return not has_open_enrolment and housing_setting in THRESHOLD_HOUSING_SETTINGS


def physician_violation_message() -> str:
    return _(
        "A physician task is never the kommun's (HSL 12 kap. 3 §): choose a party in the region, "
        "for example the patient's listed vårdcentral."
    )


def threshold_violation_message() -> str:
    return _(
        "Tröskelprincipen: a patient in an ordinary home without an enrolment can visit the "
        "vårdcentral, so the listed vårdcentral has every part of the task. Choose the listed "
        "vårdcentral, or limit the rule to enrolled patients or to another housing setting."
    )


def hard_rule_violations(
    *,
    task_kind: str,
    housing_setting: str,
    enrolment_requirement: str,
    covers_ordinary_home: bool,
    parties: Mapping[str, PartyChoice],
) -> dict[str, list[str]]:
    """Messages per field (``orders_party``, ``performs_party``, ``follows_up_party``) a rule breaks.

    ``housing_setting`` is ``""`` for "every housing setting the agreement covers";
    ``covers_ordinary_home`` says whether that includes the ordinary home.
    """
    problems: dict[str, list[str]] = {}
    if task_kind == TaskKind.PHYSICIAN:
        for field, choice in parties.items():
            if is_kommun_party(choice.party, choice.organisation_kind):
                problems.setdefault(field, []).append(physician_violation_message())

    reaches_ordinary_home = housing_setting in THRESHOLD_HOUSING_SETTINGS or (
        housing_setting == "" and covers_ordinary_home
    )
    if enrolment_requirement == EnrolmentRequirement.NOT_ENROLLED and reaches_ordinary_home:
        for field, choice in parties.items():
            if choice.party != PartyRef.LISTED_VARDCENTRAL:
                problems.setdefault(field, []).append(threshold_violation_message())
    return problems
