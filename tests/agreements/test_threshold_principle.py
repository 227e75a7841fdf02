"""Tröskelprincipen is the agreement's setting, and it moves only the kommun's part.

For a patient in an ordinary home without an enrolment, what the kommun would have performed falls to the
region; who orders (and follows up) a specialised task stays the specialist: "Ordinatörens
organisationstillhörighet saknar betydelse". The demo agreement (``agreements/data/region_halland.yaml``)
applies the principle and hands a specialised task to its orderer's unit; an agreement that says nothing
applies it with the listed vårdcentral taking the kommun's part.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from agreements.choices import (
    EnrolmentRequirement,
    PartyRef,
    ProposalBasis,
    ProposalStatus,
    ThresholdPerformer,
)
from agreements.exchange import AgreementImportError, agreement_export, parse_document
from agreements.importer import agreement_import
from agreements.models import AgreementVersion, CareTaskType, ResponsibilityRule
from agreements.services import (
    agreement_version_change,
    agreement_version_new_draft,
    agreement_version_put_in_force,
)
from patients.models import HousingSetting
from tests.fixtures.world import World

from .test_engine import ASIH, INFEKTION, KOMMUN, LUNG, NJUR, TEAM, VC, names, propose

LATER = datetime.date(2026, 1, 1)
ON_LATER = datetime.date(2026, 2, 2)


def _version_with(demo_version: AgreementVersion, **settings: Any) -> AgreementVersion:
    """A new version of the demo agreement, in force from ``LATER``, with ``settings`` changed."""
    draft = agreement_version_new_draft(actor=None, source=demo_version, version="2026.1", valid_from=LATER)
    draft = agreement_version_change(actor=None, version=draft, changes=settings)
    return agreement_version_put_in_force(actor=None, version=draft)


# --- What moves and what stays ----------------------------------------------------------------------


def test_not_enrolled_pd_patient_keeps_njurmedicin_as_orderer(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    proposal = propose(region_halland.patient(enrolled=False), ["peritoneal_dialysis"])["peritoneal_dialysis"]
    assert proposal.status == ProposalStatus.PROPOSED
    assert proposal.basis == ProposalBasis.THRESHOLD_PRINCIPLE
    orders, performs, follows_up = names(proposal)
    assert (orders, follows_up) == (NJUR, NJUR)
    # The demo agreement hands the kommun's part of a specialised task to the unit that orders it.
    assert performs == NJUR
    # The rule still holds with its conditions: risk analysis, specialist's active role, 24/7 path.
    assert proposal.rule is not None
    assert proposal.conditions.risk_analysis_required
    assert proposal.conditions.specialist_active_role_required
    assert proposal.conditions.contact_24_7_required
    assert proposal.section is not None
    assert proposal.section.number == "3.1"
    assert "6.1" in proposal.message


def test_threshold_hands_only_the_kommuns_part_to_the_vardcentral(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    patient = region_halland.patient(enrolled=False)
    proposals = propose(
        patient,
        ["insulin_injection", "blood_pressure_follow_up", "wound_care_extensive"],
        clinic=region_halland.orgs[NJUR],
    )
    # The vårdcentral orders insulin anyway; it now performs it too.
    assert names(proposals["insulin_injection"]) == (VC, VC, VC)
    # Specialist-ordered primary-care tasks: the specialist keeps ordering and following up.
    assert names(proposals["blood_pressure_follow_up"]) == (NJUR, VC, NJUR)
    assert names(proposals["wound_care_extensive"]) == (NJUR, VC, NJUR)
    for proposal in proposals.values():
        assert proposal.basis == ProposalBasis.THRESHOLD_PRINCIPLE
        assert KOMMUN not in names(proposal)


def test_under_the_listed_vardcentral_setting_pd_is_performed_by_the_vardcentral_ordered_by_njurmedicin(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    _version_with(demo_version, threshold_specialised_performer=ThresholdPerformer.LISTED_VARDCENTRAL)
    proposal = propose(region_halland.patient(enrolled=False), ["peritoneal_dialysis"], on=ON_LATER)[
        "peritoneal_dialysis"
    ]
    assert names(proposal) == (NJUR, VC, NJUR)


def test_the_specialists_own_care_is_not_touched_by_the_threshold(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    """Ventilator, ASIH palliative care and IV antibiotics were never the kommun's to hand over."""
    proposals = propose(
        region_halland.patient(enrolled=False),
        ["home_ventilator", "palliative_care_advanced", "iv_antibiotics"],
    )
    assert names(proposals["home_ventilator"]) == (LUNG, LUNG, LUNG)
    assert names(proposals["palliative_care_advanced"]) == (ASIH, ASIH, ASIH)
    assert names(proposals["iv_antibiotics"]) == (INFEKTION, TEAM, INFEKTION)
    for proposal in proposals.values():
        assert proposal.basis == ProposalBasis.AGREEMENT_RULE
        assert proposal.rule is not None


