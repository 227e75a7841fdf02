"""Tröskelprincipen (the threshold principle), as the agreement sets it.

The kommun provides home health care to people *enrolled* because they cannot get to the vårdcentral on
their own or with support, with a need continuous over time. That is an agreement principle, not
statute: HSL 12 kap. 2 § and 14 kap. 1 § leave the scope of the kommun's home health care in ordinary
housing to the agreement between region and kommun. So whether it applies is a setting of the agreement
version (``AgreementVersion.threshold_principle``), and what it does is narrow:

* it separates the **kommun's part** from the region's primary care, and nothing else. For a patient in
  an ordinary home without an open enrolment, what the rule gives the kommun (typically performing)
  goes to the region instead: to the patient's listed vårdcentral, or, for a specialised task where the
  agreement says so (``threshold_specialised_performer``), to the unit that orders it;
* **who orders and follows up stays as the rule says**: "Ordinatörens organisationstillhörighet saknar
  betydelse" (Region Halland's survey). A not-enrolled PD patient keeps njurmedicin as orderer; ASIH
  keeps its advanced palliative care; the mobile team keeps its IV antibiotics.

It is bound to the ordinary home on purpose. In special housing, short-term housing, LSS housing,
social-psychiatry housing and day activities the kommun's part follows from the kommun's own decision
about the housing (HSL 12 kap. 1 §), not from enrolment, so the threshold says nothing there.

Pure functions: the engine and the rules' ``clean()`` call them.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from patients.models import HousingSetting

from .choices import CareLevel, EnrolmentRequirement, ThresholdPerformer
from .hard_rules import PartyChoice, is_kommun_party

# The housing settings where tröskelprincipen decides for a patient without an open enrolment.
THRESHOLD_HOUSING_SETTINGS = frozenset({HousingSetting.ORDINARY_HOME})


def threshold_applies(*, enabled: bool, housing_setting: str, has_open_enrolment: bool) -> bool:
    """Whether the agreement's tröskelprincipen hands the kommun's part of a task to the region."""
    return enabled and not has_open_enrolment and housing_setting in THRESHOLD_HOUSING_SETTINGS


def kommun_part_goes_to_orderer(*, care_level: str, specialised_performer: str) -> bool:
    """Whether the kommun's part goes to the task's orderer (else to the listed vårdcentral)."""
    return care_level == CareLevel.SPECIALISED and specialised_performer == ThresholdPerformer.ORDERING_PARTY


def threshold_rule_problems(
    *,
    enabled: bool,
    housing_setting: str,
    enrolment_requirement: str,
    covers_ordinary_home: bool,
    parties: Mapping[str, PartyChoice],
) -> dict[str, list[str]]:
    """A rule written for not-enrolled patients in an ordinary home gives the kommun no part.

    Only where the agreement applies the principle: such a rule would contradict the agreement's own
    setting. ``housing_setting`` is ``""`` for "every housing setting the agreement covers".
    """
    if not enabled or enrolment_requirement != EnrolmentRequirement.NOT_ENROLLED:
        return {}
    reaches_ordinary_home = housing_setting in THRESHOLD_HOUSING_SETTINGS or (
        housing_setting == "" and covers_ordinary_home
    )
    if not reaches_ordinary_home:
        return {}
    problems: dict[str, list[str]] = {}
    for field, choice in parties.items():
        if is_kommun_party(choice.party, choice.organisation_kind):
            problems.setdefault(field, []).append(threshold_violation_message())
    return problems


def threshold_violation_message() -> str:
    return _(
        "Tröskelprincipen (a setting of this agreement): a patient in an ordinary home without an "
        "enrolment can visit the vårdcentral, so the kommun has no part of the task. Choose a party in "
        "the region, limit the rule to enrolled patients or another housing setting, or turn the "
        "setting off."
    )


def threshold_message(*, moved_to: str, section: str) -> str:
    """The proposal's explanation when the principle moved the kommun's part."""
    return _(
        "Tröskelprincipen: the patient has no enrolment in municipal home health care and can visit the "
        "vårdcentral, so the kommun's part of the task goes to %(organisation)s. Who orders and follows "
        "up stays as § %(section)s says."
    ) % {"organisation": moved_to, "section": section}
