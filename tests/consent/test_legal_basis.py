"""A case is shared with the other parties only on a legal basis; objections and spärrar hold.

The organisation that opened the case (kommun A, its nurse) always sees all of it. The listed
vårdcentral (GP A) and the clinic see what is asked, and the health details only while a valid basis is
recorded; an objection to sharing with an organisation makes the case a refused read for it, logged.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry, Outcome, Purpose
from cases.models import CaseEvent, CaseStatus, EventKind, ResponsibilityCase
from consent.models import SharingBasis
from documents.models import Document
from hemsjukvard.celery import app as celery_app
from tests.fixtures.agreements import PD
from tests.fixtures.cases import BACKGROUND, CaseDriver
from tests.fixtures.clients import signed_in
from tests.fixtures.world import World

pytestmark = pytest.mark.django_db


def _unshared(drive: CaseDriver) -> tuple[ResponsibilityCase, Any]:
    """A submitted case opened without a legal basis, at the risk analysis, with the nurse's analysis."""
    patient = drive.world.patient(given_name="Sigrid", family_name="Lindqvist")
    case = drive.submit(drive.open(patient=patient, basis=None))
    case = drive.accept(case)
    assert case.status == CaseStatus.RISK_ANALYSIS
    analysis = drive.analyse(case)
    drive.comment(case, "Hemlig kommentar om infektionskänslighet.")
    return case, analysis


def _page(world: World, who: str, case: ResponsibilityCase) -> Any:
    return signed_in(world.users[who]).get(f"/cases/{case.public_id}/")


def _render_now(document_id: str) -> None:
    from documents.tasks import render_document

    celery_app.conf.task_always_eager = True
    try:
        render_document.delay(Document.objects.get(public_id=document_id).pk)
    finally:
        celery_app.conf.task_always_eager = False


def test_without_a_basis_the_other_party_sees_what_is_asked_but_no_health_details(
    world: World, drive: CaseDriver, api: Any
) -> None:
    case, analysis = _unshared(drive)

    # The page: the tasks and the organisations, but no background, comment or name.
    other = _page(world, "gp_a", case)
    assert other.status_code == 200
    html = other.content.decode()
    assert case.number in html
    assert "Peritonealdialys" in html or "PD" in html
    assert BACKGROUND not in html
    assert "Hemlig kommentar" not in html
    assert "Lindqvist" not in html
    assert case.patient.personal_identity not in html
    opener = _page(world, "nurse_a", case).content.decode()
    assert BACKGROUND in opener
    assert "Hemlig kommentar" in opener
    assert "Lindqvist" in opener

    # The API: the case, with its tasks, but its free text blanked and the basis said.
    body = api(world.users["gp_a"]).get(f"/api/v1/cases/{case.public_id}").json()
    assert body["tasks"]
    assert body["background"] == ""
    assert body["sharing"] == {
        "basis": "none",
        "basis_kind": "",
        "health_details_shared": False,
        "blocked_parts": [],
    }
    timeline = api(world.users["gp_a"]).get(f"/api/v1/cases/{case.public_id}/timeline").json()
    assert all(event["reason"] == "" for event in timeline)
    refused = api(world.users["gp_a"]).get(f"/api/v1/cases/{case.public_id}/risk-analyses")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_shared"
    own = api(world.users["nurse_a"]).get(f"/api/v1/cases/{case.public_id}").json()
    assert own["background"] == BACKGROUND
    assert own["sharing"]["health_details_shared"] is True

    # A PDF: the opener prints the analysis; the other party gets neither it nor a print of its own.
    nurse = api(world.users["nurse_a"])
    printed = nurse.post(
        "/api/v1/documents", {"kind": "risk_analysis", "source_id": str(analysis.public_id)}, format="json"
    )
    assert printed.status_code == 202, printed.json()
    document_id = printed.json()["id"]
    _render_now(document_id)
    assert nurse.get(f"/api/v1/documents/{document_id}/download").status_code == 200
    gp = api(world.users["gp_a"])
    assert gp.get(f"/api/v1/documents/{document_id}").status_code == 404
    assert gp.get(f"/api/v1/documents/{document_id}/download").status_code == 404
    asked = gp.post(
        "/api/v1/documents", {"kind": "risk_analysis", "source_id": str(analysis.public_id)}, format="json"
    )
    assert asked.status_code in (403, 404)
    assert Document.objects.count() == 1


