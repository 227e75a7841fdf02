"""Every PDF about a case names it by its case number (HSV-…), the number people quote on the phone, and
never by the UUID the system uses."""

from __future__ import annotations

import pytest

from cases.models import EscalationDecision
from directory.actor import Actor
from documents import services
from documents.models import DocumentContent, DocumentKind, DocumentStatus
from tests.fixtures.documents import CaseWorld, pdf_text

pytestmark = pytest.mark.django_db


def _text(actor, kind, source_id, captured) -> str:
    with captured(execute=True):
        document = services.document_request(actor=actor, kind=kind, source_id=source_id, language="sv")
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.failure_reason
    # A line may break inside the number ("HSV-2026-" / "000001"): compare the text without spaces.
    return "".join(pdf_text(bytes(DocumentContent.objects.get(document=document).content)).split())


def test_the_escalation_notice_the_risk_analysis_and_the_decision_notice_carry_the_number(
    drive, case_world: CaseWorld, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    case = case_world.case
    assert case.number.startswith("HSV-")
    nurse = Actor.for_user(case_world.world.users["nurse_a"])
    captured = django_capture_on_commit_callbacks

    analysed = case_world.analysis.case  # another case of the same patient
    for kind, source, of_case in (
        (DocumentKind.ESCALATION_NOTICE, case.public_id, case),
        (DocumentKind.RISK_ANALYSIS, case_world.analysis.public_id, analysed),
    ):
        text = _text(nurse, kind, source, captured)
        assert f"Ärende{of_case.number}" in text, kind
        assert str(of_case.public_id) not in text, kind

    case = drive.decide(case, reasons="Kommunen utför PD efter utbildning.")
    decision = EscalationDecision.objects.get(case=case, level=1)
    text = _text(nurse, DocumentKind.DECISION_NOTICE, decision.public_id, captured)
    assert f"Ärende{case.number}" in text
    assert str(case.public_id) not in text
