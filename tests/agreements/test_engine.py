"""The rule engine: the demo agreement's answers (domain brief §8), precedence, dates and hard rules."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence

import pytest

from agreements.choices import (
    AgreementScope,
    AgreementStatus,
    EnrolmentRequirement,
    PartyRef,
    ProposalBasis,
    ProposalStatus,
    TaskKind,
    UnclearReason,
)
from agreements.engine import (
    Conditions,
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
from agreements.models import AgreementVersion
from agreements.selectors import patient_situation, responsibility_inputs_load
from directory.models import Organisation, OrganisationKind
from patients.models import HousingSetting, Patient
from tests.fixtures.world import World

ON = datetime.date(2025, 6, 2)
VC = "Vårdcentralen Centrum Varberg"
KOMMUN = "Varbergs kommun"
NJUR = "Njurmedicin Halland"
INFEKTION = "Infektionskliniken Halland"
LUNG = "Lungmedicin Halland"
ASIH = "Palliativ enhet/ASIH Halland"
TEAM = "Mobilt närsjukvårdsteam Halland"


def propose(
    patient: Patient,
    codes: Sequence[str],
    *,
    on: datetime.date = ON,
    clinic: Organisation | None = None,
) -> dict[str, TaskProposal]:
    loaded = Patient.objects.select_related("folkbokforing_kommun").get(pk=patient.pk)
    situation = patient_situation(patient=loaded, specialist_clinic_id=clinic.pk if clinic else None)
    inputs = responsibility_inputs_load(actor=None, situation=situation, task_codes=codes, on=on)
    assert inputs.missing_codes(codes) == []
    proposals = rules_propose_split(
        situation=situation,
        task_types=[inputs.task_types[code] for code in codes],
        rules=inputs.rules,
        on=on,
    )
    return {proposal.task_type.code: proposal for proposal in proposals}


def names(proposal: TaskProposal) -> tuple[str | None, str | None, str | None]:
    def name(assignment: object) -> str | None:
        organisation = getattr(assignment, "organisation", None)
        return organisation.name if organisation is not None else None

    return (name(proposal.orders), name(proposal.performs), name(proposal.follows_up))


RISK_MAS = {"risk_analysis_required": True, "approver_role": "mas"}

# task, specialist clinic on the case, (orders, performs, follows up), conditions that must hold.
DEMO_ROWS = [
    ("physician_home_visit", None, (VC, VC, VC), {}),
    ("physician_emergency_visit", None, (VC, VC, VC), {}),
    ("medication_review", None, (VC, VC, VC), {}),
    ("medication_administration", None, (VC, KOMMUN, VC), {"delegation_allowed": True}),
    ("insulin_injection", None, (VC, KOMMUN, VC), {"delegation_allowed": True}),
    ("b12_injection", None, (VC, KOMMUN, VC), {"delegation_allowed": True}),
    ("wound_care_simple", None, (VC, KOMMUN, VC), {"risk_analysis_required": False}),
    ("catheter_care", None, (VC, KOMMUN, VC), {"risk_analysis_required": False}),
    ("stoma_care", None, (VC, KOMMUN, VC), {"risk_analysis_required": False}),
    ("blood_sampling_home", None, (VC, KOMMUN, VC), {"risk_analysis_required": False}),
    ("wound_care_extensive", None, (VC, KOMMUN, VC), RISK_MAS),
    ("wound_care_extensive", INFEKTION, (INFEKTION, KOMMUN, INFEKTION), RISK_MAS),
    (
        "peritoneal_dialysis",
        None,
        (NJUR, KOMMUN, NJUR),
        {
            **RISK_MAS,
            "specialist_active_role_required": True,
            "training_required": True,
            "contact_24_7_required": True,
        },
    ),
    (
        "parenteral_nutrition",
        NJUR,
        (NJUR, KOMMUN, NJUR),
        {**RISK_MAS, "training_required": True, "contact_24_7_required": True},
    ),
    (
        "iv_infusion_pump",
        NJUR,
        (NJUR, KOMMUN, NJUR),
        {**RISK_MAS, "training_required": True, "contact_24_7_required": True},
    ),
    ("iv_antibiotics", None, (INFEKTION, TEAM, INFEKTION), {"risk_analysis_required": False}),
    (
        "tracheostomy_care",
        None,
        (LUNG, KOMMUN, LUNG),
        {**RISK_MAS, "specialist_active_role_required": True, "training_required": True},
    ),
    (
        "home_ventilator",
        None,
        (LUNG, LUNG, LUNG),
        # Domain §8: a joint risk analysis that nobody in the kommun approves; MAS is informed.
        {
            "risk_analysis_required": True,
            "approver_role": "informed",
            "specialist_active_role_required": True,
        },
    ),
    ("venous_port_care", LUNG, (LUNG, KOMMUN, LUNG), {**RISK_MAS, "training_required": True}),
    ("drain_care", INFEKTION, (INFEKTION, KOMMUN, INFEKTION), {**RISK_MAS, "training_required": True}),
    ("blood_pressure_follow_up", NJUR, (NJUR, KOMMUN, NJUR), {}),
    ("rehabilitation_physiotherapy", None, (KOMMUN, KOMMUN, KOMMUN), {}),
    ("rehabilitation_occupational_therapy", None, (KOMMUN, KOMMUN, KOMMUN), {}),
    ("palliative_care_advanced", None, (ASIH, ASIH, ASIH), {}),
]


@pytest.mark.parametrize(
    ("code", "clinic", "expected", "conditions"),
    DEMO_ROWS,
    ids=[f"{row[0]}{'+' + row[1] if row[1] else ''}" for row in DEMO_ROWS],
)
def test_demo_row_for_an_enrolled_patient_in_ordinary_housing(
    region_halland: World,
    demo_version: AgreementVersion,
    code: str,
    clinic: str | None,
    expected: tuple[str, str, str],
    conditions: dict[str, object],
) -> None:
    patient = region_halland.patient()
    proposal = propose(patient, [code], clinic=region_halland.orgs[clinic] if clinic else None)[code]

    assert proposal.status == ProposalStatus.PROPOSED, proposal.message
    assert names(proposal) == expected
    for name, value in conditions.items():
        assert getattr(proposal.conditions, name) == value, name
    assert proposal.basis == ProposalBasis.AGREEMENT_RULE
    assert proposal.version is not None
    assert proposal.version.id == demo_version.pk
    assert proposal.rule is not None
    assert proposal.section is not None
    assert demo_version.sections.filter(public_id=proposal.section.public_id).exists()


def test_physician_tasks_are_never_the_kommuns_in_the_demo_agreement(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    codes = list(
        demo_version.rules.filter(task_type__kind=TaskKind.PHYSICIAN).values_list(
            "task_type__code", flat=True
        )
    )
    assert len(codes) >= 3
    for proposal in propose(region_halland.patient(), codes).values():
        kinds = {
            a.organisation.kind
            for a in (proposal.orders, proposal.performs, proposal.follows_up)
            if a and a.organisation
        }
        assert OrganisationKind.KOMMUN not in kinds


def test_specialist_results_are_reported_to_the_ordering_clinic(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    proposal = propose(
        region_halland.patient(), ["blood_pressure_follow_up"], clinic=region_halland.orgs[NJUR]
    )["blood_pressure_follow_up"]
    assert "tar emot resultaten" in proposal.conditions.note
    assert proposal.follows_up is not None
    assert proposal.follows_up.organisation is not None
    assert proposal.follows_up.organisation.name == NJUR


def test_review_date_follows_the_rules_maximum_duration(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    proposal = propose(region_halland.patient(), ["peritoneal_dialysis"])["peritoneal_dialysis"]
    assert proposal.conditions.max_duration_days == 180
    assert proposal.review_by == ON + datetime.timedelta(days=180)


def test_a_patient_who_can_visit_the_vardcentral_gets_only_the_kommuns_part_moved(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    """Tröskelprincipen moves what the kommun would do; the orderer stays (tests/agreements/
    test_threshold_principle.py has the rule's own tests)."""
    patient = region_halland.patient(enrolled=False)
    proposals = propose(
        patient,
        ["peritoneal_dialysis", "insulin_injection", "rehabilitation_physiotherapy", "iv_antibiotics"],
    )
    expected = {
        "peritoneal_dialysis": (NJUR, NJUR, NJUR),
        "insulin_injection": (VC, VC, VC),
        "rehabilitation_physiotherapy": (VC, VC, VC),
    }
    for code, split in expected.items():
        proposal = proposals[code]
        assert proposal.status == ProposalStatus.PROPOSED
        assert proposal.basis == ProposalBasis.THRESHOLD_PRINCIPLE
        assert names(proposal) == split
        assert proposal.section is not None
        assert proposal.section.number == "3.1"
        assert proposal.rule is not None
    antibiotics = proposals["iv_antibiotics"]
    assert antibiotics.basis == ProposalBasis.AGREEMENT_RULE
    assert names(antibiotics) == (INFEKTION, TEAM, INFEKTION)


def test_not_enrolled_and_not_listed_is_unclear_not_guessed(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    patient = region_halland.patient(enrolled=False, vardcentral=None)
    proposal = propose(patient, ["insulin_injection"])["insulin_injection"]
    assert (proposal.status, proposal.reason) == (
        ProposalStatus.UNCLEAR,
        UnclearReason.PARTY_UNRESOLVED,
    )
    assert proposal.basis == ProposalBasis.THRESHOLD_PRINCIPLE


def test_special_housing_without_enrolment_follows_the_agreement(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    patient = region_halland.patient(enrolled=False, housing=HousingSetting.SPECIAL_HOUSING)
    proposal = propose(patient, ["insulin_injection"])["insulin_injection"]
    assert proposal.basis == ProposalBasis.AGREEMENT_RULE
    assert names(proposal) == (VC, KOMMUN, VC)


def test_lss_housing_is_unclear_with_no_rule(region_halland: World, demo_version: AgreementVersion) -> None:
    for enrolled in (True, False):
        patient = region_halland.patient(housing=HousingSetting.LSS_HOUSING, enrolled=enrolled)
        proposals = propose(patient, ["insulin_injection", "physician_home_visit"])
        for proposal in proposals.values():
            assert (proposal.status, proposal.reason) == (
                ProposalStatus.UNCLEAR,
                UnclearReason.NO_RULE,
            )
            assert proposal.orders is None
            assert proposal.rule is None


def test_specialised_task_without_a_named_clinic_is_party_unresolved(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    proposal = propose(region_halland.patient(), ["parenteral_nutrition"])["parenteral_nutrition"]
    assert (proposal.status, proposal.reason) == (
        ProposalStatus.UNCLEAR,
        UnclearReason.PARTY_UNRESOLVED,
    )
    assert proposal.performs is not None
    assert proposal.performs.resolved
    assert proposal.orders is not None
    assert not proposal.orders.resolved
    assert proposal.rule is not None  # which rule needs the clinic is still said


def test_the_clinic_named_on_the_case_beats_the_rules_default(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    proposal = propose(region_halland.patient(), ["iv_antibiotics"], clinic=region_halland.orgs[NJUR])[
        "iv_antibiotics"
    ]
    assert names(proposal) == (NJUR, TEAM, NJUR)


def test_an_inactive_mobile_team_is_party_unresolved(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    Organisation.objects.filter(name=TEAM).update(is_active=False)
    proposal = propose(region_halland.patient(), ["iv_antibiotics"])["iv_antibiotics"]
    assert proposal.reason == UnclearReason.PARTY_UNRESOLVED


# --- Local agreements and dates --------------------------------------------------------------------


def test_local_agreement_beats_the_regional_rule(
    region_halland: World, local_version: AgreementVersion
) -> None:
    patient = region_halland.patient()  # listed at Vårdcentralen Centrum Varberg
    proposal = propose(patient, ["blood_sampling_home"])["blood_sampling_home"]
    assert names(proposal) == (VC, VC, VC)
    assert proposal.version is not None
    assert proposal.version.id == local_version.pk
    assert proposal.section is not None
    assert proposal.section.number == "2"


def test_local_agreement_does_not_reach_another_vardcentrals_patients(
    region_halland: World, local_version: AgreementVersion
) -> None:
    other = "Vårdcentralen Träslöv Varberg"
    proposal = propose(region_halland.patient(vardcentral=other), ["blood_sampling_home"])[
        "blood_sampling_home"
    ]
    assert names(proposal) == (other, KOMMUN, other)
    assert proposal.version is not None
    assert proposal.version.agreement_code == "halland-hemsjukvard"


def test_local_agreement_applies_only_from_its_start(
    region_halland: World, local_version: AgreementVersion
) -> None:
    before = propose(region_halland.patient(), ["blood_sampling_home"], on=datetime.date(2025, 2, 28))
    assert names(before["blood_sampling_home"]) == (VC, KOMMUN, VC)


def test_local_agreement_complements_for_tasks_it_does_not_name(
    region_halland: World, local_version: AgreementVersion
) -> None:
    proposal = propose(region_halland.patient(), ["insulin_injection"])["insulin_injection"]
    assert proposal.version is not None
    assert proposal.version.agreement_code == "halland-hemsjukvard"


def test_the_version_valid_at_the_date_is_used(region_halland: World, demo_version: AgreementVersion) -> None:
    from agreements.services import agreement_version_new_draft, agreement_version_put_in_force

    draft = agreement_version_new_draft(
        actor=None, source=demo_version, version="2026.1", valid_from=datetime.date(2026, 1, 1)
    )
    draft.rules.filter(task_type__code="b12_injection").update(delegation_allowed=False)
    agreement_version_put_in_force(actor=None, version=draft)
    patient = region_halland.patient()

    old = propose(patient, ["b12_injection"], on=datetime.date(2025, 12, 31))["b12_injection"]
    new = propose(patient, ["b12_injection"], on=datetime.date(2026, 1, 1))["b12_injection"]
    assert old.version is not None
    assert old.version.version == "2025.1"
    assert old.conditions.delegation_allowed is True
    assert new.version is not None
    assert new.version.version == "2026.1"
    assert new.conditions.delegation_allowed is False


def test_an_expired_agreement_is_not_used(region_halland: World, demo_version: AgreementVersion) -> None:
    AgreementVersion.objects.filter(pk=demo_version.pk).update(valid_to=datetime.date(2025, 12, 31))
    patient = region_halland.patient()
    assert (
        propose(patient, ["insulin_injection"], on=datetime.date(2025, 12, 31))["insulin_injection"].status
        == ProposalStatus.PROPOSED
    )
    expired = propose(patient, ["insulin_injection"], on=datetime.date(2026, 1, 1))["insulin_injection"]
    assert (expired.status, expired.reason) == (ProposalStatus.UNCLEAR, UnclearReason.NO_RULE)


def test_nothing_before_the_first_version(region_halland: World, demo_version: AgreementVersion) -> None:
    proposal = propose(region_halland.patient(), ["insulin_injection"], on=datetime.date(2024, 12, 31))
    assert proposal["insulin_injection"].reason == UnclearReason.NO_RULE


def test_a_kommun_that_is_not_a_party_gets_nothing(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    demo_version.kommuner.remove(region_halland.orgs["Halmstads kommun"])
    patient = region_halland.patient(kommun="Halmstads kommun", vardcentral="Vårdcentralen Centrum Halmstad")
    assert propose(patient, ["insulin_injection"])["insulin_injection"].reason == UnclearReason.NO_RULE


# --- The pure function, without a database ---------------------------------------------------------

REGION, KOMMUN_ID, VC_ID, CLINIC_ID, TEAM_ID = 1, 2, 3, 4, 5


def _organisations() -> dict[int, OrganisationRef]:
    kinds = {
        REGION: OrganisationKind.REGION,
        KOMMUN_ID: OrganisationKind.KOMMUN,
        VC_ID: OrganisationKind.VARDCENTRAL,
        CLINIC_ID: OrganisationKind.SPECIALIST_CLINIC,
        TEAM_ID: OrganisationKind.MOBILE_TEAM,
    }
    return {i: OrganisationRef(i, uuid.uuid4(), f"org {i}", kind) for i, kind in kinds.items()}


def _version(
    version_id: int,
    *,
    agreement_id: int = 1,
    valid_from: datetime.date = datetime.date(2025, 1, 1),
    valid_to: datetime.date | None = None,
    status: str = AgreementStatus.IN_FORCE,
    scope: str = AgreementScope.REGIONAL,
    local_vardcentral_id: int | None = None,
) -> VersionRef:
    return VersionRef(
        id=version_id,
        public_id=uuid.uuid4(),
        agreement_id=agreement_id,
        agreement_public_id=uuid.uuid4(),
        agreement_code=f"agreement-{agreement_id}",
        title="Överenskommelse",
        version=f"v{version_id}",
        status=status,
        valid_from=valid_from,
        valid_to=valid_to,
        scope=scope,
        region_id=REGION,
        kommun_ids=frozenset({KOMMUN_ID}),
        covered_housing_settings=frozenset({HousingSetting.ORDINARY_HOME}),
        local_kommun_id=KOMMUN_ID if scope == AgreementScope.LOCAL else None,
        local_vardcentral_id=local_vardcentral_id,
    )


TASK = TaskTypeRef(1, uuid.uuid4(), "wound_care_simple", "Sårvård", "Wound care", "nursing", "primary")
PHYSICIAN_TASK = TaskTypeRef(2, uuid.uuid4(), "visit", "Läkarbesök", "Visit", "physician", "primary")


def _rule(
    rule_id: int,
    version_id: int,
    *,
    task: TaskTypeRef = TASK,
    performs: str = PartyRef.ENROLMENT_KOMMUN,
    housing: str = "",
    enrolment: str = EnrolmentRequirement.ANY,
) -> RuleRef:
    return RuleRef(
        id=rule_id,
        public_id=uuid.uuid4(),
        version_id=version_id,
        task_type_id=task.id,
        housing_setting=housing,
        enrolment_requirement=enrolment,
        orders=PartySpec(PartyRef.LISTED_VARDCENTRAL),
        performs=PartySpec(performs),
        follows_up=PartySpec(PartyRef.LISTED_VARDCENTRAL),
        conditions=Conditions(),
        section=SectionRef(rule_id, uuid.uuid4(), f"{rule_id}", "Avsnitt"),
    )


SITUATION = PatientSituation(
    housing_setting=HousingSetting.ORDINARY_HOME,
    folkbokforing_kommun_id=KOMMUN_ID,
    open_enrolment_kommun_id=KOMMUN_ID,
    listed_vardcentral_id=VC_ID,
    region_id=REGION,
)


def _run(
    versions: Sequence[VersionRef],
    rules: Sequence[RuleRef],
    *,
    on: datetime.date = ON,
    task: TaskTypeRef = TASK,
) -> TaskProposal:
    rule_set = RuleSet(
        region_id=REGION,
        versions=tuple(versions),
        rules_by_task_type={task.id: tuple(rules)},
        organisations=_organisations(),
        mobile_team_ids=(TEAM_ID,),
    )
    [proposal] = rules_propose_split(situation=SITUATION, task_types=[task], rules=rule_set, on=on)
    return proposal


def test_engine_touches_no_database() -> None:
    # No ``db`` fixture: pytest-django refuses any query here, so every test in this part of the
    # module also proves that the engine reads nothing but its arguments.
    proposal = _run([_version(1)], [_rule(1, 1)])
    assert proposal.status == ProposalStatus.PROPOSED


def test_two_equally_specific_contradicting_rules_are_unclear() -> None:
    housing_rule = _rule(1, 1, housing=HousingSetting.ORDINARY_HOME)
    enrolment_rule = _rule(
        2, 1, enrolment=EnrolmentRequirement.ENROLLED, performs=PartyRef.LISTED_VARDCENTRAL
    )
    proposal = _run([_version(1)], [housing_rule, enrolment_rule])
    assert (proposal.status, proposal.reason) == (
        ProposalStatus.UNCLEAR,
        UnclearReason.CONFLICTING_RULES,
    )
    assert {rule.id for rule in proposal.candidate_rules} == {1, 2}
    assert proposal.rule is None


def test_equally_specific_rules_that_agree_are_not_a_conflict() -> None:
    proposal = _run(
        [_version(1)],
        [
            _rule(1, 1, housing=HousingSetting.ORDINARY_HOME),
            _rule(2, 1, enrolment=EnrolmentRequirement.ENROLLED),
        ],
    )
    assert proposal.status == ProposalStatus.PROPOSED


def test_the_more_specific_rule_wins() -> None:
    general = _rule(1, 1)
    specific = _rule(2, 1, housing=HousingSetting.ORDINARY_HOME, performs=PartyRef.MOBILE_TEAM)
    proposal = _run([_version(1)], [general, specific])
    assert proposal.rule is not None
    assert proposal.rule.id == 2
    assert proposal.performs is not None
    assert proposal.performs.organisation is not None
    assert proposal.performs.organisation.id == TEAM_ID


def test_a_local_agreement_beats_a_more_specific_regional_rule() -> None:
    regional = _rule(1, 1, housing=HousingSetting.ORDINARY_HOME, enrolment=EnrolmentRequirement.ENROLLED)
    local = _rule(2, 2, performs=PartyRef.LISTED_VARDCENTRAL)
    versions = [_version(1), _version(2, agreement_id=2, scope=AgreementScope.LOCAL)]
    proposal = _run(versions, [regional, local])
    assert proposal.rule is not None
    assert proposal.rule.id == 2


def test_a_local_agreement_with_a_vardcentral_beats_one_for_the_whole_kommun() -> None:
    kommun_wide = _rule(1, 1, performs=PartyRef.MOBILE_TEAM)
    with_vc = _rule(2, 2, performs=PartyRef.LISTED_VARDCENTRAL)
    versions = [
        _version(1, agreement_id=1, scope=AgreementScope.LOCAL),
        _version(2, agreement_id=2, scope=AgreementScope.LOCAL, local_vardcentral_id=VC_ID),
    ]
    assert _run(versions, [kommun_wide, with_vc]).rule.id == 2


def test_the_latest_started_version_supersedes_and_drafts_are_ignored() -> None:
    old = _version(1, valid_from=datetime.date(2024, 1, 1), status=AgreementStatus.SUPERSEDED)
    new = _version(2, valid_from=datetime.date(2025, 1, 1))
    draft = _version(3, valid_from=datetime.date(2025, 3, 1), status=AgreementStatus.DRAFT)
    rules = [_rule(1, 1), _rule(2, 2), _rule(3, 3)]
    assert _run([old, new, draft], rules, on=datetime.date(2024, 6, 1)).rule.id == 1
    assert _run([old, new, draft], rules, on=datetime.date(2025, 6, 1)).rule.id == 2


def test_an_ended_version_does_not_bring_back_its_predecessor() -> None:
    old = _version(1, valid_from=datetime.date(2024, 1, 1), status=AgreementStatus.SUPERSEDED)
    ended = _version(2, valid_from=datetime.date(2025, 1, 1), valid_to=datetime.date(2025, 3, 31))
    proposal = _run([old, ended], [_rule(1, 1), _rule(2, 2)], on=datetime.date(2025, 6, 1))
    assert proposal.reason == UnclearReason.NO_RULE


def test_a_physician_task_never_lands_on_a_kommun_even_if_a_rule_says_so() -> None:
    # Saving such a rule is refused; the engine guards anyway, should one reach it.
    bad = _rule(1, 1, task=PHYSICIAN_TASK, performs=PartyRef.ENROLMENT_KOMMUN)
    proposal = _run([_version(1)], [bad], task=PHYSICIAN_TASK)
    assert (proposal.status, proposal.reason) == (
        ProposalStatus.UNCLEAR,
        UnclearReason.PARTY_UNRESOLVED,
    )
