"""The rule dimensions real agreements need: time of day, physician input by area, kommun of stay and
private performers, each optional, on the shipped demo agreement and in the file format."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence

import pytest
from django.core.exceptions import ValidationError

from agreements.choices import (
    AgreementScope,
    AgreementStatus,
    PartyRef,
    ProposalStatus,
    TaskKind,
    TimeBand,
    UnclearReason,
)
from agreements.engine import (
    AreaRef,
    OrganisationRef,
    PartySpec,
    PatientSituation,
    RuleRef,
    RuleSet,
    SectionRef,
    TaskProposal,
    TaskTypeRef,
    VersionRef,
    rules_propose_split,
)
from agreements.engine import Conditions as Cond
from agreements.exchange import AgreementImportError, agreement_export
from agreements.importer import agreement_import
from agreements.models import AgreementVersion, PhysicianArea, ResponsibilityRule
from agreements.selectors import patient_situation, responsibility_inputs_load
from directory.models import Organisation, OrganisationKind, Ownership
from patients.models import HousingSetting, Patient
from tests.agreements.conftest import REGIONAL_FILE
from tests.fixtures.world import World

ON = datetime.date(2025, 6, 2)
VARBERG = "Varbergs kommun"
FALKENBERG = "Falkenbergs kommun"
CENTRUM = "Vårdcentralen Centrum Varberg"
TRASLOV = "Vårdcentralen Träslöv Varberg"
TEAM = "Mobilt närsjukvårdsteam Halland"
INFEKTION = "Infektionskliniken Halland"


def propose(
    patient: Patient,
    codes: Sequence[str],
    *,
    bands: dict[str, Iterable[str]] | None = None,
    stay: Organisation | None = None,
    on: datetime.date = ON,
) -> dict[str, TaskProposal]:
    loaded = Patient.objects.select_related("folkbokforing_kommun").get(pk=patient.pk)
    situation = patient_situation(patient=loaded, stay_kommun=stay)
    inputs = responsibility_inputs_load(actor=None, situation=situation, task_codes=codes, on=on)
    proposals = rules_propose_split(
        situation=situation,
        task_types=[inputs.task_types[code] for code in codes],
        rules=inputs.rules,
        on=on,
        time_bands=bands,
    )
    return {proposal.task_type.code: proposal for proposal in proposals}


def names(proposal: TaskProposal) -> tuple[str | None, str | None, str | None]:
    def name(assignment: object) -> str | None:
        organisation = getattr(assignment, "organisation", None)
        return organisation.name if organisation is not None else None

    return (name(proposal.orders), name(proposal.performs), name(proposal.follows_up))


# --- Time of day ------------------------------------------------------------------------------------


def test_planned_night_visit_goes_to_the_night_patrol(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    patient = region_halland.patient()
    proposal = propose(patient, ["iv_antibiotics"], bands={"iv_antibiotics": ["night"]})["iv_antibiotics"]

    assert proposal.status == ProposalStatus.PROPOSED, proposal.message
    assert names(proposal) == (INFEKTION, VARBERG, INFEKTION)
    assert proposal.conditions.training_required
    assert proposal.conditions.risk_analysis_required
    assert proposal.time_bands == ("night",)
    assert any("Night 22:00–07:00" in note for note in proposal.notes), proposal.notes


def test_planned_day_visit_and_a_task_without_time_keep_the_mobile_team(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    patient = region_halland.patient()
    by_day = propose(patient, ["iv_antibiotics"], bands={"iv_antibiotics": ["day", "evening"]})
    without_time = propose(patient, ["iv_antibiotics"])

    assert names(by_day["iv_antibiotics"]) == (INFEKTION, TEAM, INFEKTION)
    assert names(without_time["iv_antibiotics"]) == (INFEKTION, TEAM, INFEKTION)
    assert without_time["iv_antibiotics"].notes == ()


def test_visits_by_day_and_by_night_split_differently_are_decided_by_a_person(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    patient = region_halland.patient()
    proposal = propose(patient, ["iv_antibiotics"], bands={"iv_antibiotics": ["day", "night"]})[
        "iv_antibiotics"
    ]

    assert proposal.status == ProposalStatus.UNCLEAR
    assert proposal.reason == UnclearReason.TIME_BANDS_DIFFER
    assert TEAM in proposal.message
    assert VARBERG in proposal.message
    assert len(proposal.candidate_rules) == 2


def test_band_limits_are_the_agreements_setting(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    text = (
        REGIONAL_FILE.read_text(encoding="utf-8")
        .replace('version: "2025.1"', 'version: "2025.2"')
        .replace("valid_from: 2025-01-01", "valid_from: 2025-05-01")
        .replace('night_band_from: "22:00"', 'night_band_from: "21:30"')
    )
    agreement_import(text=text, source_name="borås-style.yaml")
    patient = region_halland.patient()
    proposal = propose(patient, ["iv_antibiotics"], bands={"iv_antibiotics": ["night"]})["iv_antibiotics"]

    assert proposal.version is not None
    assert proposal.version.version == "2025.2"
    assert any("Night 21:30–07:00" in note for note in proposal.notes), proposal.notes


# --- Physician input by area ---------------------------------------------------------------------


def test_saebo_area_vardcentral_takes_physician_part_regardless_of_listing(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    patient = region_halland.patient(housing=HousingSetting.SPECIAL_HOUSING)
    Patient.objects.filter(pk=patient.pk).update(housing_unit="  solgården ")
    proposals = propose(patient, ["medication_review", "medication_administration"])

    review = proposals["medication_review"]
    assert patient.listed_vardcentral is not None
    assert patient.listed_vardcentral.name == CENTRUM
    assert names(review) == (TRASLOV, TRASLOV, TRASLOV)
    assert any("Solgården" in note and "§ 5.1" in note for note in review.notes), review.notes
    # A nursing task: the area's vårdcentral orders and follows up, the kommun still performs.
    assert names(proposals["medication_administration"]) == (TRASLOV, VARBERG, TRASLOV)


def test_without_a_matching_unit_the_listing_decides(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    patient = region_halland.patient(housing=HousingSetting.SPECIAL_HOUSING)
    Patient.objects.filter(pk=patient.pk).update(housing_unit="Ekhagen")

    assert names(propose(patient, ["medication_review"])["medication_review"]) == (CENTRUM, CENTRUM, CENTRUM)


def test_a_local_agreement_by_listing_keeps_its_own_physician_part(
    region_halland: World, local_version: AgreementVersion
) -> None:
    patient = region_halland.patient(housing=HousingSetting.SPECIAL_HOUSING)
    Patient.objects.filter(pk=patient.pk).update(housing_unit="Solgården")
    proposal = propose(patient, ["physician_home_visit"])["physician_home_visit"]

    assert proposal.version is not None
    assert proposal.version.id == local_version.pk
    assert names(proposal) == (CENTRUM, CENTRUM, CENTRUM)


def _ref(i: int, name: str, kind: str, kommun_id: int | None = None) -> OrganisationRef:
    return OrganisationRef(id=i, public_id=uuid.uuid4(), name=name, kind=kind, kommun_id=kommun_id)


SECTION = SectionRef(id=1, public_id=uuid.uuid4(), number="5.1", heading="Läkarmedverkan")
VISIT = TaskTypeRef(1, uuid.uuid4(), "visit", "Läkarbesök", "Visit", TaskKind.PHYSICIAN, "primary")
ORGS = {
    1: _ref(1, "Region", OrganisationKind.REGION),
    2: _ref(2, "Kommun A", OrganisationKind.KOMMUN),
    3: _ref(3, "VC listad", OrganisationKind.VARDCENTRAL),
    4: _ref(4, "VC område", OrganisationKind.VARDCENTRAL),
    5: _ref(5, "Kommun B", OrganisationKind.KOMMUN),
    6: _ref(6, "Hemsjukvård AB", OrganisationKind.PRIVATE_PERFORMER, kommun_id=2),
}


def _version(**extra: object) -> VersionRef:
    fields: dict[str, object] = {
        "id": 1,
        "public_id": uuid.uuid4(),
        "agreement_id": 1,
        "agreement_public_id": uuid.uuid4(),
        "agreement_code": "a",
        "title": "Avtal",
        "version": "1",
        "status": AgreementStatus.IN_FORCE,
        "valid_from": datetime.date(2025, 1, 1),
        "valid_to": None,
        "scope": AgreementScope.REGIONAL,
        "region_id": 1,
        "kommun_ids": frozenset({2, 5}),
        "covered_housing_settings": frozenset({HousingSetting.ORDINARY_HOME}),
        **extra,
    }
    return VersionRef(**fields)  # type: ignore[arg-type]


def _rule(rule_id: int, performs: PartySpec, bands: frozenset[str] = frozenset(), task: int = 1) -> RuleRef:
    return RuleRef(
        id=rule_id,
        public_id=uuid.uuid4(),
        version_id=1,
        task_type_id=task,
        housing_setting="",
        enrolment_requirement="any",
        orders=PartySpec(PartyRef.LISTED_VARDCENTRAL),
        performs=performs,
        follows_up=PartySpec(PartyRef.LISTED_VARDCENTRAL),
        conditions=Cond(),
        section=SECTION,
        time_bands=bands,
    )


def _situation(**extra: object) -> PatientSituation:
    fields: dict[str, object] = {
        "housing_setting": HousingSetting.ORDINARY_HOME,
        "folkbokforing_kommun_id": 2,
        "open_enrolment_kommun_id": 2,
        "listed_vardcentral_id": 3,
        "region_id": 1,
        **extra,
    }
    return PatientSituation(**fields)  # type: ignore[arg-type]


def test_a_postal_code_area_takes_the_physician_part() -> None:
    area = AreaRef(
        id=1, vardcentral_id=4, housing_unit="", district="Träslöv", postal_codes=("4325",), section=SECTION
    )
    rules = RuleSet(
        region_id=1,
        versions=(_version(physician_areas=(area,)),),
        rules_by_task_type={1: (_rule(1, PartySpec(PartyRef.LISTED_VARDCENTRAL)),)},
        organisations=ORGS,
    )
    inside = rules_propose_split(
        situation=_situation(postal_code="432 53"), task_types=[VISIT], rules=rules, on=ON
    )
    outside = rules_propose_split(
        situation=_situation(postal_code="43230"), task_types=[VISIT], rules=rules, on=ON
    )

    assert names(inside[0]) == ("VC område", "VC område", "VC område")
    assert "Träslöv" in inside[0].notes[0]
    assert names(outside[0]) == ("VC listad", "VC listad", "VC listad")


def test_rules_only_for_some_bands_ask_for_the_time_when_none_is_given() -> None:
    rules = RuleSet(
        region_id=1,
        versions=(_version(),),
        rules_by_task_type={
            1: (_rule(1, PartySpec(PartyRef.LISTED_VARDCENTRAL), frozenset({TimeBand.DAY})),)
        },
        organisations=ORGS,
    )
    without = rules_propose_split(situation=_situation(), task_types=[VISIT], rules=rules, on=ON)[0]
    at_night = rules_propose_split(
        situation=_situation(), task_types=[VISIT], rules=rules, on=ON, time_bands={"visit": ["night"]}
    )[0]

    assert without.reason == UnclearReason.NO_RULE
    assert "time" in without.message
    assert at_night.reason == UnclearReason.NO_RULE
    assert "night" in at_night.message


# --- Kommun of stay ----------------------------------------------------------------------------------


def test_kommun_of_stay_decides_the_kommunal_part(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    patient = region_halland.patient()
    stay = region_halland.orgs[FALKENBERG]
    at_home = propose(patient, ["wound_care_simple"])["wound_care_simple"]
    away = propose(patient, ["wound_care_simple", "medication_review"], stay=stay)

    assert names(at_home) == (CENTRUM, VARBERG, CENTRUM)
    assert names(away["wound_care_simple"]) == (CENTRUM, FALKENBERG, CENTRUM)
    note = " ".join(away["wound_care_simple"].notes)
    assert FALKENBERG in note
    assert VARBERG in note
    assert "HSL 12 kap. 2 §" in note
    # Nothing of the kommun's in the task: the proposal does not speak of the stay.
    assert away["medication_review"].notes == ()


def test_a_stay_in_a_kommun_outside_the_agreement_is_unclear(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    patient = region_halland.patient()
    malmo = Organisation.objects.get(name="Malmö stad")
    proposal = propose(patient, ["wound_care_simple"], stay=malmo)["wound_care_simple"]

    assert proposal.status == ProposalStatus.UNCLEAR
    assert proposal.reason == UnclearReason.NO_RULE


# --- Private performers ------------------------------------------------------------------------------


def _performer(world: World, kommun: str = "Kungsbacka kommun") -> Organisation:
    return Organisation.objects.create(
        name="Nattpatrullen Nordhalla Vård AB",
        kind=OrganisationKind.PRIVATE_PERFORMER,
        ownership=Ownership.PRIVATE,
        region=world.orgs["Region Halland"],
        kommun=world.orgs[kommun],
    )


LOCAL_WITH_PERFORMER = """\
format: hemsjukvard-agreement/1
agreement:
  code: kungsbacka-natt
  region: {name: Region Halland}
  scope: local
  kommun: {name: Kungsbacka kommun}