def test_recording_a_basis_shares_the_case_and_is_on_the_timeline_and_in_the_log(
    world: World, drive: CaseDriver, api: Any
) -> None:
    case, _analysis = _unshared(drive)
    answer = api(world.users["nurse_a"]).post(
        f"/api/v1/cases/{case.public_id}/legal-basis",
        {
            "kind": "menprovning",
            "assessed_by_name": "Anna Sjuksköterska",
            "assessed_on": str(timezone.localdate()),
            "reasoning": "Personen kan inte samtycka; delningen bedöms inte medföra men.",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["sharing"]["basis"] == "valid"
    body = api(world.users["gp_a"]).get(f"/api/v1/cases/{case.public_id}").json()
    assert body["background"] == BACKGROUND
    assert body["sharing"]["basis_kind"] == "menprovning"
    assert "Lindqvist" in _page(world, "gp_a", case).content.decode()
    assert CaseEvent.objects.filter(case=case, kind=EventKind.SHARING, action="basis_recorded").exists()
    assert AccessLogEntry.objects.filter(
        user=world.users["nurse_a"], purpose=Purpose.SHARING_BASIS, record_type="sharing_basis"
    ).exists()


def test_withdrawal_stops_the_sharing_at_once(
    world: World, drive: CaseDriver, case_in: Any, api: Any
) -> None:
    case = case_in(CaseStatus.AWAITING_APPROVAL)
    gp = api(world.users["gp_a"])
    assert gp.get(f"/api/v1/cases/{case.public_id}").json()["background"] == BACKGROUND
    assert gp.get(f"/api/v1/cases/{case.public_id}/risk-analyses").status_code == 200

    withdrawn = signed_in(world.users["nurse_a"]).post(
        f"/cases/{case.public_id}/sharing/withdraw/", {"withdraw-reason": "Personen återkallade samtycket."}
    )
    assert withdrawn.status_code == 302

    body = gp.get(f"/api/v1/cases/{case.public_id}").json()
    assert body["background"] == ""
    assert body["sharing"]["basis"] == "withdrawn"
    assert gp.get(f"/api/v1/cases/{case.public_id}/risk-analyses").status_code == 403
    assert BACKGROUND not in _page(world, "gp_a", case).content.decode()
    assert BACKGROUND in _page(world, "nurse_a", case).content.decode()
    assert SharingBasis.objects.get(case=case).withdrawn_at is not None
    event = CaseEvent.objects.get(case=case, kind=EventKind.SHARING, action="basis_withdrawn")
    assert event.reason == "Personen återkallade samtycket."


def test_an_objection_blocks_a_read_the_relationship_allows_and_the_denial_is_logged(
    world: World, case_in: Any, api: Any
) -> None:
    case = case_in(CaseStatus.IN_REVIEW)
    gp = api(world.users["gp_a"])
    assert gp.get(f"/api/v1/cases/{case.public_id}").status_code == 200

    recorded = api(world.users["nurse_a"]).post(
        f"/api/v1/cases/{case.public_id}/objections",
        {"organisation": str(world.orgs["vc_a"].public_id), "reason": "Vill inte att vårdcentralen läser."},
        format="json",
    )
    assert recorded.status_code == 201, recorded.json()

    assert gp.get(f"/api/v1/cases/{case.public_id}").status_code == 404
    assert _page(world, "gp_a", case).status_code == 404
    listed = gp.get("/api/v1/cases").json()["results"]
    assert str(case.public_id) not in [c["id"] for c in listed]
    denied = AccessLogEntry.objects.filter(
        user=world.users["gp_a"], outcome=Outcome.DENIED, purpose=Purpose.OBJECTION, patient=case.patient
    )
    assert denied.count() >= 2
    # The clinic, not objected to, and the opener still read it.
    assert api(world.users["specialist"]).get(f"/api/v1/cases/{case.public_id}").status_code == 200
    assert api(world.users["nurse_a"]).get(f"/api/v1/cases/{case.public_id}").status_code == 200

    # Lifting needs a reason; then the vårdcentral reads the case again.
    lift = f"/api/v1/cases/{case.public_id}/objections/{recorded.json()['id']}/lift"
    assert api(world.users["nurse_a"]).post(lift, {}, format="json").status_code == 400
    assert (
        api(world.users["nurse_a"]).post(lift, {"reason": "Personen ändrade sig."}, format="json").status_code
        == 200
    )
    assert gp.get(f"/api/v1/cases/{case.public_id}").status_code == 200


def test_a_sparr_hides_the_named_part_from_the_others_only(world: World, case_in: Any, api: Any) -> None:
    case = case_in(CaseStatus.AWAITING_APPROVAL)
    nurse = api(world.users["nurse_a"])
    for part in ("text", "analyses"):
        answer = nurse.post(
            f"/api/v1/cases/{case.public_id}/blocks",
            {"part": part, "reason": "Personens begäran."},
            format="json",
        )
        assert answer.status_code == 201, answer.json()

    gp = api(world.users["gp_a"])
    body = gp.get(f"/api/v1/cases/{case.public_id}").json()
    assert body["background"] == ""
    assert body["sharing"]["blocked_parts"] == ["analyses", "text"]
    assert body["sharing"]["basis"] == "valid"
    assert gp.get(f"/api/v1/cases/{case.public_id}/risk-analyses").status_code == 403
    page = _page(world, "gp_a", case).content.decode()
    assert (BACKGROUND not in page and "Lindqvist" not in page) or "Svensson" in page
    # The opener sees all of it.
    assert nurse.get(f"/api/v1/cases/{case.public_id}").json()["background"] == BACKGROUND
    assert nurse.get(f"/api/v1/cases/{case.public_id}/risk-analyses").status_code == 200

    # Lifting the spärr on the text is logged with its reason; the text is shared again.
    block_id = nurse.post(
        f"/api/v1/cases/{case.public_id}/blocks", {"part": "documents"}, format="json"
    ).json()["id"]
    lifted = nurse.post(
        f"/api/v1/cases/{case.public_id}/blocks/{block_id}/lift",
        {"reason": "Begäran återtagen."},
        format="json",
    )
    assert lifted.status_code == 200
    assert lifted.json()["lifted_at"]
    assert AccessLogEntry.objects.filter(
        user=world.users["nurse_a"], purpose=Purpose.SHARING_BASIS, reason="Begäran återtagen."
    ).exists()
    event = CaseEvent.objects.get(case=case, kind=EventKind.SHARING, action="block_lifted")
    assert event.reason == "Begäran återtagen."


def test_only_the_opener_and_the_kommun_s_mas_record_them(world: World, case_in: Any, api: Any) -> None:
    case = case_in(CaseStatus.IN_REVIEW)
    refused = api(world.users["gp_a"]).post(
        f"/api/v1/cases/{case.public_id}/blocks", {"part": "text"}, format="json"
    )
    assert refused.status_code == 403
    assert (
        api(world.users["mas_a"])
        .post(f"/api/v1/cases/{case.public_id}/blocks", {"part": "text"}, format="json")
        .status_code
        == 201
    )
    assert (
        api(world.users["nurse_b"])
        .post(f"/api/v1/cases/{case.public_id}/blocks", {"part": "text"}, format="json")
        .status_code
        == 404
    )


def test_bad_input_gives_clear_errors_and_writes_nothing(world: World, case_in: Any, api: Any) -> None:
    case = case_in(CaseStatus.IN_REVIEW)
    nurse = api(world.users["nurse_a"])
    before = SharingBasis.objects.count()
    tomorrow = str(timezone.localdate() + datetime.timedelta(days=1))
    answer = nurse.post(
        f"/api/v1/cases/{case.public_id}/legal-basis",
        {"kind": "consent", "scope": "Allt", "given_by": "person", "form": "oral", "given_on": tomorrow},
        format="json",
    )
    assert answer.status_code == 400
    assert "framtiden" in str(answer.json())
    missing = nurse.post(f"/api/v1/cases/{case.public_id}/legal-basis", {"kind": "consent"}, format="json")
    assert missing.status_code == 400
    assert "scope" in str(missing.json())
    too_long = nurse.post(
        f"/api/v1/cases/{case.public_id}/legal-basis",
        {"kind": "other_ground", "ground": "other", "ground_text": "x" * 5000},
        format="json",
    )
    assert too_long.status_code == 400
    assert SharingBasis.objects.count() == before


def test_the_new_case_form_records_the_basis_and_keeps_what_was_typed(world: World, halland: Any) -> None:
    patient = world.patient()
    client = signed_in(world.users["nurse_a"])
    form = {
        "trigger": "discharge",
        "urgency": "routine",
        "shift_planning": "unknown",
        "tasks": [PD],
        "background": "Utskriven från njurmedicin.",
        "basis-kind": "consent",
        "basis-scope": "Delas med vårdcentralen.",
        "basis-given_by": "person",
        "basis-form": "written",
        "basis-given_on": str(timezone.localdate() + datetime.timedelta(days=3)),
        "save": "1",
    }
    refused = client.post(f"/cases/new/{patient.public_id}/", form)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Delas med vårdcentralen." in html
    assert "Utskriven från njurmedicin." in html
    assert not ResponsibilityCase.objects.filter(patient=patient).exists()

    form["basis-given_on"] = str(timezone.localdate())
    assert client.post(f"/cases/new/{patient.public_id}/", form).status_code == 302
    basis = SharingBasis.objects.get(case__patient=patient)
    assert basis.kind == "consent"
    assert basis.form == "written"
