"""A downloaded PDF is named for people: what it is (in Swedish), the day it was made and a short id,
never an internal version key; a SIP, which is handed to the person, carries their name unless the
identity is protected."""

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


def _sip_document(*, given: str, family: str, protected: bool, masked: bool = False, version: str = "1"):
    from patients.models import Patient

    patient = Patient(given_name=given, family_name=family, protected_identity=protected)
    return Document(
        kind="sip_care_plan",
        source_id=uuid.UUID("3f2a9c1b-0000-4000-8000-000000000001"),
        source_version=version,
        language="sv",
        identity_masked=masked,
        patient=patient,
        created_at=datetime.datetime(2026, 12, 6, 9, 0, tzinfo=datetime.UTC),
    )


def test_a_sip_is_named_for_the_person_it_is_handed_to() -> None:
    from documents.filenames import content_disposition, download_name

    sip = _sip_document(given="Marta", family="Axelsson", protected=False)
    assert download_name(sip) == "SIP-Marta-Axelsson-2026-12-06-v1.pdf"
    # The version number only, never the key of a later withdrawal of consent.
    later = _sip_document(given="Marta", family="Axelsson", protected=False, version="2-17")
    assert download_name(later) == "SIP-Marta-Axelsson-2026-12-06-v2.pdf"

    swedish = _sip_document(given="Märta Åsa", family="Öberg-Ström", protected=False)
    assert download_name(swedish) == "SIP-Märta-Åsa-Öberg-Ström-2026-12-06-v1.pdf"
    header = content_disposition(swedish)
    assert header.startswith('attachment; filename="SIP-Marta-Asa-Oberg-Strom-2026-12-06-v1.pdf"; ')
    assert "filename*=UTF-8''SIP-M%C3%A4rta-%C3%85sa-%C3%96berg-Str%C3%B6m-2026-12-06-v1.pdf" in header
    assert header.isascii()


def test_a_sip_never_names_a_person_with_protected_identity() -> None:
    from documents.filenames import content_disposition, download_name

    for document in (
        _sip_document(given="Greta", family="Hemlig", protected=True),  # even a reader who may see her
        _sip_document(given="Greta", family="Hemlig", protected=True, masked=True),
    ):
        assert download_name(document) == "SIP-skyddad-identitet-2026-12-06-v1.pdf"
        assert "Hemlig" not in content_disposition(document)


def test_a_name_cannot_break_the_header() -> None:
    from documents.filenames import content_disposition

    odd = _sip_document(given='Ann "Nina"', family="O'Brien/..\\x;y", protected=False)
    header = content_disposition(odd)
    assert header.startswith('attachment; filename="SIP-Ann-Nina-O-Brien-x-y-2026-12-06-v1.pdf"; filename*=')
    assert "\n" not in header
    assert header.count('"') == 2