version:
  version: "2025.1"
  title: Lokal överenskommelse om nattpatrull, Kungsbacka
  status: in_force
  valid_from: 2025-02-01
  kommuner: [{name: Kungsbacka kommun}]
  housing_settings: [ordinary_home]
sections:
  - {number: "1", heading: Nattpatrull}
rules:
  - task: insulin_injection
    time_bands: [night]
    orders: listed_vardcentral
    performs: {party: organisation, organisation: {name: Nattpatrullen Nordhalla Vård AB}}
    follows_up: listed_vardcentral
    section: "1"
"""


def test_a_private_performer_performs_while_the_kommun_stays_principal(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    performer = _performer(region_halland)
    agreement_import(text=LOCAL_WITH_PERFORMER, source_name="kungsbacka.yaml")
    patient = region_halland.patient(kommun="Kungsbacka kommun")
    night = propose(patient, ["insulin_injection"], bands={"insulin_injection": ["night"]})[
        "insulin_injection"
    ]
    day = propose(patient, ["insulin_injection"], bands={"insulin_injection": ["day"]})["insulin_injection"]

    assert night.status == ProposalStatus.PROPOSED, night.message
    assert night.performs is not None
    assert night.performs.organisation is not None
    assert night.performs.organisation.id == performer.pk
    assert night.performs.principal is not None
    assert night.performs.principal.name == "Kungsbacka kommun"
    assert names(day)[1] == "Kungsbacka kommun"


def test_a_private_performer_is_named_only_in_its_kommuns_local_agreement(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    _performer(region_halland, kommun=VARBERG)
    with pytest.raises(AgreementImportError) as raised:
        agreement_import(text=LOCAL_WITH_PERFORMER, source_name="kungsbacka.yaml")

    assert "private performer works for one kommun" in str(raised.value.problems)


def test_a_private_performer_never_takes_a_physician_task(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    _performer(region_halland)
    text = LOCAL_WITH_PERFORMER.replace("insulin_injection", "medication_review").replace(
        "time_bands: [night]\n    ", ""
    )
    with pytest.raises(AgreementImportError) as raised:
        agreement_import(text=text, source_name="kungsbacka.yaml")

    assert "A physician task is never the kommun's" in str(raised.value.problems)


def test_a_private_performer_needs_its_kommun() -> None:
    performer = Organisation(
        name="X AB", kind=OrganisationKind.PRIVATE_PERFORMER, ownership=Ownership.PRIVATE
    )
    performer.region_id = 1
    with pytest.raises(ValidationError) as raised:
        performer.clean()
    assert "kommun" in raised.value.message_dict


# --- The file format and the schema ------------------------------------------------------------------


def test_the_demo_agreement_round_trips_its_new_settings(demo_version: AgreementVersion) -> None:
    text = agreement_export(version=demo_version)

    assert "time_bands:\n  - night" in text
    assert "physician_areas:" in text
    assert "housing_unit: Solgården" in text
    assert text.index("physician_areas:") < text.index("sections:")
    assert PhysicianArea.objects.filter(version=demo_version, housing_unit="Solgården").count() == 1
    night = ResponsibilityRule.objects.get(
        version=demo_version, task_type__code="iv_antibiotics", time_bands="night"
    )
    assert night.performs_party == PartyRef.ENROLMENT_KOMMUN


BASE = LOCAL_WITH_PERFORMER.replace(
    "    performs: {party: organisation, organisation: {name: Nattpatrullen Nordhalla Vård AB}}\n",
    "    performs: enrolment_kommun\n",
)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("time_bands: [night]", "time_bands: [midnight]"), "is not one of: day, evening, night"),
        (("time_bands: [night]", "time_bands: []"), "at least 1"),
        (("sections:", 'settings: {night_band_from: "25:00"}\nsections:'), "is not a time written as HH:MM"),
        (("sections:", "settings: {night_band_from: 960}\nsections:"), "Expected text"),
        (
            (
                "sections:",
                "physician_areas:\n  - {vardcentral: {name: Vårdcentralen Centrum Varberg},"
                " section: '1'}\nsections:",
            ),
            "Name the särskilt boende (housing_unit)",
        ),
        (
            (
                "sections:",
                "physician_areas:\n  - {vardcentral: {name: Vårdcentralen Centrum Varberg},"
                " postal_codes: ['4a'], section: '1'}\nsections:",
            ),
            "is not a postal code",
        ),
    ],
    ids=["unknown-band", "empty-bands", "bad-time", "unquoted-time", "area-without-place", "bad-postal-code"],
)
def test_the_schema_refuses_bad_new_settings(
    region_halland: World, demo_version: AgreementVersion, change: tuple[str, str], expected: str
) -> None:
    with pytest.raises(AgreementImportError) as raised:
        agreement_import(text=BASE.replace(*change), source_name="bad.yaml")
    assert expected in str(raised.value.problems)


def test_two_rules_sharing_a_band_are_refused_with_the_line(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    text = BASE + (
        "  - task: insulin_injection\n"
        "    time_bands: [evening, night]\n"
        "    orders: listed_vardcentral\n"
        "    performs: listed_vardcentral\n"
        "    follows_up: listed_vardcentral\n"
        '    section: "1"\n'
    )
    with pytest.raises(AgreementImportError) as raised:
        agreement_import(text=text, source_name="overlap.yaml")

    assert "Rule 1 already covers this task, housing setting, enrolment and time of day." in str(
        raised.value.problems
    )


def test_bands_in_the_wrong_order_are_refused(region_halland: World, demo_version: AgreementVersion) -> None:
    text = BASE.replace("sections:", 'settings: {evening_band_from: "06:00"}\nsections:')
    with pytest.raises(AgreementImportError) as raised:
        agreement_import(text=text, source_name="order.yaml")
    assert "Day, evening and night must start in that order." in str(raised.value.problems)


def test_an_agreement_without_the_new_settings_proposes_as_before(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    agreement_import(text=BASE.replace("    time_bands: [night]\n", ""), source_name="plain.yaml")
    patient = region_halland.patient(kommun="Kungsbacka kommun")
    proposal = propose(patient, ["insulin_injection"])["insulin_injection"]

    assert proposal.status == ProposalStatus.PROPOSED
    assert proposal.notes == ()
    assert names(proposal) == (CENTRUM, "Kungsbacka kommun", CENTRUM)


def test_the_shipped_night_patrol_agreement_names_the_private_performer(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    performer = _performer(region_halland)
    shipped = REGIONAL_FILE.parent / "kungsbacka_nattpatrull_lokal.yaml"
    agreement_import(text=shipped.read_text(encoding="utf-8"), source_name=shipped.name)
    patient = region_halland.patient(kommun="Kungsbacka kommun")
    proposals = propose(patient, ["b12_injection"], bands={"b12_injection": ["night"]})

    performs = proposals["b12_injection"].performs
    assert performs is not None
    assert performs.organisation is not None
    assert performs.organisation.id == performer.pk
    assert performs.principal is not None
    assert performs.principal.name == "Kungsbacka kommun"


def test_the_kommun_answers_in_review_for_its_private_performers_part(region_halland: World) -> None:
    """The performer is not a party of the case; its kommun, the principal, answers for what the
    proposal asks of it, so the review waits on someone who can see the case."""
    from cases.models import CaseTask, ProposalStatus, ResponsibilityCase
    from cases.selectors.facts import task_parties_for

    performer = _performer(region_halland)
    kommun = region_halland.orgs["Kungsbacka kommun"]
    case = ResponsibilityCase(pk=1, kommun_id=kommun.pk, vardcentral_id=None)
    task = CaseTask(
        pk=1,
        proposal_status=ProposalStatus.PROPOSED,
        proposal={
            "orders": {"organisation": {"id": str(kommun.public_id)}},
            "performs": {"organisation": {"id": str(performer.public_id)}},
            "follows_up": {"organisation": {"id": str(kommun.public_id)}},
        },
    )
    parties = task_parties_for([(case, [task])])[1]
    assert performer.pk not in parties.may_answer
    assert parties.awaited == frozenset({kommun.pk})


def test_the_area_vardcentral_becomes_the_cases_vardcentral(region_halland: World) -> None:
    """The vårdcentral the agreement names for the person's SÄBO unit gives the physician input: at
    submit it becomes the case's vårdcentral (a party that sees the case and answers for its part)."""
    from types import SimpleNamespace
    from typing import Any, cast

    from cases.models import ResponsibilityCase
    from cases.services.review import _physician_party_from_area

    listed, area = (Organisation(pk=pk, kind=OrganisationKind.VARDCENTRAL) for pk in (101, 102))
    kommun = SimpleNamespace(id=7, kind=OrganisationKind.KOMMUN)

    def proposal(*orgs: Any) -> Any:
        parts = [SimpleNamespace(organisation=o) if o is not None else None for o in orgs]
        return SimpleNamespace(orders=parts[0], performs=parts[1], follows_up=parts[2])

    def ref(org: Organisation) -> Any:
        return SimpleNamespace(id=org.pk, kind=org.kind)

    case = ResponsibilityCase(kommun_id=7, vardcentral_id=listed.pk)
    _physician_party_from_area(case, cast(Any, [proposal(ref(area), kommun, ref(area))]))
    assert case.vardcentral_id == area.pk
    # The listed vårdcentral named, or two named: the case keeps its vårdcentral.
    for proposals in ([proposal(ref(listed), kommun, None)], [proposal(ref(area), ref(listed), None)]):
        case = ResponsibilityCase(kommun_id=7, vardcentral_id=listed.pk)
        _physician_party_from_area(case, cast(Any, proposals))
        assert case.vardcentral_id == listed.pk


def test_the_kommun_of_stay_answers_for_its_part_and_the_home_kommun_for_any_other(
    region_halland: World,
) -> None:
    from cases.models import CaseTask, ProposalStatus, ResponsibilityCase
    from cases.policies import TaskParties
    from cases.selectors.facts import task_parties_for

    home, stay = region_halland.orgs["Kungsbacka kommun"], region_halland.orgs["Varbergs kommun"]
    other = region_halland.orgs["Falkenbergs kommun"]
    case = ResponsibilityCase(pk=1, kommun_id=home.pk, stay_kommun_id=stay.pk, vardcentral_id=None)

    def parties(kommun: Organisation) -> TaskParties:
        task = CaseTask(
            pk=1,
            proposal_status=ProposalStatus.PROPOSED,
            proposal={"performs": {"organisation": {"id": str(kommun.public_id)}}},
        )
        return task_parties_for([(case, [task])])[1]

    staying = parties(stay)
    assert staying.awaited == frozenset({stay.pk})  # asked, so it accepts or disputes
    assert home.pk not in staying.may_answer
    assert parties(other).awaited == frozenset({home.pk})
