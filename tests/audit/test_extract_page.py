"""The patient's log extract page: its PDF is asked for once and said once, followed until it is ready
with a link to it, and named among the patient's documents by when the extract was made."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audit.documents import KIND
from audit.extract import log_extract_create
from audit.models import AccessLogEntry, Action
from directory.actor import Actor
from documents.models import Document, DocumentStatus
from tests.fixtures.clients import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def extract(world):
    patient = world.patient(kommun="kommun_a")
    return log_extract_create(actor=Actor.for_user(world.users["mas_a"]), patient_public_id=patient.public_id)


def test_asking_for_the_pdf_says_so_once_and_links_to_it_when_ready(world, extract):
    client = signed_in(world.users["mas_a"])
    url = f"/access-log/extracts/{extract.public_id}/"
    page = client.get(url).content.decode()
    # The way back, to the patient and to the patient's entries in the review.
    assert f'href="/patients/{extract.patient.public_id}/"' in page
    assert f"/access-log/?patient={extract.patient.public_id}" in page
    # The PDF is asked for like every other document, followed by htmx on the page.
    assert 'name="kind" value="access_log_extract"' in page
    response = client.post(
        "/documents/request/", {"kind": KIND, "source_id": str(extract.public_id), "next": url}, follow=True
    )
    page = response.content.decode()
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert page.count(messages[0]) == 1
    document = Document.objects.get(kind=KIND, source_id=extract.public_id)
    assert f"/documents/{document.public_id}/status/" in page  # polled until it is ready
    Document.objects.filter(pk=document.pk).update(
        status=DocumentStatus.READY, sha256="0" * 64, size=1000, page_count=1
    )
    page = client.get(url).content.decode()
    assert f"/documents/{document.public_id}/download/" in page
    # The extract's own route for the PDF says it once too.
    response = client.post(f"/access-log/extracts/{extract.public_id}/pdf", follow=True)
    assert response.content.decode().count("PDF-filen skapas") == 1


def test_the_page_logs_the_extract_read_once(world, extract):
    before = AccessLogEntry.objects.filter(record_type="access_log_extract", action=Action.READ).count()
    signed_in(world.users["mas_a"]).get(f"/access-log/extracts/{extract.public_id}/")
    after = AccessLogEntry.objects.filter(record_type="access_log_extract", action=Action.READ).count()
    assert after - before == 1


def test_the_pdf_is_named_by_when_the_extract_was_made(world, extract):
    from documents.services import document_request

    document = document_request(
        actor=Actor.for_user(world.users["mas_a"]), kind=KIND, source_id=extract.public_id, language="sv"
    )
    extract.refresh_from_db()
    assert document.source_version == timezone.localtime(extract.created_at).strftime("%Y-%m-%d %H:%M")
