"""The patient page's documents, and the document progress poll's access log."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.http import Http404

from audit.models import AccessLogEntry, Action, Outcome, Purpose
from directory.actor import Actor
from documents import selectors
from documents.models import Document, DocumentContent, DocumentKind, DocumentStatus
from patients.selectors import patient_get
from tests.documents.real_sources import source_of

pytestmark = pytest.mark.django_db


def make_document(
    world, patient, *, status=DocumentStatus.QUEUED, kind=DocumentKind.SIP_CARE_PLAN, case_in=None, **extra
):
    fields = {
        "kind": kind,
        "source_id": extra.pop("source_id", None) or source_of(world, patient, kind, case_in=case_in),
        "source_version": extra.pop("source_version", "1"),
        "language": "sv",
        "patient": patient,
        "requested_by": world.users["nurse_a"],
        "requested_by_organisation": world.orgs["kommun_a"],
        "status": status,
        **extra,
    }
    if status == DocumentStatus.READY:
        fields.update(sha256=hashlib.sha256(b"%PDF-").hexdigest(), size=5, page_count=1)
    if status == DocumentStatus.FAILED:
        fields["failure_reason"] = "WeasyPrint failed"
    document = Document.objects.create(**fields)
    if status == DocumentStatus.READY:
        DocumentContent.objects.create(document=document, content=b"%PDF-")
    return document


def test_patient_page_lists_documents_with_status_and_download_for_ready_ones(world, client, case_in):
    patient = world.patient()
    ready = make_document(world, patient, status=DocumentStatus.READY, source_version="2")
    queued = make_document(
        world, patient, kind=DocumentKind.ESCALATION_NOTICE, source_version="3-e7", case_in=case_in
    )
    failed = make_document(
        world, patient, kind=DocumentKind.RISK_ANALYSIS, status=DocumentStatus.FAILED, case_in=case_in
    )
    client.force_login(world.users["nurse_a"])
    page = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert 'id="documents-heading">Dokument<' in page
    for text in ("SIP", "Eskaleringsunderlag", "Riskanalys", "3-e7", "Klart", "I kö", "Misslyckades"):
        assert text in page, text
    assert f"/documents/{ready.public_id}/download/" in page
    assert f"/documents/{queued.public_id}/download/" not in page
    assert f"/documents/{failed.public_id}/download/" not in page
    listed = AccessLogEntry.objects.filter(
        user=world.users["nurse_a"], record_type="document", action=Action.LIST, outcome=Outcome.GRANTED
    )
    assert set(listed.values_list("record_id", flat=True)) == {
        str(d.public_id) for d in (ready, queued, failed)
    }
    assert set(listed.values_list("organisation", flat=True)) == {world.orgs["kommun_a"].pk}


def test_patient_page_without_documents_says_so(world, client):
    patient = world.patient()
    client.force_login(world.users["gp_a"])
    page = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert "Inga dokument ännu." in page


def test_unmasked_print_of_protected_patient_is_listed_only_for_those_who_see_the_identity(world, client):
    patient = world.patient(protected=True)
    unmasked = make_document(world, patient, status=DocumentStatus.READY)
    masked = make_document(world, patient, status=DocumentStatus.READY, identity_masked=True)
    client.force_login(world.users["nurse_a"])  # enrolling kommun's nurse: sees the identity
    page = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert str(unmasked.public_id) in page
    assert str(masked.public_id) in page
    client.force_login(world.users["coordinator_a"])  # sees the patient, not the identity
    page = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert str(masked.public_id) in page
    assert str(unmasked.public_id) not in page
    assert not AccessLogEntry.objects.filter(
        user=world.users["coordinator_a"], record_id=str(unmasked.public_id)
    ).exists()


@pytest.mark.parametrize("who", ["nurse_b", "gp_b", "admin"])
def test_other_organisations_get_404_and_no_document_is_listed(world, client, who):
    patient = world.patient()
    document = make_document(world, patient, status=DocumentStatus.READY)
    client.force_login(world.users[who])
    response = client.get(f"/patients/{patient.public_id}/")
    assert response.status_code == 404
    assert str(document.public_id) not in response.content.decode()
    assert not AccessLogEntry.objects.filter(user=world.users[who], record_type="document").exists()


def test_selector_refuses_a_patient_the_actor_may_not_see_and_logs_it(world):
    patient = world.patient()
    make_document(world, patient)
    with pytest.raises(Http404):
        selectors.documents_for_patient(actor=Actor.for_user(world.users["nurse_b"]), patient=patient)
    entry = AccessLogEntry.objects.get(user=world.users["nurse_b"])
    assert (entry.record_type, entry.outcome, entry.patient_id) == ("document", Outcome.DENIED, patient.pk)


def test_selector_query_count_does_not_grow_with_documents(world, django_assert_num_queries):
    patient = world.patient()
    actor = Actor.for_user(world.users["nurse_a"])
    read = patient_get(actor=actor, public_id=patient.public_id)
    make_document(world, patient)
    # The patient's cases (the rule), the documents, the SIP's rule (its versions, owner and finalised
    # versions), the log.
    with django_assert_num_queries(6):
        assert len(selectors.documents_for_patient(actor=actor, patient=read)) == 1
    for index in range(15):
        make_document(world, patient, source_version=f"v{index}")
    with django_assert_num_queries(6):
        assert len(selectors.documents_for_patient(actor=actor, patient=read)) == 16


# --- The progress poll ---------------------------------------------------------------------------------


def _document_rows(document, **filters):
    return AccessLogEntry.objects.filter(record_type="document", record_id=str(document.public_id), **filters)


def test_every_poll_of_a_rendering_document_is_logged(world, client):
    """What the fragment shows is metadata of a record about the patient: every poll is a read and
    writes its row (polls used to be folded into one row per five minutes)."""
    patient = world.patient()
    document = make_document(world, patient, status=DocumentStatus.RENDERING)
    client.force_login(world.users["nurse_a"])
    for _ in range(30):
        response = client.get(f"/documents/{document.public_id}/status/")
        assert response.status_code == 200
        assert "hx-get" in response.content.decode()  # still polling
    rows = _document_rows(document)
    assert rows.count() == 30
    for entry in rows:
        assert (entry.action, entry.outcome, entry.purpose) == (
            Action.READ,
            Outcome.GRANTED,
            Purpose.CARE_RELATIONSHIP,
        )
        assert entry.user == world.users["nurse_a"]
        assert entry.organisation == world.orgs["kommun_a"]


def test_polls_after_the_request_that_created_the_document_are_logged_too(world, client):
    patient = world.patient()
    document = make_document(world, patient)
    from audit.services import Access, access_log_record

    actor = Actor.for_user(world.users["nurse_a"])
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=patient.pk,
                record_type="document",
                record_id=str(document.public_id),
                membership=actor.memberships[0],
            )
        ],
        action=Action.CREATE,
    )
    client.force_login(world.users["nurse_a"])
    for _ in range(5):
        client.get(f"/documents/{document.public_id}/status/")
    assert list(_document_rows(document).order_by("pk").values_list("action", flat=True)) == [
        Action.CREATE,
        *[Action.READ] * 5,
    ]


def test_each_person_polling_gets_their_own_row(world, client):
    patient = world.patient()
    document = make_document(world, patient)
    for key in ("nurse_a", "gp_a", "nurse_a", "gp_a"):
        client.force_login(world.users[key])
        client.get(f"/documents/{document.public_id}/status/")
    assert sorted(_document_rows(document).values_list("user__username", flat=True)) == [
        "gp.a",
        "gp.a",
        "nurse.a",
        "nurse.a",
    ]


def test_polls_without_access_are_404_and_every_one_is_logged(world, client):
    patient = world.patient()
    document = make_document(world, patient)
    client.force_login(world.users["nurse_b"])
    for _ in range(4):
        assert client.get(f"/documents/{document.public_id}/status/").status_code == 404
    assert _document_rows(document, outcome=Outcome.DENIED, user=world.users["nurse_b"]).count() == 4


def test_access_lost_between_polls_is_a_404_at_once(world, client):
    patient = world.patient()
    document = make_document(world, patient)
    client.force_login(world.users["nurse_a"])
    assert client.get(f"/documents/{document.public_id}/status/").status_code == 200
    patient.enrolments.update(ends_on=datetime.date(2025, 6, 1))
    assert client.get(f"/documents/{document.public_id}/status/").status_code == 404
    assert _document_rows(document, outcome=Outcome.DENIED).count() == 1


def test_the_poll_asks_early_then_backs_off(world, client):
    """A PDF is usually stored within half a second: the first poll comes after 150 ms, and each
    poll waits longer, up to 2 s, so "Klar" shows soon without asking every moment of a long render."""
    patient = world.patient()
    document = make_document(world, patient, status=DocumentStatus.RENDERING)
    client.force_login(world.users["nurse_a"])
    url = f"/documents/{document.public_id}/status/"
    delays = []
    for poll in ("", "1", "2", "3", "7", "50", "x", "-3", "9999999"):
        body = client.get(f"{url}?poll={poll}").content.decode()
        delay = body.split('hx-trigger="load delay:', 1)[1].split("ms", 1)[0]
        delays.append(int(delay))
    assert delays == [150, 200, 300, 450, 2000, 2000, 150, 150, 150]
    assert f"{url}?poll=2" in client.get(f"{url}?poll=1").content.decode()


def test_a_ready_document_stops_polling(world, client):
    patient = world.patient()
    document = make_document(world, patient, status=DocumentStatus.READY)
    client.force_login(world.users["nurse_a"])
    body = client.get(f"/documents/{document.public_id}/status/?poll=3").content.decode()
    assert "hx-get" not in body
    assert f"/documents/{document.public_id}/download/" in body
