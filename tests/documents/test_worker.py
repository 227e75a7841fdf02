"""A real Celery worker (prefork, Redis, the test database) renders documents, each exactly once."""

from __future__ import annotations

import io
import time

import pytest
from pypdf import PdfReader

from directory.actor import Actor
from documents import services
from documents.models import Document, DocumentContent, DocumentStatus
from tests.fixtures.documents import pdf_pages_text, pdf_text, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _content(document: Document) -> bytes:
    return bytes(DocumentContent.objects.get(document=document).content)


def test_worker_renders_each_kind(start_worker, make_case_world) -> None:
    start_worker("w1")
    cw = make_case_world(events=40)
    actor = Actor.for_user(cw.world.users["nurse_a"])
    notice = services.document_request(
        actor=actor, kind="escalation_notice", source_id=cw.case.public_id, language="sv"
    )
    analysis = services.document_request(
        actor=actor, kind="risk_analysis", source_id=cw.analysis.public_id, language="en"
    )
    notice = wait_for(notice)
    analysis = wait_for(analysis)

    content = _content(notice)
    pages = pdf_pages_text(content)
    assert notice.page_count == len(pages) >= 2
    for page in pages:
        assert "Åsa Öberg" in page  # the identity in the running header of every page
    text = pdf_text(content)
    for expected in (
        "Peritonealdialys (PD)",
        "Enkel sårvård",
        "Njurmedicin Test",
        "Vårdcentralen A",
        "Lokal samverkan A",  # the body addressed (the ladder's first level)
        "§ 5.3 Avancerad hemsjukvård",  # the rule cited
        "Vårdcentralen saknar kompetens för PD",  # the vårdcentral's position
        "Kommunen kan utföra PD efter utbildning",  # the kommun's position
        "Parterna är oense om PD.",  # the timeline
        cw.case.due_at.astimezone().strftime("%Y-%m-%d"),  # the deadline
    ):
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata.title == "Escalation notice, level 1" or reader.metadata.title.startswith("Eskal")
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert b'pdfaid:part="3"' in reader.xmp_metadata.stream.get_data()

    text = pdf_text(_content(analysis))
    for expected in (
        "Peritoneal dialysis",
        "Peritonit vid felaktig aseptik",
        "Specialist Test",
        "Mas.A Test",
    ):
        assert expected in text, expected
    assert notice.attempts == 1
    assert analysis.attempts == 1


def test_two_workers_racing_render_once(start_worker, make_case_world) -> None:
    from documents.tasks import render_document

    start_worker("w1")
    start_worker("w2")
    cw = make_case_world(events=5)
    actor = Actor.for_user(cw.world.users["nurse_a"])
    document = services.document_request(
        actor=actor, kind="risk_analysis", source_id=cw.analysis.public_id, language="sv"
    )
    for _ in range(5):  # duplicates of the message, as after a redelivery
        render_document.delay(document.pk)
    document = wait_for(document)
    time.sleep(3)  # let the duplicates run
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    assert document.attempts == 1
    assert DocumentContent.objects.filter(document=document).count() == 1


def test_whole_worker_killed_mid_render_is_ready_within_90_s_of_the_restart_rendered_once(
    start_worker, make_case_world
) -> None:
    """Production limits (a visibility timeout of minutes): the document does not wait for the broker to
    hand its message out again. The dead worker's claim is not renewed, the restarted worker's beat sweep
    finds it stale within the lease and queues the document again."""
    slow = start_worker("slow", DOCUMENTS_TEST_RENDER_DELAY="45")
    cw = make_case_world(events=5)
    actor = Actor.for_user(cw.world.users["nurse_a"])
    document = services.document_request(
        actor=actor, kind="escalation_notice", source_id=cw.case.public_id, language="sv"
    )
    wait_for(document, statuses=(DocumentStatus.RENDERING,), timeout=60)  # it holds the claim
    first_claim = Document.objects.get(pk=document.pk).claimed_at
    time.sleep(12)
    document.refresh_from_db()
    assert document.claimed_at > first_claim, "a live worker renews its claim while it renders"
    slow.kill()
    document.refresh_from_db()
    assert document.status == DocumentStatus.RENDERING
    assert document.attempts == 1

    restarted_at = time.monotonic()
    start_worker("restarted", beat=True)
    document = wait_for(document, timeout=90)
    assert time.monotonic() - restarted_at <= 90
    assert document.attempts == 2  # the killed claim and the one that finished
    assert DocumentContent.objects.filter(document=document).count() == 1
    assert "Åsa Öberg" in pdf_text(_content(document))
