"""The SIP care plan PDF, rendered synchronously through the documents pipeline (hemsjukvard.pdf) and
read back as text (with pypdf: poppler's pdftotext is not installed here)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from documents import services as document_services
from documents.models import DocumentContent, DocumentStatus
from sip import services
from tests.fixtures.sip import fill
from tests.fixtures.world import as_actor

pytestmark = pytest.mark.django_db


def _pdf_text(actor, version, *, language="sv") -> str:
    document = document_services.document_request(
        actor=actor, kind="sip_care_plan", source_id=version.public_id, language=language
    )
    outcome = document_services.document_render(document_id=document.pk, worker="test-sip")
    document.refresh_from_db()
    assert outcome.status == DocumentStatus.READY, document.failure_reason
    content = bytes(DocumentContent.objects.get(document=document).content)
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_care_plan_pdf_names_everything_the_person_needs(world, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    version = services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    text = _pdf_text(nurse, version)
    patient = sip_from_case.patient
    assert patient.full_name in text
    assert patient.formatted_identity in text
    # Every insats with the principal answering for it, in plain words.
    assert "Peritonealdialys (PD)" in text
    assert "Enkel sårvård" in text
    assert "A kommun (kommunen)" in text
    assert "Njurmedicin Test" in text
    assert "Huvudansvar" in text
    # Contact paths for each period, the follow-up date, consent.
    for words in (
        "Njurmedicin PD-jour dygnet runt",
        "035-222 22",
        "Hemsjukvården A kommun",
        "Kväll och natt",
    ):
        assert words in text
    assert version.follow_up_on.isoformat() in text
    assert "Karin Svensson" in text
    assert "Ditt samtycke" in text
    assert "Dottern Anna" in text
    assert "Försäkringskassan" in text
    # No internal codes on the patient's copy.
    for code in ("peritoneal-dialysis", "evening_night", "next_of_kin", "forsakringskassan", "finalised"):
        assert code not in text


def test_withdrawn_consent_is_shown_on_the_plan(world, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    version = services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    services.sip_withdraw_consent(
        actor=nurse,
        sip=sip_from_case,
        expected_revision=None,
        withdrawn_by="person",
        withdrawn_by_name="Karin Svensson",
        withdrawn_on=timezone.localdate(),
    )
    assert "Samtycke återkallat" in _pdf_text(nurse, version)


def test_protected_identity_is_masked_for_a_reader_who_may_not_see_it(world, case_in, nurse):
    from cases.models import CaseStatus
    from cases.selectors import case_get

    patient = world.patient(protected=True, given_name="Hemlig", family_name="Person")
    case = case_in(CaseStatus.AGREED, patient=patient)
    sip = services.sip_create_from_case(actor=nurse, case=case_get(actor=nurse, public_id=case.public_id))
    fill(sip, nurse, world)
    version = services.sip_finalise(actor=nurse, sip=sip, expected_revision=None)
    specialist_text = _pdf_text(as_actor(world, "specialist"), version)
    assert "Hemlig" not in specialist_text
    assert patient.formatted_identity not in specialist_text
    assert "Peritonealdialys (PD)" in specialist_text
    assert "Hemlig Person" in _pdf_text(nurse, version)


def test_the_plan_names_its_case_and_downloads_under_the_persons_name(world, sip_from_case, nurse, client):
    from documents.filenames import ascii_fold
    from documents.models import Document

    fill(sip_from_case, nurse, world)
    version = services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    text = _pdf_text(nurse, version)
    assert "Ärendenummer" in text  # the facts' names and values are laid out apart
    assert sip_from_case.case.number in "".join(text.split())

    document = Document.objects.get(kind="sip_care_plan", source_id=version.public_id)
    client.force_login(world.users["nurse_a"])
    response = client.get(f"/documents/{document.public_id}/download/")
    assert response.status_code == 200
    patient = sip_from_case.patient
    day = timezone.localdate(document.created_at).isoformat()
    name = ascii_fold(f"SIP-{patient.given_name}-{patient.family_name}-{day}-v{version.number}.pdf")
    assert response["Content-Disposition"].startswith(f'attachment; filename="{name}"; filename*=UTF-8')


def test_the_care_plan_pdf_says_who_what_and_when(world, sip_from_case, nurse, settings):
    """The person's copy: each insats in plain words with when it starts, how often and who reports to
    whom; who took part and how to reach them; the fast vårdkontakt and fast läkarkontakt; the 112/1177
    box with the plan's own 24/7 path; the statutes; and who has received the plan."""
    from agreements.models import CareTaskType
    from tests.fixtures.agreements import PD

    CareTaskType.objects.filter(code=PD).update(plain_name_sv="Hjälp med dialysen i hemmet")
    settings.SIP_SOL_CITATION = "SoL (2025:400) 10 kap. X §"
    fill(sip_from_case, nurse, world)
    draft = sip_from_case.versions.get()
    rows = [
        services.InsatsInput(
            description=i.description,
            responsible=i.responsible,
            orders=i.orders,
            follows_up=i.follows_up,
            task_type=i.task_type,
            starts_on=datetime.date(2031, 12, 8),
            frequency="dagligen kl 08 och 20" if n == 0 else "v. 50–52",
            reported_by="Kommunens sjuksköterska" if n == 0 else "",
            reported_to="beställande specialist" if n == 0 else "",
        )
        for n, i in enumerate(draft.insatser.order_by("position"))
    ]
    services.sip_update_draft(
        actor=nurse,
        sip=sip_from_case,
        expected_revision=None,
        changes=services.DraftChanges(fields={}, insatser=rows),
    )
    version = services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    services.sip_record_distribution(
        actor=nurse,
        sip=sip_from_case,
        expected_revision=None,
        recipient_kind="person",
        recipient_name="Karin Svensson",
        method="by_hand",
        given_on=timezone.localdate(),
    )
    text = _pdf_text(nurse, version)
    # When and how often, in plain words, and who reports the results to whom.
    assert "Hjälp med dialysen i hemmet (Peritonealdialys (PD))" in text
    for words in ("från 2031-12-08", "dagligen kl 08 och 20", "v. 50–52"):
        assert words in text
    assert "Kommunens sjuksköterska rapporterar resultaten till beställande specialist." in text
    # Who took part, whether they attended, how to reach them.
    assert "Deltog" in text
    assert "Ja, per telefon eller video" in text
    assert "070-123 45 67, anna.svensson@example.se" in text
    # The named contacts.
    # (the facts' names and values are laid out apart)
    assert "Din fasta vårdkontakt" in text
    assert "Eva Ek, Hemsjukvården A kommun, telefon 0340-111 12" in text
    assert "Din fasta läkarkontakt" in text
    assert "Lars Berg, Vårdcentralen A, telefon 0340-222 10" in text
    assert "Kommunsjuksköterska Eva Ek, 0340-111 11" in text
    # The emergency box with the plan's own path round the clock.
    assert "Om det är akut: ring 112. För rådgivning: ring 1177." in text
    assert "Kväll och natt: Njurmedicin PD-jour dygnet runt, 035-222 22" in text
    # The statutes, as data.
    assert "Planen upprättas enligt HSL (2017:30) 16 kap. 4 § och SoL (2025:400) 10 kap. X §." in text
    # Who has received it: recorded, not sent.
    assert "Vem som har fått planen" in text
    assert "Karin Svensson (Personen själv)" in text
    assert "Utlämnad" in text
    assert "Närvarande" not in text


def test_the_masked_pdf_hides_the_contact_details_of_the_person_and_next_of_kin(world, protected_sip, nurse):
    from tests.fixtures.sip import SECRET_EMAIL, SECRET_NAME, SECRET_PHONE

    version = services.sip_finalise(actor=nurse, sip=protected_sip, expected_revision=None)
    services.sip_record_distribution(
        actor=nurse,
        sip=protected_sip,
        expected_revision=None,
        recipient_kind="person",
        recipient_name=SECRET_NAME,
        method="post",
        given_on=timezone.localdate(),
    )
    masked = _pdf_text(as_actor(world, "specialist"), version)
    for secret in (SECRET_PHONE, SECRET_EMAIL, SECRET_NAME):
        assert secret not in masked
    assert "Med post" in masked
    assert "Eva Ek" in masked
    seen = _pdf_text(nurse, version)
    assert SECRET_NAME in seen
