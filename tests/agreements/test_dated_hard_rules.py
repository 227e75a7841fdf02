"""Physician care is never the kommun's (HSL 12 kap. 3 §): enforced, as a dated rule in data.

The rule's period and citation are rows of ``HardRule`` (recorded by a migration), so a reform that lets
kommuner employ physicians is an edit of the data, not a release; without any row the law holds as it
stands.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from agreements.choices import HardRuleCode, PartyRef, ProposalStatus
from agreements.models import AgreementVersion, CareTaskType, HardRule, ResponsibilityRule
from agreements.services import (
    agreement_version_new_draft,
    agreement_version_put_in_force,
    rule_create,
)
from patients.models import HousingSetting
from tests.fixtures.world import World

from .test_engine import KOMMUN, VC, names, propose

pytestmark = pytest.mark.usefixtures("physician_rule_recorded")

CODE = HardRuleCode.PHYSICIAN_CARE_NOT_KOMMUN
REFORM = datetime.date(2028, 1, 1)


def _draft(demo_version: AgreementVersion, valid_from: datetime.date) -> AgreementVersion:
    return agreement_version_new_draft(
        actor=None, source=demo_version, version=f"{valid_from.year}.1", valid_from=valid_from
    )


def _kommun_visits(draft: AgreementVersion) -> ResponsibilityRule:
    return ResponsibilityRule(
        version=draft,
        task_type=CareTaskType.objects.get(code="physician_home_visit"),
        section=draft.sections.get(number="5"),
        housing_setting=HousingSetting.SPECIAL_HOUSING,
        orders_party=PartyRef.LISTED_VARDCENTRAL,
        performs_party=PartyRef.ENROLMENT_KOMMUN,
        follows_up_party=PartyRef.LISTED_VARDCENTRAL,
    )


def _end_the_rule() -> None:
    HardRule.objects.filter(code=CODE).update(valid_to=REFORM - datetime.timedelta(days=1))


@pytest.mark.django_db
def test_physician_care_is_never_the_kommuns_is_dated_data_with_its_citation() -> None:
    rule = HardRule.objects.get(code=CODE)
    assert (rule.citation, rule.fallback_citation) == ("HSL 12 kap. 3 §", "HSL 16 kap. 1 §")
    assert (rule.valid_from, rule.valid_to) == (datetime.date(2017, 4, 1), None)
    assert HardRule.objects.in_force(CODE, datetime.date(2026, 12, 6)) == rule.ref


def test_a_version_after_the_rule_ends_may_let_the_kommun_perform_physician_care(
    demo_version: AgreementVersion,
) -> None:
    _end_the_rule()
    before = _draft(demo_version, datetime.date(2027, 1, 1))  # runs into the rule's period
    with pytest.raises(ValidationError) as caught:
        _kommun_visits(before).full_clean()
    assert "HSL 12 kap. 3 §" in caught.value.message_dict["performs_party"][0]

    after = _draft(demo_version, REFORM)
    rule_create(actor=None, rule=_kommun_visits(after))
    agreement_version_put_in_force(actor=None, version=after)


def test_the_engine_reads_the_rule_on_the_day_it_proposes(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    _end_the_rule()
    after = _draft(demo_version, REFORM)
    rule_create(actor=None, rule=_kommun_visits(after))
    agreement_version_put_in_force(actor=None, version=after)
    patient = region_halland.patient(housing=HousingSetting.SPECIAL_HOUSING)
    proposal = propose(patient, ["physician_home_visit"], on=REFORM)["physician_home_visit"]
    assert proposal.status == ProposalStatus.PROPOSED
    assert names(proposal) == (VC, KOMMUN, VC)


def test_the_citation_shown_comes_from_the_data(demo_version: AgreementVersion) -> None:
    HardRule.objects.filter(code=CODE).update(citation="HSL 12 kap. 3 § (2017:30)")
    with pytest.raises(ValidationError) as caught:
        _kommun_visits(_draft(demo_version, datetime.date(2026, 1, 1))).full_clean()
    assert "HSL 12 kap. 3 § (2017:30)" in caught.value.message_dict["performs_party"][0]


def test_without_any_data_the_law_still_holds(demo_version: AgreementVersion) -> None:
    HardRule.objects.all().delete()
    assert HardRule.objects.in_force(CODE, datetime.date(2030, 1, 1)) is not None
    with pytest.raises(ValidationError):
        _kommun_visits(_draft(demo_version, datetime.date(2030, 1, 1))).full_clean()


@pytest.mark.django_db
def test_periods_of_one_rule_do_not_overlap() -> None:
    overlapping = HardRule(
        code=CODE, citation="HSL 12 kap. 3 §", valid_from=datetime.date(2020, 1, 1), valid_to=None
    )
    with pytest.raises(ValidationError) as caught:
        overlapping.full_clean()
    assert "valid_from" in caught.value.message_dict
    _end_the_rule()
    HardRule(code=CODE, citation="Ny lydelse", valid_from=REFORM + datetime.timedelta(days=365)).full_clean()
