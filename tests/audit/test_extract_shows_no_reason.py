"""The patient's log extract shows which unit accessed the data and when, also for an emergency access,
but never the free-text reason given for it (PDL 8 kap. 5 § asks for units and times; the reason is
often about the patient's health and the coordinators producing the extract have no care relationship).
"""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from audit.extract import log_extract_create
from audit.models import AccessLogEntry, Purpose
from directory.actor import Actor
from documents.models import Document, DocumentContent, DocumentStatus
from documents.services import document_request
from hemsjukvard.celery import app as celery_app
from patients.selectors import patient_get_emergency

pytestmark = pytest.mark.django_db

REASON = "Misstänkt sepsis efter hivbehandling, anhörig ringde"


@pytest.fixture
def emergency(world):
    patient = world.patient(kommun="kommun_a", vardcentral="vc_a")
    patient_get_emergency(
        actor=Actor.for_user(world.users["gp_b"]), public_id=patient.public_id, reason=REASON
    )
    entry = AccessLogEntry.objects.get(patient=patient, purpose=Purpose.EMERGENCY_ACCESS)
    assert entry.reason == REASON
    return patient, entry


def _when(entry: AccessLogEntry) -> str:
    return timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize("producer", ["mas_a", "coordinator_a"])
def test_extract_page_shows_unit_and_time_not_the_reason(world, emergency, producer):
    patient, entry = emergency
    client = Client()
    client.force_login(world.users[producer])
    response = client.post(f"/access-log/patients/{patient.public_id}/extract")
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Vårdcentralen B" in text
    assert _when(entry) in text
    assert "sepsis" not in text
    assert REASON not in text


def test_extract_pdf_shows_unit_and_time_not_the_reason(world, emergency, django_capture_on_commit_callbacks):
    patient, entry = emergency
    actor = Actor.for_user(world.users["mas_a"])
    extract = log_extract_create(actor=actor, patient_public_id=patient.public_id)
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            document = document_request(
                actor=actor, kind="access_log_extract", source_id=extract.public_id, language="sv"
            )
    finally:
        celery_app.conf.task_always_eager = False
    document = Document.objects.get(pk=document.pk)
    assert document.status == DocumentStatus.READY, document.failure_reason
    pdf = bytes(DocumentContent.objects.get(document=document).content)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Vårdcentralen B" in text
    assert _when(entry) in text
    assert "sepsis" not in text
