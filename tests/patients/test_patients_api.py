"""Registering, correcting and enrolling patients through the API, and what bad input gets back."""

from __future__ import annotations

import pytest

from audit.models import AccessLogEntry
from patients.models import Enrolment, Patient
from tests.fixtures.world import make_personnummer

pytestmark = pytest.mark.django_db


def _new_patient(world, **overrides):
    body = {
        "personal_identity": make_personnummer("19380405"),
        "given_name": "Ingrid",
        "family_name": "Larsson",
        "folkbokforing_kommun": str(world.orgs["kommun_a"].public_id),
        "listed_vardcentral": str(world.orgs["vc_a"].public_id),
        "enrolment": {
            "kommun": str(world.orgs["kommun_a"].public_id),
            "starts_on": "2026-11-01",
            "threshold_justification": "Kan inte ta sig till vårdcentralen ens med stöd.",
        },
    }
    body.update(overrides)
    return body


def test_nurse_registers_and_enrols_a_patient(world, api):
    # The answer is a receipt, the same as for a personnummer registered elsewhere
    # (test_registration.py); the nurse then finds her new patient by personnummer.
    client = api(world.users["nurse_a"])
    new = _new_patient(world)
    response = client.post("/api/v1/patients", new, format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "received"
    (body,) = client.get("/api/v1/patients", {"search": new["personal_identity"]}).json()["results"]
    assert body["enrolled"] is True
    assert body["personal_identity"].count("-") == 1
    patient = Patient.objects.get(public_id=body["id"])
    assert Enrolment.objects.get(patient=patient).enrolled_by == world.users["nurse_a"]
    assert AccessLogEntry.objects.filter(patient=patient, action="create").count() == 2


def test_wrong_checksum_is_a_400_naming_the_field_in_swedish(world, api):
    body = _new_patient(world, personal_identity="19121212-1213")
    response = api(world.users["nurse_a"]).post(
        "/api/v1/patients", body, format="json", HTTP_ACCEPT_LANGUAGE="sv"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "kontrollsiffra" in error["fields"]["personal_identity"][0].lower()
    assert not Patient.objects.exists()


def test_missing_justification_writes_nothing(world, api):
    body = _new_patient(world)
    body["enrolment"]["threshold_justification"] = "   "
    response = api(world.users["nurse_a"]).post("/api/v1/patients", body, format="json")
    assert response.status_code == 400
    assert not Patient.objects.exists()
    assert not Enrolment.objects.exists()


def test_registering_outside_ones_care_relationship_is_refused_and_nothing_kept(world, api):
    body = _new_patient(world)
    del body["enrolment"]
    del body["listed_vardcentral"]
    response = api(world.users["nurse_a"]).post("/api/v1/patients", body, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["error"]["fields"]
    assert not Patient.objects.exists()


def test_duplicate_personnummer_of_ones_own_patient_is_a_409_pointing_to_them(world, api):
    # Only for someone who may see the patient anyway; anyone else gets the answer to a new patient
    # (test_registration.py).
    existing = world.patient()
    body = _new_patient(world, personal_identity=existing.formatted_identity)
    response = api(world.users["nurse_a"]).post("/api/v1/patients", body, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_registered"
    assert response.json()["error"]["patient"] == str(existing.public_id)
    assert Patient.objects.count() == 1


def test_enrolling_in_another_kommun_is_forbidden(world, api):
    body = _new_patient(world)
    body["enrolment"]["kommun"] = str(world.orgs["kommun_b"].public_id)
    response = api(world.users["nurse_a"]).post("/api/v1/patients", body, format="json")
    assert response.status_code == 403
    assert not Patient.objects.exists()


def test_admin_cannot_register_patients(world, api):
    response = api(world.users["admin"]).post("/api/v1/patients", _new_patient(world), format="json")
    assert response.status_code == 403


def test_update_needs_if_match_and_a_stale_etag_writes_nothing(world, api):
    patient = world.patient()
    client = api(world.users["nurse_a"])
    url = f"/api/v1/patients/{patient.public_id}"
    etag = client.get(url).headers["ETag"]
    assert client.patch(url, {"city": "Falkenberg"}, format="json").status_code == 428
    assert (
        client.patch(url, {"city": "Falkenberg"}, format="json", HTTP_IF_MATCH='"stale"').status_code == 412
    )
    patient.refresh_from_db()
    assert patient.city == "Varberg"
    response = client.patch(url, {"city": "Falkenberg"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response.json()["city"] == "Falkenberg"
    assert response.headers["ETag"] != etag
    # the old ETag is now stale
    assert client.patch(url, {"city": "Varberg"}, format="json", HTTP_IF_MATCH=etag).status_code == 412


def test_second_open_enrolment_is_refused(world, api):
    patient = world.patient()
    response = api(world.users["nurse_a"]).post(
        f"/api/v1/patients/{patient.public_id}/enrolments",
        {
            "kommun": str(world.orgs["kommun_a"].public_id),
            "starts_on": "2026-11-01",
            "threshold_justification": "x",
        },
        format="json",
    )
    assert response.status_code == 400
    assert Enrolment.objects.filter(patient=patient).count() == 1


def test_end_enrolment_then_reenrol(world, api):
    patient = world.patient()
    client = api(world.users["nurse_a"])
    enrolment = Enrolment.objects.get(patient=patient)
    etag = client.get(f"/api/v1/enrolments/{enrolment.public_id}")["ETag"]
    response = client.post(
        f"/api/v1/enrolments/{enrolment.public_id}/end",
        {"ends_on": "2026-11-20", "reason": "Flyttat."},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["ends_on"] == "2026-11-20"
    # the nurse no longer has a care relationship: the patient is gone from her view
    assert client.get(f"/api/v1/patients/{patient.public_id}").status_code == 404
    assert (
        api(world.users["mas_a"]).get(f"/api/v1/patients/{patient.public_id}/enrolments").status_code == 200
    )


def test_enrolment_of_another_kommun_is_404(world, api):
    patient = world.patient()
    enrolment = Enrolment.objects.get(patient=patient)
    response = api(world.users["nurse_b"]).post(
        f"/api/v1/enrolments/{enrolment.public_id}/end",
        {"ends_on": "2026-11-20", "reason": "x"},
        format="json",
    )
    assert response.status_code == 404


def test_token_endpoint_and_me(world, client):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "nurse.a", "password": "test-password-long"},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["username"] == "nurse.a"
    assert [m["role"] for m in me["memberships"]] == ["nurse"]
    bad = client.post(
        "/api/v1/auth/token",
        {"username": "nurse.a", "password": "wrong"},
        content_type="application/json",
    )
    assert bad.status_code == 401
    assert bad.json()["error"]["message"]
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401


def test_unauthenticated_is_401_json(client):
    response = client.get("/api/v1/patients")
    assert response.status_code in (401, 403)
    assert "error" in response.json()
