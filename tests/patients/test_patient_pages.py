"""The patient pages apply the same access rule and log as the API."""

from __future__ import annotations

import pytest

from audit.models import AccessLogEntry, Outcome

pytestmark = pytest.mark.django_db


def test_page_shows_patient_to_care_relationship_and_logs(world, client):
    patient = world.patient(given_name="Astrid", family_name="Lind")
    client.force_login(world.users["nurse_a"])
    response = client.get(f"/patients/{patient.public_id}/")
    assert response.status_code == 200
    assert "Astrid Lind" in response.content.decode()
    assert AccessLogEntry.objects.filter(patient=patient, record_type="patient", action="read").count() == 1


@pytest.mark.parametrize("who", ["nurse_b", "gp_b", "admin"])
def test_page_is_404_for_others_and_logged_as_denied(world, client, who):
    patient = world.patient(given_name="Astrid", family_name="Lind")
    client.force_login(world.users[who])
    response = client.get(f"/patients/{patient.public_id}/")
    assert response.status_code == 404
    assert "Astrid" not in response.content.decode()
    assert AccessLogEntry.objects.get(patient=patient).outcome == Outcome.DENIED


def test_page_masks_protected_identity(world, client):
    patient = world.patient(protected=True, given_name="Hemlig", family_name="Person")
    client.force_login(world.users["coordinator_a"])
    page = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert "Hemlig" not in page
    assert patient.formatted_identity not in page
    listing = client.get("/patients/").content.decode()
    assert "Hemlig" not in listing


def test_list_page_needs_login(client):
    response = client.get("/patients/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