def test_an_enrolled_patient_is_not_touched_by_the_threshold(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    proposal = propose(region_halland.patient(), ["peritoneal_dialysis"])["peritoneal_dialysis"]
    assert proposal.basis == ProposalBasis.AGREEMENT_RULE
    assert names(proposal) == (NJUR, KOMMUN, NJUR)


def test_an_agreement_that_turns_the_threshold_off_lets_the_kommun_perform(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    _version_with(demo_version, threshold_principle=False)
    proposal = propose(region_halland.patient(enrolled=False), ["insulin_injection"], on=ON_LATER)[
        "insulin_injection"
    ]
    assert proposal.basis == ProposalBasis.AGREEMENT_RULE
    assert names(proposal) == (VC, KOMMUN, VC)


def test_a_not_enrolled_task_without_a_rule_is_unclear_not_handed_to_the_vardcentral(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    CareTaskType.objects.create(
        code="home_dialysis_haemo",
        name_sv="Hemhemodialys",
        name_en="Home haemodialysis",
        kind="specialised",
        care_level="specialised",
    )
    proposal = propose(region_halland.patient(enrolled=False), ["home_dialysis_haemo"])["home_dialysis_haemo"]
    assert proposal.status == ProposalStatus.UNCLEAR
    assert proposal.orders is None


# --- The setting: defaults, file, rules ----------------------------------------------------------


MINIMAL = """
format: hemsjukvard-agreement/1
agreement: {code: minimal, region: {name: Region Halland}}
version:
  version: "1"
  title: Minimal
  status: in_force
  valid_from: 2025-01-01
  kommuner: [{name: Varbergs kommun}]
  housing_settings: [ordinary_home]
sections: [{number: "1", heading: Allt}]
rules:
  - {task: insulin_injection, orders: listed_vardcentral, performs: enrolment_kommun,
     follows_up: listed_vardcentral, section: "1"}
  - {task: peritoneal_dialysis, orders: {party: organisation, organisation: {name: Njurmedicin Halland}},
     performs: enrolment_kommun, follows_up: {party: organisation, organisation: {name: Njurmedicin Halland}},
     section: "1"}
"""


def test_an_agreement_without_the_settings_applies_the_threshold_with_the_vardcentral_performing(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    version = agreement_import(text=MINIMAL, source_name="minimal.yaml")
    assert version.threshold_principle is True
    assert version.threshold_specialised_performer == ThresholdPerformer.LISTED_VARDCENTRAL
    assert version.cases_before_enrolment is False
    assert version.mar_required_from is None


def test_the_settings_round_trip_through_the_file(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    exported = agreement_export(version=demo_version)
    settings = parse_document(exported).data["settings"]
    assert settings == {
        "threshold_principle": True,
        "threshold_specialised_performer": "ordering_party",
        "cases_before_enrolment": True,
        "mar_required_from": "2026-07-01",
        "mar_required_citation": "prop. 2025/26:19",
        "home_care_term": "hälso- och sjukvård i hemmet",
        "home_care_term_from": "2026-07-01",
    }
    renumbered = exported.replace("version: '2025.1'", "version: '2025.2'")
    renumbered = re.sub(r"valid_from: '?2025-01-01'?", "valid_from: '2025-07-01'", renumbered, count=1)
    again = agreement_import(text=renumbered, source_name="again.yaml")
    assert again.version == "2025.2"
    assert again.mar_required_from == datetime.date(2026, 7, 1)
    assert again.home_care_term_on(datetime.date(2026, 6, 30)) == "hemsjukvård"
    assert again.home_care_term_on(datetime.date(2026, 7, 1)) == "hälso- och sjukvård i hemmet"


def test_a_bad_setting_names_its_line(region_halland: World) -> None:
    text = MINIMAL.replace("sections:", "settings: {threshold_specialised_performer: kommun}\nsections:")
    with pytest.raises(AgreementImportError) as caught:
        agreement_import(text=text, source_name="bad.yaml")
    assert "settings.threshold_specialised_performer" in str(caught.value)


def test_a_rule_giving_the_kommun_a_part_of_not_enrolled_care_is_refused_only_under_the_threshold(
    demo_version: AgreementVersion,
) -> None:
    for applies in (True, False):
        draft = agreement_version_new_draft(
            actor=None,
            source=demo_version,
            version=f"2026.{int(applies)}",
            valid_from=LATER + datetime.timedelta(days=int(applies)),
        )
        draft = agreement_version_change(actor=None, version=draft, changes={"threshold_principle": applies})
        rule = ResponsibilityRule(
            version=draft,
            task_type=CareTaskType.objects.get(code="insulin_injection"),
            section=draft.sections.get(number="4.1"),
            housing_setting=HousingSetting.ORDINARY_HOME,
            enrolment_requirement=EnrolmentRequirement.NOT_ENROLLED,
            orders_party=PartyRef.LISTED_VARDCENTRAL,
            performs_party=PartyRef.ENROLMENT_KOMMUN,
            follows_up_party=PartyRef.LISTED_VARDCENTRAL,
        )
        if applies:
            with pytest.raises(ValidationError) as caught:
                rule.full_clean()
            assert "Tröskelprincipen" in caught.value.message_dict["performs_party"][0]
        else:
            rule.full_clean()


# --- The settings through the API -------------------------------------------------------------------


def test_the_settings_are_read_and_changed_through_the_api(
    region_halland: World, demo_version: AgreementVersion, api: Any
) -> None:
    client = api(region_halland.users["admin_halland"])
    read = client.get(f"/api/v1/agreement-versions/{demo_version.public_id}").json()
    assert read["settings"]["threshold_specialised_performer"] == "ordering_party"
    assert read["settings"]["mar_required_from"] == "2026-07-01"

    created = client.post(
        "/api/v1/agreement-versions",
        {"based_on": str(demo_version.public_id), "version": "2026.1", "valid_from": "2026-01-01"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["settings"] == read["settings"]
    url = f"/api/v1/agreement-versions/{created.json()['id']}"
    changed = client.patch(
        url,
        {"settings": {"threshold_principle": False, "home_care_term": "hälso- och sjukvård i hemmet"}},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["settings"]["threshold_principle"] is False
    assert changed.json()["settings"]["threshold_specialised_performer"] == "ordering_party"

    # Only the region's administrator changes them.
    nurse = api(region_halland.users["nurse_varberg"])
    refused = nurse.patch(
        url, {"settings": {"threshold_principle": True}}, format="json", HTTP_IF_MATCH=changed["ETag"]
    )
    assert refused.status_code == 403
    assert AgreementVersion.objects.get(public_id=created.json()["id"]).threshold_principle is False
