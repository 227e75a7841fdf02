"""The documents API: request (202/200), status, download (409 until ready), list; 404 for outsiders."""

from __future__ import annotations

import pytest

from audit.models import AccessLogEntry, Action, Outcome
from documents.models import Document
from tests.fixtures.documents import CaseWorld
from tests.fixtures.world import World


def _post(client, case_world: CaseWorld, **extra):
    body = {"kind": "risk_analysis", "source_id": str(case_world.analysis.public_id), **extra}
    return client.post("/api/v1/documents", body, format="json")


def test_request_status_download_and_list(
    case_world: CaseWorld, api, django_capture_on_commit_callbacks
) -> None:
    client = api(case_world.world.users["nurse_a"])
    response = _post(client, case_world)
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "queued"
    assert body["download_url"] is None

    # Not rendered yet (no worker in this test): the download is a 409.
    download = client.get(f"/api/v1/documents/{body['id']}/download")
    assert download.status_code == 409
    assert download.json()["error"]["status"] == "queued"

    # Asking again gives the same document.
    again = _post(client, case_world)
    assert again.status_code == 202
    assert again.json()["id"] == body["id"]
    assert Document.objects.count() == 1

    from hemsjukvard.celery import app

    app.conf.task_always_eager = True
    try:
        from documents.tasks import render_document

        render_document.delay(Document.objects.get().pk)
    finally:
        app.conf.task_always_eager = False

    status = client.get(f"/api/v1/documents/{body['id']}")
    assert status.status_code == 200
    assert status.json()["status"] == "ready"
    assert status.json()["page_count"] >= 1
    ready = _post(client, case_world)
    assert ready.status_code == 200
    assert ready.json()["id"] == body["id"]

    pdf = client.get(f"/api/v1/documents/{body['id']}/download")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert AccessLogEntry.objects.filter(
        record_type="document", record_id=body["id"], action=Action.DOWNLOAD, outcome=Outcome.GRANTED
    ).exists()

    listing = client.get(
        "/api/v1/documents", {"kind": "risk_analysis", "source_id": str(case_world.analysis.public_id)}
    )
    assert listing.status_code == 200
    assert [d["id"] for d in listing.json()["results"]] == [body["id"]]


@pytest.mark.parametrize("outsider", ["nurse_b", "gp_b", "admin", "nobody"])
def test_other_organisation_gets_404_and_nothing_is_written(
    case_world: CaseWorld, api, outsider: str
) -> None:
    owner = api(case_world.world.users["nurse_a"])
    document_id = _post(owner, case_world).json()["id"]
    client = api(case_world.world.users[outsider])
    assert client.get(f"/api/v1/documents/{document_id}").status_code == 404
    assert client.get(f"/api/v1/documents/{document_id}/download").status_code == 404
    assert _post(client, case_world).status_code == 404
    assert (
        client.get(
            "/api/v1/documents", {"kind": "risk_analysis", "source_id": str(case_world.analysis.public_id)}
        ).status_code
        == 404
    )
    assert Document.objects.count() == 1
    assert AccessLogEntry.objects.filter(
        user=case_world.world.users[outsider], outcome=Outcome.DENIED
    ).exists() or outsider in ("nobody", "admin")


def test_notice_for_a_case_never_escalated_is_a_409(world: World, case_in, api) -> None:
    from cases.models import CaseStatus

    disputed = case_in(CaseStatus.DISPUTED)
    client = api(world.users["nurse_a"])
    response = client.post(
        "/api/v1/documents",
        {"kind": "escalation_notice", "source_id": str(disputed.public_id)},
        format="json",
    )
    assert response.status_code == 409
    assert Document.objects.count() == 0


def test_unknown_kind_is_400(case_world: CaseWorld, api) -> None:
    response = _post(api(case_world.world.users["nurse_a"]), case_world, kind="horoscope")
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]


def test_every_poll_of_a_document_is_a_logged_read(case_world: CaseWorld, api) -> None:
    """The status is metadata of a record about the patient: each poll writes a row, as every read does
    (earlier, polls within five minutes of an earlier access were folded into it)."""
    client = api(case_world.world.users["nurse_a"])
    document_id = _post(client, case_world).json()["id"]
    reads = AccessLogEntry.objects.filter(
        record_id=document_id, action=Action.READ, outcome=Outcome.GRANTED, patient=case_world.patient
    )
    assert reads.count() == 0  # the request itself is logged as the creation
    for _ in range(10):
        assert client.get(f"/api/v1/documents/{document_id}").status_code == 200
    assert reads.count() == 10
    assert set(reads.values_list("user", flat=True)) == {case_world.world.users["nurse_a"].pk}
    # Asking again answers with the same document's metadata: one more read.
    assert _post(client, case_world).json()["id"] == document_id
    assert reads.count() == 11
    # An outsider's poll is refused and every attempt is logged.
    outsider = api(case_world.world.users["nurse_b"])
    for _ in range(3):
        assert outsider.get(f"/api/v1/documents/{document_id}").status_code == 404
    assert AccessLogEntry.objects.filter(record_id=document_id, outcome=Outcome.DENIED).count() == 3


@pytest.mark.parametrize("idempotency_key", [None, "a-refused-request"])
def test_a_refused_request_for_a_document_is_logged_as_denied(
    case_world: CaseWorld, api, idempotency_key: str | None
) -> None:
    """``POST /documents`` for a record of a patient the person may not see answers 404 and leaves a
    denied row, like every other refusal (it used to be rolled back with the service's transaction)."""
    outsider = case_world.world.users["nurse_b"]
    client = api(outsider)
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    body = {"kind": "risk_analysis", "source_id": str(case_world.analysis.public_id)}
    denied = AccessLogEntry.objects.filter(user=outsider, outcome=Outcome.DENIED)
    for attempt in (1, 2):
        response = client.post("/api/v1/documents", body, format="json", **headers)
        assert response.status_code == 404
        assert denied.count() == attempt
    entry = denied.latest("pk")
    assert entry.patient == case_world.patient
    assert entry.purpose == "none"
    assert Document.objects.count() == 0
    assert not AccessLogEntry.objects.filter(user=outsider, outcome=Outcome.GRANTED).exists()
