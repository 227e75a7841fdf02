"""Files attached to a case or a SIP: who may attach, read and remove them, what the access log keeps, and
that nothing is ever half-written."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from attachments.models import Attachment
from audit.models import AccessLogEntry, Action, Outcome
from audit.records import RECORD_ATTACHMENT
from cases.models import CaseEvent, CaseStatus, EventKind
from tests.fixtures.clients import signed_in

from .conftest import EXE, HTML, PDF, PNG, stored_files

pytestmark = pytest.mark.django_db


def _file(name: str = "utskrivning.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _upload(
    api, user, case, *, name="utskrivning.pdf", data=PDF, kind="discharge_summary", title="Utskrivning"
):
    return api(user).post(
        f"/api/v1/cases/{case.public_id}/attachments",
        {"kind": kind, "title": title, "file": _file(name, data)},
        format="multipart",
    )


def _log(user, action, outcome=Outcome.GRANTED):
    return AccessLogEntry.objects.filter(
        user=user, record_type=RECORD_ATTACHMENT, action=action, outcome=outcome
    )


def test_a_nurse_attaches_a_pdf_on_the_case_page_and_the_gp_downloads_it(world, case_in, attachment_folder):
    case = case_in(CaseStatus.IN_REVIEW)
    nurse, gp = world.users["nurse_a"], world.users["gp_a"]
    page = signed_in(nurse)
    answer = page.post(
        reverse("attachments:case-upload", args=[case.public_id]),
        {"kind": "discharge_summary", "title": "Utskrivning njurmedicin", "file": _file()},
    )
    assert answer.status_code == 302
    attachment = Attachment.objects.get(case=case)
    assert (attachment.content_type, attachment.size, attachment.organisation) == (
        "application/pdf",
        len(PDF),
        world.orgs["kommun_a"],
    )
    assert len(stored_files(attachment_folder)) == 1
    assert "Utskrivning" not in str(stored_files(attachment_folder)[0])  # the stored name says nothing
    event = CaseEvent.objects.get(case=case, kind=EventKind.ATTACHMENT_ADDED)
    assert event.payload["attachment"]["id"] == str(attachment.public_id)
    assert _log(nurse, Action.CREATE).count() == 1

    shown = signed_in(gp).get(reverse("cases:detail", args=[case.public_id]))
    assert "Utskrivning njurmedicin" in shown.content.decode()
    assert _log(gp, Action.LIST).filter(record_id=str(attachment.public_id)).exists()

    download = signed_in(gp).get(reverse("attachments:download", args=[attachment.public_id]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert download["Content-Disposition"].startswith('attachment; filename="Utskrivningsinformation-Karin-')
    assert _log(gp, Action.DOWNLOAD).filter(record_id=str(attachment.public_id)).count() == 1


def test_an_outsider_gets_404_and_the_attempt_is_logged(world, case_in, api):
    case = case_in(CaseStatus.IN_REVIEW)
    attachment_id = _upload(api, world.users["nurse_a"], case).json()["id"]
    outsider = world.users["nurse_b"]
    assert signed_in(outsider).get(reverse("attachments:download", args=[attachment_id])).status_code == 404
    assert api(outsider).get(f"/api/v1/attachments/{attachment_id}/download").status_code == 404
    assert api(outsider).get(f"/api/v1/cases/{case.public_id}/attachments").status_code == 404
    refused = _upload(api, outsider, case, title="Fel")
    assert refused.status_code == 404
    assert _log(outsider, Action.DOWNLOAD, Outcome.DENIED).count() == 2
    assert Attachment.objects.filter(case=case).count() == 1


def test_the_api_lists_reads_and_downloads_with_a_log_row_each(world, case_in, api):
    case = case_in(CaseStatus.IN_REVIEW)
    created = _upload(api, world.users["nurse_a"], case, name="lista.png", data=PNG, kind="medication_list")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["content_type"], body["kind"], body["case"]) == (
        "image/png",
        "medication_list",
        str(case.public_id),
    )
    specialist = world.users["specialist"]
    listed = api(specialist).get(f"/api/v1/cases/{case.public_id}/attachments")
    assert [a["id"] for a in listed.json()] == [body["id"]]
    assert api(specialist).get(f"/api/v1/attachments/{body['id']}").status_code == 200
    got = api(specialist).get(body["download_url"])
    assert got.status_code == 200
    assert got["Content-Type"] == "image/png"
    assert got["Content-Disposition"].endswith(".png")
    for action in (Action.LIST, Action.READ, Action.DOWNLOAD):
        assert _log(specialist, action).filter(record_id=body["id"]).count() == 1, action


@pytest.mark.parametrize(
    ("name", "data"), [("utskrivning.pdf", EXE), ("utskrivning.pdf", HTML), ("bild.png", PDF)]
)
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_kept(
    world, case_in, api, attachment_folder, name, data
):
    case = case_in(CaseStatus.IN_REVIEW)
    with translation.override("sv"):
        answer = _upload(api, world.users["nurse_a"], case, name=name, data=data)
    assert answer.status_code == 400
    assert "file" in answer.json()["error"]["fields"]
    assert not Attachment.objects.exists()
    assert stored_files(attachment_folder) == []
    assert not CaseEvent.objects.filter(kind=EventKind.ATTACHMENT_ADDED).exists()


def test_the_size_limit_holds_before_the_file_is_read(world, case_in, api, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    case = case_in(CaseStatus.IN_REVIEW)
    nurse = world.users["nurse_a"]
    # Within the form's allowance, so the upload handler stops it as the bytes arrive.
    big = PDF + b"0" * (1024 * 1024 + 10_000)
    with mock.patch("attachments.services.inspect_file") as inspect:
        answer = _upload(api, nurse, case, data=big)
    assert answer.status_code == 400
    assert "file" in answer.json()["error"]["fields"]
    inspect.assert_not_called()
    # A request that says it is longer than any allowed upload is refused unread.
    answer = _upload(api, nurse, case, data=PDF + b"0" * (2 * 1024 * 1024))
    assert answer.status_code == 400
    assert "file" in answer.json()["error"]["fields"]
    with translation.override("sv"):
        page = signed_in(nurse).post(
            reverse("attachments:case-upload", args=[case.public_id]),
            {"kind": "other", "title": "Stor", "file": _file(data=big)},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="sv",
        )
    assert "Filen är större än 1 MB" in page.content.decode()
    assert not Attachment.objects.exists()


def test_a_case_holds_at_most_the_set_number_of_files(world, case_in, api, settings):
    settings.ATTACHMENTS_PER_RECORD = 2
    case = case_in(CaseStatus.IN_REVIEW)
    nurse = world.users["nurse_a"]
    assert _upload(api, nurse, case).status_code == 201
    assert _upload(api, nurse, case).status_code == 201
    third = _upload(api, nurse, case)
    assert third.status_code == 400
    assert "file" in third.json()["error"]["fields"]


def test_a_failure_after_the_file_is_stored_leaves_neither_row_nor_file(
    world, case_in, api, attachment_folder
):
    case = case_in(CaseStatus.IN_REVIEW)
    failing = mock.patch("attachments.services._case_event", side_effect=RuntimeError("database gone"))
    with failing, pytest.raises(RuntimeError):
        _upload(api, world.users["nurse_a"], case)
    assert not Attachment.objects.exists()
    assert stored_files(attachment_folder) == []


def test_a_protected_identity_is_never_in_the_file_name(world, case_in, api):
    patient = world.patient(protected=True, given_name="Hemlig", family_name="Person")
    case = case_in(CaseStatus.IN_REVIEW, patient=patient)
    created = _upload(api, world.users["nurse_a"], case)
    assert created.status_code == 201, created.json()
    for key in ("nurse_a", "gp_a"):
        got = api(world.users[key]).get(created.json()["download_url"])
        assert got.status_code == 200
        assert "skyddad-identitet" in got["Content-Disposition"]
        assert "Hemlig" not in got["Content-Disposition"]
        assert "Person" not in got["Content-Disposition"]


def test_only_the_uploading_organisation_removes_and_the_row_stays(
    world, case_in, api, attachment_folder, django_capture_on_commit_callbacks
):
    case = case_in(CaseStatus.IN_REVIEW)
    created = _upload(api, world.users["nurse_a"], case).json()
    url = f"/api/v1/attachments/{created['id']}"
    etag = api(world.users["nurse_a"]).get(url)["ETag"]
    gp = api(world.users["gp_a"]).post(f"{url}/remove", {"reason": "Fel"}, format="json", HTTP_IF_MATCH=etag)
    assert gp.status_code == 403
    without = api(world.users["nurse_a"]).post(f"{url}/remove", {"reason": "Fel"}, format="json")
    assert without.status_code == 428
    with django_capture_on_commit_callbacks(execute=True):
        removed = api(world.users["nurse_a"]).post(
            f"{url}/remove", {"reason": "Fel patient."}, format="json", HTTP_IF_MATCH=etag
        )
    assert removed.status_code == 200, removed.json()
    assert removed.json()["removal_reason"] == "Fel patient."
    assert removed.json()["download_url"] is None
    row = Attachment.objects.get(public_id=created["id"])
    assert row.removed_by == world.users["nurse_a"]
    assert row.removed_at is not None
    assert stored_files(attachment_folder) == []
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ATTACHMENT_REMOVED).exists()
    assert api(world.users["gp_a"]).get(f"{url}/download").status_code == 404
    again = api(world.users["nurse_a"]).post(
        f"{url}/remove", {"reason": "Igen"}, format="json", HTTP_IF_MATCH=removed["ETag"]
    )
    assert again.status_code == 409
    assert _log(world.users["nurse_a"], Action.UPDATE).filter(record_id=created["id"]).count() == 1
    listed = api(world.users["gp_a"]).get(f"/api/v1/cases/{case.public_id}/attachments").json()
    assert listed[0]["removed_at"] is not None


def test_a_joint_body_member_reads_but_does_not_attach(world, case_in, api):
    case = case_in(CaseStatus.ESCALATED)
    assert _upload(api, world.users["nurse_a"], case).status_code == 201
    governance = world.users["governance_lokal"]
    assert api(governance).get(f"/api/v1/cases/{case.public_id}/attachments").status_code == 200
    assert _upload(api, governance, case).status_code == 403


def test_a_sip_takes_attachments_from_those_who_keep_it(world, sip_from_case, api):
    nurse = world.users["nurse_a"]
    answer = api(nurse).post(
        f"/api/v1/sips/{sip_from_case.public_id}/attachments",
        {"kind": "training_sign_off", "title": "Intyg PD-utbildning", "file": _file("intyg.pdf")},
        format="multipart",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["sip"] == str(sip_from_case.public_id)
    assert answer.json()["case"] is None
    listed = api(world.users["gp_a"]).get(f"/api/v1/sips/{sip_from_case.public_id}/attachments")
    assert listed.status_code == 200
    assert len(listed.json()) == 1
    assert (
        api(world.users["nurse_b"]).get(f"/api/v1/sips/{sip_from_case.public_id}/attachments").status_code
        == 404
    )
    page = signed_in(world.users["gp_a"]).get(reverse("sip:detail", args=[sip_from_case.public_id]))
    assert "Intyg PD-utbildning" in page.content.decode()


def test_a_reader_who_does_not_see_the_identity_gets_no_person_in_the_file_name(world, case_in, api):
    from attachments.filenames import download_name

    case = case_in(CaseStatus.IN_REVIEW)
    created = _upload(api, world.users["nurse_a"], case)
    assert created.status_code == 201, created.json()
    attachment = Attachment.objects.get()
    seen = download_name(attachment, identity_visible=True)
    assert case.patient.family_name in seen
    # A joint body that sees the case pseudonymised: neither the name nor "skyddad identitet", which the
    # patient does not have.
    unseen = download_name(attachment, identity_visible=False)
    assert case.patient.family_name not in unseen
    assert "skyddad" not in unseen
    assert unseen.endswith(".pdf")
    assert "--" not in unseen
