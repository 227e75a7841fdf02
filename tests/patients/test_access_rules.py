"""Who sees which patient: every role, the right and the wrong organisation, and the log it leaves."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from access.patients import granting_membership, patient_facts
from audit.models import AccessLogEntry, Outcome
from cases.models import CaseStatus, ResponsibilityCase
from directory.actor import Actor
from patients.models import Enrolment, HousingSetting, Patient
from patients.selectors import patients_visible

pytestmark = pytest.mark.django_db


def _url(patient: Patient) -> str:
    return f"/api/v1/patients/{patient.public_id}"


@pytest.mark.parametrize(
    "who",
    ["nurse_a", "rehab_a", "mas_a", "mar_a", "coordinator_a", "gp_a"],
)
def test_right_organisation_sees_enrolled_patient_and_one_row_is_logged(world, api, who):
    patient = world.patient()
    before = AccessLogEntry.objects.count()
    response = api(world.users[who]).get(_url(patient))
    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(patient.public_id)
    assert AccessLogEntry.objects.count() == before + 1
    row = AccessLogEntry.objects.latest("id")
    assert row.user == world.users[who]
    assert row.patient == patient
    assert row.outcome == Outcome.GRANTED
    assert row.action == "read"
    assert row.organisation is not None
    assert row.role


@pytest.mark.parametrize(
    "who",
    [
        "nurse_b",
        "rehab_b",
        "mas_b",
        "mar_b",
        "coordinator_b",
        "gp_b",
        "specialist",
        "governance",
        "admin",
        "nobody",
    ],
)
def test_other_organisations_and_admin_get_404_and_the_attempt_is_logged_as_denied(world, api, who):
    patient = world.patient()
    response = api(world.users[who]).get(_url(patient))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    denied = AccessLogEntry.objects.get(user=world.users[who], patient=patient)
    assert denied.outcome == Outcome.DENIED


def test_unknown_patient_is_the_same_404(world, api):
    response = api(world.users["nurse_a"]).get("/api/v1/patients/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert AccessLogEntry.objects.filter(outcome=Outcome.DENIED, patient=None).count() == 1


def test_not_enrolled_patient_is_not_the_kommun_nurses_and_listing_is_the_vardcentrals(world, api):
    patient = world.patient(enrolled=False)
    assert api(world.users["nurse_a"]).get(_url(patient)).status_code == 404
    assert api(world.users["gp_a"]).get(_url(patient)).status_code == 200


@pytest.mark.parametrize("who", ["mas_a", "mar_a"])
def test_mas_of_a_kommun_cannot_read_a_folkbokford_person_with_no_kommun_care(world, api, who):
    """Need to know: most people folkbokförda in a kommun receive no kommunal hälso- och sjukvård, and
    its MAS and MAR have no business reading them."""
    patient = world.patient(enrolled=False)
    response = api(world.users[who]).get(_url(patient))
    assert response.status_code == 404
    assert AccessLogEntry.objects.get(user=world.users[who], patient=patient).outcome == Outcome.DENIED
    listed = api(world.users[who]).get("/api/v1/patients").json()["results"]
    assert str(patient.public_id) not in {row["id"] for row in listed}


def _with_ended_enrolment(world) -> Patient:
    patient = world.patient(enrolled=False)
    Enrolment.objects.create(
        patient=patient,
        kommun=world.orgs["kommun_a"],
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 6, 30),
        threshold_justification="Kan inte ta sig till vårdcentralen.",
        enrolled_by=world.users["nurse_a"],
    )
    return patient


@pytest.mark.parametrize("who", ["mas_a", "mar_a"])
def test_mas_follows_up_care_that_has_ended(world, halland, case_in, api, who):
    """An ended enrolment, or a closed case that asked the kommun, keeps the patient within reach of the
    kommun's MAS and MAR (a lex Maria investigation comes after the care), not of its nurses."""
    ended = _with_ended_enrolment(world)
    asked = world.patient()
    case = case_in(CaseStatus.IN_REVIEW, patient=asked)
    ResponsibilityCase.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=timezone.now())
    Enrolment.objects.filter(patient=asked).delete()  # only the closed case ties the patient to the kommun
    for patient in (ended, asked):
        assert api(world.users[who]).get(_url(patient)).status_code == 200
        assert api(world.users["nurse_a"]).get(_url(patient)).status_code == 404
        assert api(world.users["mas_b"]).get(_url(patient)).status_code == 404
    listed = {row["id"] for row in api(world.users[who]).get("/api/v1/patients").json()["results"]}
    assert {str(ended.public_id), str(asked.public_id)} <= listed


def test_special_housing_makes_the_kommun_principal_without_enrolment(world, api):
    patient = world.patient(enrolled=False, vardcentral=None, housing=HousingSetting.SPECIAL_HOUSING)
    assert api(world.users["nurse_a"]).get(_url(patient)).status_code == 200
    assert api(world.users["nurse_b"]).get(_url(patient)).status_code == 404


def test_list_shows_only_visible_patients_and_logs_each_one(world, api):
    mine = [world.patient(), world.patient()]
    world.patient(kommun="kommun_b", vardcentral="vc_b")
    response = api(world.users["nurse_a"]).get("/api/v1/patients")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {str(p.public_id) for p in mine}
    logged = AccessLogEntry.objects.filter(user=world.users["nurse_a"], action="list")
    assert sorted(logged.values_list("patient_id", flat=True)) == sorted(p.pk for p in mine)


def test_admin_lists_nothing(world, api):
    world.patient()
    response = api(world.users["admin"]).get("/api/v1/patients")
    assert response.json()["results"] == []


def test_search_by_personnummer_in_any_format(world, api):
    patient = world.patient()
    digits = patient.personal_identity
    for query in (digits, f"{digits[:8]}-{digits[8:]}", f"{digits[2:8]}-{digits[8:]}"):
        response = api(world.users["nurse_a"]).get("/api/v1/patients", {"search": query})
        assert [row["id"] for row in response.json()["results"]] == [str(patient.public_id)], query


def test_search_by_name(world, api):
    patient = world.patient(given_name="Märta", family_name="Åkesson")
    world.patient(given_name="Olle", family_name="Berg")
    response = api(world.users["gp_a"]).get("/api/v1/patients", {"search": "åkes"})
    assert [row["id"] for row in response.json()["results"]] == [str(patient.public_id)]


def test_database_filter_and_pure_rule_agree(world):
    """The list filter and the single-read rule are the same rule, for every user and patient shape."""
    patients = [
        world.patient(),
        world.patient(enrolled=False),
        _with_ended_enrolment(world),
        world.patient(kommun="kommun_b", vardcentral="vc_b"),
        world.patient(enrolled=False, vardcentral=None, housing=HousingSetting.SPECIAL_HOUSING),
        world.patient(kommun="kommun_b", vardcentral="vc_a", enrolled=False),
        world.patient(protected=True),
    ]
    for user in world.users.values():
        actor = Actor.for_user(user)
        visible = set(patients_visible(actor=actor).values_list("pk", flat=True))
        for patient in patients:
            allowed = granting_membership(actor, patient_facts(patient)) is not None
            assert allowed == (patient.pk in visible), (user.username, patient.pk)
