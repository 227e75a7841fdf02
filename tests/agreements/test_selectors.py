"""The engine's loader: three queries, and the same facts the ORM sees."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import AgreementVersion, ResponsibilityRule
from agreements.selectors import escalation_ladder, patient_situation, responsibility_inputs_load
from patients.models import HousingSetting, Patient
from tests.fixtures.world import World

ON = datetime.date(2025, 6, 2)
TEN_TASKS = [
    "peritoneal_dialysis",
    "insulin_injection",
    "wound_care_extensive",
    "catheter_care",
    "blood_sampling_home",
    "physician_home_visit",
    "iv_antibiotics",
    "tracheostomy_care",
    "rehabilitation_physiotherapy",
    "blood_pressure_follow_up",
]


def test_ten_tasks_load_in_three_queries(region_halland: World, local_version: AgreementVersion) -> None:
    patient = Patient.objects.select_related("folkbokforing_kommun").get(pk=region_halland.patient().pk)
    situation = patient_situation(
        patient=patient, specialist_clinic_id=region_halland.orgs["Njurmedicin Halland"].pk
    )
    with CaptureQueriesContext(connection) as queries:
        inputs = responsibility_inputs_load(actor=None, situation=situation, task_codes=TEN_TASKS, on=ON)
    assert len(queries.captured_queries) == 3
    assert inputs.missing_codes(TEN_TASKS) == []


def test_the_loaded_rules_are_the_stored_rules(
    region_halland: World, local_version: AgreementVersion
) -> None:
    patient = Patient.objects.select_related("folkbokforing_kommun").get(pk=region_halland.patient().pk)
    situation = patient_situation(patient=patient)
    inputs = responsibility_inputs_load(
        actor=None, situation=situation, task_codes=[*TEN_TASKS, "no_such_task"], on=ON
    )
    assert inputs.missing_codes([*TEN_TASKS, "no_such_task"]) == ["no_such_task"]

    versions = {v.id: v for v in inputs.rules.versions}
    stored_versions = AgreementVersion.objects.filter(pk__in=versions)
    assert {v.pk for v in stored_versions} == {
        local_version.pk,
        local_version.agreement.versions.get().pk,
    } | {AgreementVersion.objects.get(agreement__code="halland-hemsjukvard").pk}
    for stored in stored_versions:
        loaded = versions[stored.pk]
        assert loaded.public_id == stored.public_id
        assert loaded.valid_from == stored.valid_from
        assert loaded.valid_to == stored.valid_to
        assert loaded.kommun_ids == frozenset(stored.kommuner.values_list("pk", flat=True))
        assert loaded.covered_housing_settings == frozenset(stored.covered_housing_settings)
        assert loaded.specificity == stored.agreement.specificity

    loaded_rules = {rule.id: rule for rules in inputs.rules.rules_by_task_type.values() for rule in rules}
    stored_rules = ResponsibilityRule.objects.filter(
        version__in=versions, task_type__code__in=TEN_TASKS
    ).select_related("section", "task_type")
    assert set(loaded_rules) == {rule.pk for rule in stored_rules}
    for stored_rule in stored_rules:
        loaded_rule = loaded_rules[stored_rule.pk]
        assert loaded_rule.public_id == stored_rule.public_id
        assert loaded_rule.orders.party == stored_rule.orders_party
        assert loaded_rule.orders.organisation_id == stored_rule.orders_organisation_id
        assert loaded_rule.conditions.risk_analysis_required is stored_rule.risk_analysis_required
        assert loaded_rule.conditions.max_duration_days == stored_rule.max_duration_days
        assert loaded_rule.section.number == stored_rule.section.number

    names = {o.name for o in inputs.rules.organisations.values()}
    assert {"Region Halland", "Varbergs kommun", "Vårdcentralen Centrum Varberg"} <= names
    assert {"Njurmedicin Halland", "Mobilt närsjukvårdsteam Halland"} <= names
    assert len(inputs.rules.mobile_team_ids) == 1


def test_situation_from_a_patient_without_annotation(region_halland: World) -> None:
    patient = region_halland.patient(housing=HousingSetting.SPECIAL_HOUSING)
    situation = patient_situation(patient=Patient.objects.get(pk=patient.pk))
    assert situation.open_enrolment_kommun_id == region_halland.orgs["Varbergs kommun"].pk
    assert situation.region_id == region_halland.orgs["Region Halland"].pk
    assert situation.housing_setting == HousingSetting.SPECIAL_HOUSING


def test_the_escalation_ladder_finds_the_local_joint_body(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    ladder = escalation_ladder(
        actor=None, version=demo_version, kommun_id=region_halland.orgs["Hylte kommun"].pk
    )
    assert [(step.level, step.body.name if step.body else None, step.deadline_days) for step in ladder] == [
        (1, "Lokal samverkan Hylte", 10),
        (2, "RUG Halland", 15),
        (3, "GNHH", 30),
    ]
    assert {step.day_kind for step in ladder} == {"working_days"}
