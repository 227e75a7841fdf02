"""A downloaded PDF is named for people: what it is (in Swedish), the day it was made and a short id;
never the patient, never an internal version key."""

from __future__ import annotations

import datetime
import uuid

from documents.models import Document


def test_a_download_is_named_by_kind_day_and_a_short_id() -> None:
    source = uuid.UUID("3f2a9c1b-0000-4000-8000-000000000001")
    made = datetime.datetime(2026, 12, 6, 23, 30, tzinfo=datetime.UTC)  # 00:30 in Sweden
    version = "41-agreed-3-a0"
    sip = Document(
        kind="sip_care_plan", source_id=source, source_version=version, language="sv", created_at=made
    )
    assert sip.filename == "sip-vardplan-2026-12-07-3f2a9c1b.pdf"
    notice = Document(kind="decision_notice", source_id=source, language="en", created_at=made)
    assert notice.filename == "beslutsmeddelande-2026-12-07-3f2a9c1b-en.pdf"
    assert "41-agreed" not in sip.filename
