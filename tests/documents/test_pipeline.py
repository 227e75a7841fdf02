"""The PDF pipeline: the local-only URL fetcher, metadata, page numbers, masking, in-process rendering."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from directory.actor import Actor
from documents import services
from documents.models import Document, DocumentContent, DocumentStatus
from hemsjukvard import pdf
from hemsjukvard.pdf import ResourceRefusedError, static_path
from tests.fixtures.cases import CaseDriver
from tests.fixtures.documents import CaseWorld, pdf_pages_text, pdf_text


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/tracker.png",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        "https://static.hemsjukvard.invalid/../../etc/passwd",
        "https://static.hemsjukvard.invalid/%2e%2e/settings.py",
        "https://static.hemsjukvard.invalid/fonts/missing.ttf",
    ],
)
def test_fetcher_refuses_anything_but_own_static_files(url: str) -> None:
    with pytest.raises(ResourceRefusedError, match="Refused to fetch"):
        pdf.LocalStaticFetcher()(url)


def test_fetcher_serves_vendored_font() -> None:
    response = pdf.LocalStaticFetcher()(pdf.STATIC_ORIGIN + "fonts/DejaVuSans-Latin.ttf")
    assert response.read()[:4] == b"\x00\x01\x00\x00"
    assert static_path(pdf.STATIC_ORIGIN + "css/print.css").name == "print.css"


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="https://example.com/x.png" alt="">',
        '<img src="file:///etc/passwd" alt="">',
        '<div style="background: url(file:///etc/hostname)">x</div>',
        '<style>body { background: url("https://example.com/bg.png") }</style>',
    ],
)
def test_rendering_stops_on_a_refused_resource(markup: str) -> None:
    html = f'<!DOCTYPE html><html lang="sv"><head><title>t</title></head><body>{markup}</body></html>'
    with pytest.raises(ResourceRefusedError):
        pdf.pdf_from_html(html)


def _content(document: Document) -> bytes:
    return bytes(DocumentContent.objects.get(document=document).content)


def test_user_text_with_urls_stays_text(
    make_case_world, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    """A case background holding markup that would fetch things is printed as text and fetches nothing."""
    evil = '<img src="https://example.com/x.png"> <img src="file:///etc/passwd"> url(file:///etc/shadow)'
    cw = make_case_world(background=evil, events=1)
    actor = Actor.for_user(cw.world.users["nurse_a"])
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(
            actor=actor, kind="escalation_notice", source_id=cw.case.public_id, language="sv"
        )
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.failure_reason
    text = pdf_text(_content(document))
    assert "file:///etc/passwd" in text
    assert "https://example.com/x.png" in text


def test_embedded_default_renders_in_process(
    case_world: CaseWorld, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    actor = Actor.for_user(case_world.world.users["nurse_a"])
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(
            actor=actor, kind="risk_analysis", source_id=case_world.analysis.public_id, language="en"
        )
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.failure_reason
    assert document.attempts == 1
    content = _content(document)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == document.page_count
    assert reader.metadata is not None
    assert reader.metadata.title == "Risk analysis, version 2"
    assert reader.metadata.author == "A kommun"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data()
    assert b'pdfaid:part="3"' in raw
    assert b'pdfaid:conformance="U"' in raw
    assert b'pdfuaid:part="1"' in raw
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    text = pdf_text(content)
    for expected in (
        "Åsa Öberg",
        "Peritoneal dialysis",
        "Njurmedicin Test",  # orders and follows up PD
        "A kommun",  # performs
        "Peritonit vid felaktig aseptik",
        "Utbildning i aseptisk teknik",
        "Specialist Test",  # the signature
        "Approved",
        "2031-06-01",  # review date
        "Page 1 of",
    ):
        assert expected in text, expected
    assert document.sha256
    assert len(content) == document.size


def test_same_request_twice_gives_one_document(
    case_world: CaseWorld, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    actor = Actor.for_user(case_world.world.users["nurse_a"])
    with django_capture_on_commit_callbacks(execute=True):
        first = services.document_request(
            actor=actor, kind="risk_analysis", source_id=case_world.analysis.public_id, language="sv"
        )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = services.document_request(
            actor=actor, kind="risk_analysis", source_id=case_world.analysis.public_id, language="sv"
        )
    assert first.pk == second.pk
    assert callbacks == []  # nothing queued again
    assert Document.objects.count() == 1
    second.refresh_from_db()
    assert second.attempts == 1


def test_new_source_version_gives_new_document(
    case_world: CaseWorld, drive: CaseDriver, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    actor = Actor.for_user(case_world.world.users["nurse_a"])
    with django_capture_on_commit_callbacks(execute=True):
        first = services.document_request(
            actor=actor, kind="escalation_notice", source_id=case_world.case.public_id, language="sv"
        )
    drive.comment(case_world.case, "Ny kommentar")
    with django_capture_on_commit_callbacks(execute=True):
        second = services.document_request(
            actor=actor, kind="escalation_notice", source_id=case_world.case.public_id, language="sv"
        )
    assert first.pk != second.pk
    assert first.source_version != second.source_version


def test_ready_document_never_changes(
    case_world: CaseWorld, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    from django.db import DatabaseError, transaction

    actor = Actor.for_user(case_world.world.users["nurse_a"])
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(
            actor=actor, kind="risk_analysis", source_id=case_world.analysis.public_id, language="sv"
        )
    with pytest.raises(DatabaseError), transaction.atomic():
        Document.objects.filter(pk=document.pk).update(sha256="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        DocumentContent.objects.filter(document=document).update(content=b"%PDF-forged")


def test_protected_identity_is_masked_for_a_reader_who_may_not_see_it(
    make_case_world, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    cw = make_case_world(protected=True, events=40)
    specialist = Actor.for_user(cw.world.users["specialist"])  # on the case, may not see the identity
    nurse = Actor.for_user(cw.world.users["nurse_a"])  # enrolling kommun's nurse: may see it
    with django_capture_on_commit_callbacks(execute=True):
        masked = services.document_request(
            actor=specialist, kind="escalation_notice", source_id=cw.case.public_id, language="sv"
        )
    with django_capture_on_commit_callbacks(execute=True):
        plain = services.document_request(
            actor=nurse, kind="escalation_notice", source_id=cw.case.public_id, language="sv"
        )
    masked.refresh_from_db()
    plain.refresh_from_db()
    assert masked.identity_masked
    assert not plain.identity_masked
    assert masked.pk != plain.pk
    masked_pages = pdf_pages_text(_content(masked))
    assert len(masked_pages) >= 2
    full_text = "\n".join(masked_pages)
    assert "Öberg" not in full_text
    assert "Åsa" not in full_text
    assert cw.patient.personal_identity[:8] not in full_text
    for page in masked_pages:  # the masked identity is in the running header of every page
        assert "********-****" in page
    plain_pages = pdf_pages_text(_content(plain))
    for page in plain_pages:
        assert "Åsa Öberg" in page
        assert cw.patient.formatted_identity in page

    # The specialist cannot read the unmasked print at all.
    from django.http import Http404

    from documents import selectors

    with pytest.raises(Http404):
        selectors.document_get(actor=specialist, public_id=plain.public_id)
    assert selectors.document_get(actor=nurse, public_id=masked.public_id).pk == masked.pk


def test_failed_render_records_reason_and_request_again_requeues(
    case_world: CaseWorld, eager_celery: None, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from documents import services as document_services

    def broken(*args: object, **kwargs: object) -> object:
        raise pdf.ResourceRefusedError("Refused to fetch 'https://example.com/': test")

    monkeypatch.setattr(document_services, "render_pdf", broken)
    actor = Actor.for_user(case_world.world.users["nurse_a"])
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(
            actor=actor, kind="risk_analysis", source_id=case_world.analysis.public_id, language="sv"
        )
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert "Refused to fetch" in document.failure_reason
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.document_request(
            actor=actor, kind="risk_analysis", source_id=case_world.analysis.public_id, language="sv"
        )
    again.refresh_from_db()
    assert again.pk == document.pk
    assert again.status == DocumentStatus.READY
    assert again.attempts == 2
