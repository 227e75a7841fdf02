"""The patient's log extract (PDL 8 kap. 5 §) made over the API: the page's rule and log, and the PDF
fetched through the documents API."""

from __future__ import annotations

import uuid

import pytest

from audit.models import AccessLogEntry, AccessLogExtract, Action, Outcome
from audit.records import RECORD_EXTRACT
from documents.models import Document

pytestmark = pytest.mark.django_db


def _make(api, user, patient, **headers):
    return api(user).post(
        f"/api/v1/patients/{patient.public_id}/log-extract",
        {"language": "sv"},
        format="json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )


def test_mas_makes_the_extract_and_fetches_its_pdf_through_the_documents_api(
    world, api, django_capture_on_commit_callbacks
):
    patient = world.patient()
    mas = world.users["mas_a"]
    with django_capture_on_commit_callbacks(execute=True):
        answer = _make(api, mas, patient)
    assert answer.status_code == 202, answer.content
    assert answer.json()["kind"] == "access_log_extract"
    [extract] = AccessLogExtract.objects.filter(patient=patient)
    assert extract.requested_by == mas
    made = AccessLogEntry.objects.filter(
        patient=patient, record_type=RECORD_EXTRACT, record_id=str(extract.public_id), action=Action.CREATE
    )
    assert made.filter(user=mas, outcome=Outcome.GRANTED).count() == 1

    document_id = answer.json()["id"]
    status = api(mas).get(f"/api/v1/documents/{document_id}")
    assert status.json()["status"] == "ready", status.json()
    pdf = api(mas).get(f"/api/v1/documents/{document_id}/download")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_a_retry_with_the_same_key_makes_one_extract(world, api):
    patient = world.patient()
    key = str(uuid.uuid4())
    first = _make(api, world.users["mas_a"], patient, **{"Idempotency-Key": key})
    again = _make(api, world.users["mas_a"], patient, **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert AccessLogExtract.objects.filter(patient=patient).count() == 1


def test_a_nurse_who_sees_the_patient_is_refused_and_nothing_is_made(world, api):
    patient = world.patient()
    answer = _make(api, world.users["nurse_a"], patient)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "permission_denied"
    assert not AccessLogExtract.objects.filter(patient=patient).exists()
    assert not Document.objects.filter(kind="access_log_extract").exists()


def test_another_kommun_gets_404_and_the_attempt_is_logged(world, api):
    patient = world.patient()
    answer = _make(api, world.users["mas_b"], patient)
    assert answer.status_code == 404
    assert not AccessLogExtract.objects.filter(patient=patient).exists()
    denied = AccessLogEntry.objects.filter(
        patient=patient, user=world.users["mas_b"], record_type=RECORD_EXTRACT, outcome=Outcome.DENIED
    )
    assert denied.count() == 1


def test_a_bad_language_is_a_400_naming_the_field(world, api):
    answer = api(world.users["mas_a"]).post(
        f"/api/v1/patients/{world.patient().public_id}/log-extract", {"language": "fi"}, format="json"
    )
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"language"}
