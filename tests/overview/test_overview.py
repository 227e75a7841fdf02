"""The patient overview: what each person sees of a patient's records in one place, that the read is
logged once, that nothing of a case the person may not open leaks, masking, pagination and that the
number of queries does not grow with the patient's history."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessLogEntry, Outcome, Purpose
from audit.records import RECORD_OVERVIEW
from cases.models import CaseStatus
from directory.actor import Actor
from overview import selectors
from patients.models import Patient
from tests.fixtures.agreements import WOUND
from tests.fixtures.clients import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(world, drive):
    """Karin, enrolled in kommun A. Her PD case was agreed while she was listed at vårdcentral A; she has
    since listed herself at vårdcentral B, where a wound-care case now awaits the GP's review."""
    patient = world.patient(given_name="Karin", family_name="Svensson")
    pd_case = drive.to(CaseStatus.AGREED, patient=patient)
    Patient.objects.filter(pk=patient.pk).update(listed_vardcentral=world.orgs["vc_b"])
    patient.refresh_from_db()
    wound_case = drive.submit(drive.open(patient=patient, tasks=(WOUND,), specialist_clinic=None))
    return patient, pd_case, wound_case


def _overview_rows(patient):
    return AccessLogEntry.objects.filter(patient=patient, record_type=RECORD_OVERVIEW)


def test_the_nurse_sees_every_case_analysis_and_date_and_the_read_is_logged_once(world, story):
    patient, pd_case, wound_case = story
    before = AccessLogEntry.objects.count()
    response = signed_in(world.users["nurse_a"]).get(f"/patients/{patient.public_id}/overview/")
    assert response.status_code == 200
    page = response.content.decode()
    assert pd_case.number in page
    assert wound_case.number in page
    assert "Riskanalys godkänd (version 1)" in page
    assert "Inskriven i hemsjukvården" in page
    assert "Kompetensöverföring" in page
    # One row for the whole overview, with the care relationship as its purpose.
    assert AccessLogEntry.objects.count() == before + 1
    (row,) = _overview_rows(patient)
    assert row.user == world.users["nurse_a"]
    assert row.outcome == Outcome.GRANTED
    assert row.purpose == Purpose.CARE_RELATIONSHIP


def test_the_gp_sees_only_the_case_of_their_own_vardcentral(world, api, story):
    patient, pd_case, wound_case = story
    page = signed_in(world.users["gp_b"]).get(f"/patients/{patient.public_id}/overview/").content.decode()
    assert wound_case.number in page
    assert pd_case.number not in page
    assert "Riskanalys godkänd" not in page
    body = api(world.users["gp_b"]).get(f"/api/v1/patients/{patient.public_id}/overview").json()
    assert pd_case.number not in str(body)
    assert str(pd_case.public_id) not in str(body)
    assert [d["reference"] for d in body["upcoming"] if d["kind"] == "case"] == [wound_case.number]
    assert {e["reference"] for e in body["results"] if e["kind"] == "case"} == {wound_case.number}


def test_another_kommun_gets_404_on_the_page_and_the_api_and_the_attempt_is_logged(world, api, story):
    patient, _pd, _wound = story
    assert (
        signed_in(world.users["nurse_b"]).get(f"/patients/{patient.public_id}/overview/").status_code == 404
    )
    response = api(world.users["nurse_b"]).get(f"/api/v1/patients/{patient.public_id}/overview")
    assert response.status_code == 404
    assert "error" in response.json()
    denied = _overview_rows(patient).filter(outcome=Outcome.DENIED)
    assert denied.count() == 2
    assert not _overview_rows(patient).filter(outcome=Outcome.GRANTED).exists()


def test_an_unknown_patient_is_the_same_404(world, api):
    missing = "00000000-0000-4000-8000-000000000000"
    assert signed_in(world.users["nurse_a"]).get(f"/patients/{missing}/overview/").status_code == 404
    assert api(world.users["nurse_a"]).get(f"/api/v1/patients/{missing}/overview").status_code == 404


def test_protected_identity_is_masked_for_the_coordinator_and_shown_to_the_nurse(world, drive):
    patient = world.patient(protected=True, given_name="Hemlig", family_name="Person")
    drive.submit(drive.open(patient=patient))
    masked = signed_in(world.users["coordinator_a"]).get(f"/patients/{patient.public_id}/overview/")
    assert masked.status_code == 200
    text = masked.content.decode()
    assert "Hemlig" not in text
    assert patient.formatted_identity not in text
    assert "Skyddad identitet" in text
    shown = signed_in(world.users["nurse_a"]).get(f"/patients/{patient.public_id}/overview/").content.decode()
    assert "Hemlig Person" in shown


def test_the_api_pages_the_timeline_and_refuses_pages_out_of_bounds(world, api, story):
    patient, _pd, _wound = story
    client = api(world.users["nurse_a"])
    first = client.get(f"/api/v1/patients/{patient.public_id}/overview", {"page_size": 3}).json()
    assert len(first["results"]) == 3
    assert first["count"] > 3
    assert first["next"]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    times = [e["at"] for e in first["results"] + second["results"]]
    assert times == sorted(times, reverse=True)
    assert not {(e["at"], e["what"]) for e in first["results"]} & {
        (e["at"], e["what"]) for e in second["results"]
    }
    for bad in ({"page_size": 0}, {"page_size": 51}, {"page": 0}, {"page": 51}, {"page": "two"}):
        response = client.get(f"/api/v1/patients/{patient.public_id}/overview", bad)
        assert response.status_code == 400, bad
        assert response.json()["error"]["fields"]


def test_the_upcoming_dates_are_in_date_order_with_the_passed_ones_overdue(world, story):
    patient, _pd, wound_case = story
    overview = selectors.patient_overview(
        actor=Actor.for_user(world.users["nurse_a"]), public_id=patient.public_id
    )
    days = [d.on for d in overview.coming]
    assert days == sorted(days)
    assert any(d.kind == selectors.Kind.CASE and d.reference == wound_case.number for d in overview.coming)
    assert any(d.kind == selectors.Kind.COMPETENCE_TRANSFER for d in overview.coming)
    type(wound_case).objects.filter(pk=wound_case.pk).update(due_at="2020-01-01T08:00:00Z")
    again = selectors.patient_overview(
        actor=Actor.for_user(world.users["nurse_a"]), public_id=patient.public_id
    )
    (deadline,) = [d for d in again.coming if d.kind == selectors.Kind.CASE]
    assert deadline.overdue


def _queries(actor, patient):
    with CaptureQueriesContext(connection) as captured:
        selectors.patient_overview(actor=actor, public_id=patient.public_id)
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_patients_history(
    world, drive, django_assert_max_num_queries
):
    actor = Actor.for_user(world.users["nurse_a"])
    patient = world.patient()
    drive.to(CaseStatus.AGREED, patient=patient)
    one = _queries(actor, patient)
    for _ in range(3):
        drive.to(CaseStatus.AGREED, patient=patient)
    drive.submit(drive.open(patient=patient, tasks=(WOUND,)))
    assert _queries(actor, patient) == one
    # The page: the session, the person and their memberships, then the overview in a fixed number.
    with django_assert_max_num_queries(50):
        response = signed_in(world.users["nurse_a"]).get(f"/patients/{patient.public_id}/overview/")
    assert response.status_code == 200
