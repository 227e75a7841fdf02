"""The decision notice (beslutsmeddelande): a joint body's decision as a PDF the worker renders, in
Swedish task names, with reasons, level and body, who decided and when, whether it binds, and what
follows; the patient's protected identity masked for a reader who may not see it."""

from __future__ import annotations

import pytest
from django.test import Client

from cases.models import EscalationDecision
from directory.actor import Actor
from documents import services
from documents.models import DocumentContent, DocumentKind, DocumentStatus
from tests.fixtures.documents import CaseWorld, pdf_text

pytestmark = pytest.mark.django_db


def _content(document) -> bytes:
    return bytes(DocumentContent.objects.get(document=document).content)


def _print(actor, decision, captured, language: str = "sv"):
    with captured(execute=True):
        document = services.document_request(
            actor=actor, kind=DocumentKind.DECISION_NOTICE, source_id=decision.public_id, language=language
        )
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.failure_reason
    return document


def test_a_recommendation_and_a_binding_decision_print(
    drive, case_world: CaseWorld, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    case = drive.decide(case_world.case, reasons="Kommunen utför PD efter utbildning.")
    recommendation = EscalationDecision.objects.get(case=case, level=1)
    nurse = Actor.for_user(case_world.world.users["nurse_a"])

    text = pdf_text(_content(_print(nurse, recommendation, django_capture_on_commit_callbacks)))
    for expected in (
        "Beslutsmeddelande, nivå 1",
        "Rekommendation",
        "Lokal samverkan A",
        "Peritonealdialys (PD)",
        "Njurmedicin Test",
        "A kommun",
        "Kommunen utför PD efter utbildning.",
        case_world.world.users["governance_lokal"].display_name,  # who decided
        "nivå 2",  # what follows: a party that does not accept may take the case to level 2
    ):
        assert expected in text, expected
    assert "peritoneal-dialysis" not in text

    # The decider, a member of the body, reads the case and prints the notice too.
    body = Actor.for_user(case_world.world.users["governance_lokal"])
    assert _print(body, recommendation, django_capture_on_commit_callbacks).pk

    # Not accepted, then RUG cannot settle, then GNHH decides: binding.
    case = drive.answer(case, by="gp_a", accept=False, reason="Vi godtar inte.")
    case = drive.escalate(case)
    case = drive.cannot_settle(case, by="governance")
    case = drive.decide(case, by="governance_gnhh", reasons="GNHH beslutar enligt § 5.3.")
    decision = EscalationDecision.objects.get(case=case, level=3)
    printed = _print(nurse, decision, django_capture_on_commit_callbacks)
    text = pdf_text(_content(printed))
    for expected in ("Bindande beslut", "GNHH Test", "GNHH beslutar enligt § 5.3.", "Riskanalys"):
        assert expected in text, expected
    # The footer names the print as a reader can quote it, never by an internal version key.
    assert f"Dokument {str(printed.public_id)[:8]}" in text
    assert "utskrivet" in text
    assert printed.source_version not in text
    # Listed on the case page with its decision.
    page = Client()
    page.force_login(case_world.world.users["nurse_a"])
    html = page.get(f"/cases/{case.public_id}/").content.decode()
    assert f"/documents/{printed.public_id}/" in html
    # A decision does not change: once its notice is made, the page offers no second one.
    assert f'value="{decision.public_id}"' not in html
    assert "Skapa beslutsmeddelandet (PDF)" not in html


def test_protected_identity_is_masked_on_the_decision_notice(
    drive, make_case_world, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    cw = make_case_world(protected=True, events=1)
    case = drive.decide(cw.case)
    decision = EscalationDecision.objects.get(case=case, level=1)
    specialist = Actor.for_user(cw.world.users["specialist"])
    masked = _print(specialist, decision, django_capture_on_commit_callbacks)
    assert masked.identity_masked
    text = pdf_text(_content(masked))
    assert "Öberg" not in text
    assert "********-****" in text


def test_every_body_that_handled_the_case_downloads_its_decision_notices_after_it_moved_on(
    drive, case_world: CaseWorld, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    """GNHH decides and the case is agreed: the body no longer stands on the case, but its members (and
    lokal samverkan's and RUG's) still read and download the notice of what they decided, logged."""
    from audit.models import AccessLogEntry, Outcome

    case = drive.decide(case_world.case, reasons="Kommunen utför PD.")
    case = drive.answer(case, by="gp_a", accept=False, reason="Vi godtar inte.")
    case = drive.escalate(case)
    case = drive.cannot_settle(case, by="governance")
    case = drive.decide(case, by="governance_gnhh", reasons="GNHH beslutar.")
    decision = EscalationDecision.objects.get(case=case, level=3)
    gnhh = case_world.world.users["governance_gnhh"]
    document = _print(Actor.for_user(gnhh), decision, django_capture_on_commit_callbacks)
    for key in ("governance_gnhh", "governance", "governance_lokal", "nurse_a"):
        browser = Client()
        browser.force_login(case_world.world.users[key])
        answer = browser.get(f"/documents/{document.public_id}/download/")
        assert answer.status_code == 200, key
        assert answer["Content-Type"] == "application/pdf"
    assert AccessLogEntry.objects.filter(
        user=gnhh, record_id=str(document.public_id), outcome=Outcome.GRANTED
    ).exists()
    # Someone who never handled the case still gets nothing.
    outsider = Client()
    outsider.force_login(case_world.world.users["gp_b"])
    assert outsider.get(f"/documents/{document.public_id}/download/").status_code == 404
