"""The law's hard rules cannot be saved away: the model refuses, and so does the catalogue."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from agreements.choices import EnrolmentRequirement, PartyRef, TaskKind
from agreements.hard_rules import PartyChoice, hard_rule_violations
from agreements.models import AgreementVersion, CareTaskType, ResponsibilityRule
from agreements.services import agreement_version_new_draft, rule_change
from hemsjukvard.errors import StateConflictError
from patients.models import HousingSetting
from tests.fixtures.world import World


@pytest.fixture
def draft(demo_version: AgreementVersion) -> AgreementVersion:
    return agreement_version_new_draft(
        actor=None, source=demo_version, version="2026.1", valid_from=datetime.date(2026, 1, 1)
    )


def _rule(draft: AgreementVersion, code: str, **fields: object) -> ResponsibilityRule:
    values: dict[str, object] = {
        "version": draft,
        "task_type": CareTaskType.objects.get(code=code),
        "section": draft.sections.get(number="5"),
        "housing_setting": HousingSetting.SPECIAL_HOUSING,
        "orders_party": PartyRef.LISTED_VARDCENTRAL,
        "performs_party": PartyRef.LISTED_VARDCENTRAL,
        "follows_up_party": PartyRef.LISTED_VARDCENTRAL,
    }
    values.update(fields)
    return ResponsibilityRule(**values)


def test_a_kommun_performing_a_physician_task_cannot_be_saved(draft: AgreementVersion) -> None:
    rule = _rule(draft, "physician_home_visit", performs_party=PartyRef.ENROLMENT_KOMMUN)
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "performs_party" in caught.value.message_dict
    assert "HSL 12 kap. 3 §" in caught.value.message_dict["performs_party"][0]


def test_a_named_kommun_ordering_a_physician_task_cannot_be_saved(
    region_halland: World, draft: AgreementVersion
) -> None:
    rule = _rule(
        draft,
        "medication_review",
        orders_party=PartyRef.ORGANISATION,
        orders_organisation=region_halland.orgs["Varbergs kommun"],
    )
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "orders_party" in caught.value.message_dict


def test_a_rule_against_the_threshold_principle_cannot_be_saved(draft: AgreementVersion) -> None:
    rule = _rule(
        draft,
        "insulin_injection",
        housing_setting=HousingSetting.ORDINARY_HOME,
        enrolment_requirement=EnrolmentRequirement.NOT_ENROLLED,
        performs_party=PartyRef.ENROLMENT_KOMMUN,
    )
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "Tröskelprincipen" in caught.value.message_dict["performs_party"][0]


def test_the_same_rule_for_enrolled_patients_or_special_housing_is_fine(draft: AgreementVersion) -> None:
    _rule(
        draft,
        "insulin_injection",
        housing_setting=HousingSetting.SPECIAL_HOUSING,
        enrolment_requirement=EnrolmentRequirement.NOT_ENROLLED,
        performs_party=PartyRef.ENROLMENT_KOMMUN,
    ).full_clean()


def test_a_rule_in_a_version_in_force_cannot_be_changed(demo_version: AgreementVersion) -> None:
    rule = demo_version.rules.get(task_type__code="insulin_injection")
    with pytest.raises(StateConflictError, match="no longer a draft"):
        rule_change(actor=None, rule=rule, changes={"delegation_allowed": False})
    rule.refresh_from_db()
    assert rule.delegation_allowed is True


def test_a_rule_cites_a_section_of_its_own_version(
    demo_version: AgreementVersion, draft: AgreementVersion
) -> None:
    rule = _rule(draft, "physician_home_visit", section=demo_version.sections.get(number="5"))
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "section" in caught.value.message_dict


def test_a_task_cannot_become_a_physician_task_while_a_rule_gives_it_to_a_kommun(
    demo_version: AgreementVersion,
) -> None:
    task = CareTaskType.objects.get(code="insulin_injection")
    task.kind = TaskKind.PHYSICIAN
    with pytest.raises(ValidationError) as caught:
        task.full_clean()
    assert "kind" in caught.value.message_dict


def test_hard_rules_are_one_pure_function() -> None:
    kommun = PartyChoice(PartyRef.ENROLMENT_KOMMUN)
    vardcentral = PartyChoice(PartyRef.LISTED_VARDCENTRAL)
    assert (
        hard_rule_violations(
            task_kind=TaskKind.NURSING,
            parties={"orders_party": vardcentral, "performs_party": kommun, "follows_up_party": vardcentral},
        )
        == {}
    )
    problems = hard_rule_violations(
        task_kind=TaskKind.PHYSICIAN,
        parties={"orders_party": kommun, "performs_party": vardcentral, "follows_up_party": vardcentral},
    )
    assert set(problems) == {"orders_party"}
    assert len(problems["orders_party"]) == 1  # tröskelprincipen is the agreement's, not a hard rule
    # Not in force (e.g. after a reform): nothing to say.
    assert (
        hard_rule_violations(
            task_kind=TaskKind.PHYSICIAN,
            parties={"orders_party": kommun, "performs_party": kommun, "follows_up_party": kommun},
            physician_rule=None,
        )
        == {}
    )
