"""A refused upload on the case page or the SIP page keeps what was typed: the kind chosen and the title
are back in the upload form, with the problem beside the file and the request to choose the file again
(a browser never keeps a chosen file). They are shown once, and only on the page they were sent from."""

from __future__ import annotations

import html
import re
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from attachments.models import Attachment
from cases.models import CaseStatus
from tests.fixtures.clients import signed_in

from .conftest import EXE, PDF, stored_files

pytestmark = pytest.mark.django_db

TITLE = "Läkemedelslista efter utskrivning <3 mars>"


def _upload_form(content: bytes) -> str:
    """The upload form of the page's attachment section."""
    found = re.search(r'<form[^>]*class="attachment-upload".*?</form>', content.decode(), re.S)
    assert found is not None, "no upload form on the page"
    return found.group(0)


def _selected_kind(form: str) -> list[str]:
    return re.findall(r'<option value="([a-z_]+)" selected>', form)


def _title_value(form: str) -> str:
    found = re.search(r'<input id="attachment-title"[^>]*value="([^"]*)"', form)
    assert found is not None, form
    return html.unescape(found.group(1))


def _file_error(form: str) -> str:
    found = re.search(r'<p class="error" id="attachment-file-error">(.*?)</p>', form, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else ""


def _post(client, url: str, *, kind: str, title: str, name: str, data: bytes):
    with translation.override("sv"):
        return client.post(
            url,
            {"kind": kind, "title": title, "file": SimpleUploadedFile(name, data)},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="sv",
        )


def test_a_file_of_the_wrong_type_is_refused_and_the_kind_and_title_stay_in_the_form(
    world, case_in, attachment_folder
):
    case = case_in(CaseStatus.IN_REVIEW)
    nurse = signed_in(world.users["nurse_a"])
    url = reverse("attachments:case-upload", args=[case.public_id])
    page = _post(nurse, url, kind="medication_list", title=TITLE, name="lista.exe", data=EXE)

    assert page.redirect_chain[-1][0].endswith(f"/cases/{case.public_id}/#attachments")
    form = _upload_form(page.content)
    assert _selected_kind(form) == ["medication_list"]
    assert _title_value(form) == TITLE
    error = _file_error(form)
    assert error.startswith("Fel: Filen bifogades inte:"), error
    assert error.endswith("Välj filen igen."), error
    assert 'aria-describedby="attachment-file-error attachment-file-hint"' in form
    banner = page.content.decode().split('<div class="messages"', 1)[1].split("</div>", 1)[0]
    assert "Välj filen igen." in banner
    assert not Attachment.objects.exists()
    assert stored_files(attachment_folder) == []

    # Shown once: the page opened again has an empty form.
    again = _upload_form(nurse.get(reverse("cases:detail", args=[case.public_id])).content)
    assert _selected_kind(again) == []
    assert _title_value(again) == ""
    assert _file_error(again) == ""


def test_a_missing_title_is_said_beside_the_title_and_the_kind_is_kept(world, case_in):
    case = case_in(CaseStatus.IN_REVIEW)
    nurse = signed_in(world.users["nurse_a"])
    url = reverse("attachments:case-upload", args=[case.public_id])
    page = _post(nurse, url, kind="prescription", title="  ", name="recept.pdf", data=PDF)

    form = _upload_form(page.content)
    assert _selected_kind(form) == ["prescription"]
    assert re.search(r'<div class="field field-error"><label for="attachment-title">', form), form
    assert 'id="attachment-title-error"' in form
    assert "Ge filen en rubrik" in form
    assert "Välj filen igen." in _file_error(form)
    assert not Attachment.objects.exists()


def test_what_was_typed_for_one_case_is_not_shown_on_another(world, case_in):
    case = case_in(CaseStatus.IN_REVIEW)
    other = case_in(CaseStatus.IN_REVIEW)
    nurse = signed_in(world.users["nurse_a"])
    url = reverse("attachments:case-upload", args=[case.public_id])
    with translation.override("sv"):
        nurse.post(url, {"kind": "prescription", "title": TITLE, "file": SimpleUploadedFile("a.exe", EXE)})

    elsewhere = _upload_form(nurse.get(reverse("cases:detail", args=[other.public_id])).content)
    assert _selected_kind(elsewhere) == []
    assert _title_value(elsewhere) == ""
    # The case it was sent to still has it.
    here = _upload_form(nurse.get(reverse("cases:detail", args=[case.public_id])).content)
    assert _title_value(here) == TITLE


def test_a_file_too_large_for_a_sip_keeps_the_kind_and_title(world, sip_from_case, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    nurse = signed_in(world.users["nurse_a"])
    url = reverse("attachments:sip-upload", args=[sip_from_case.public_id])
    # Within the form's allowance: the upload is stopped as its bytes arrive.
    big = PDF + b"0" * (1024 * 1024 + 10_000)
    with mock.patch("attachments.services.inspect_file") as inspect:
        page = _post(nurse, url, kind="training_sign_off", title="Intyg PD", name="intyg.pdf", data=big)
    inspect.assert_not_called()

    assert page.redirect_chain[-1][0].endswith(f"/sip/{sip_from_case.public_id}/#attachments")
    form = _upload_form(page.content)
    assert _selected_kind(form) == ["training_sign_off"]
    assert _title_value(form) == "Intyg PD"
    assert _file_error(form) == "Fel: Filen är större än 1 MB, det största som kan bifogas. Välj filen igen."
    assert not Attachment.objects.exists()


def test_a_request_longer_than_any_upload_keeps_the_fields_and_never_reads_the_file(world, case_in, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    case = case_in(CaseStatus.IN_REVIEW)
    nurse = signed_in(world.users["nurse_a"])
    url = reverse("attachments:case-upload", args=[case.public_id])
    huge = PDF + b"0" * (2 * 1024 * 1024)
    received = mock.Mock(side_effect=AssertionError("the file was read"))
    with mock.patch("attachments.http.SizeLimitedUploadHandler.receive_data_chunk", received):
        page = _post(nurse, url, kind="discharge_summary", title="Utskrivning", name="stor.pdf", data=huge)

    received.assert_not_called()
    form = _upload_form(page.content)
    assert _selected_kind(form) == ["discharge_summary"]
    assert _title_value(form) == "Utskrivning"
    assert "Välj filen igen." in _file_error(form)
    assert not Attachment.objects.exists()


def test_a_refused_request_longer_than_any_upload_still_needs_the_csrf_token(world, case_in, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    case = case_in(CaseStatus.IN_REVIEW)
    client = signed_in(world.users["nurse_a"])
    client.handler.enforce_csrf_checks = True
    answer = client.post(
        reverse("attachments:case-upload", args=[case.public_id]),
        {"kind": "other", "title": "Från en annan sida", "file": SimpleUploadedFile("x.pdf", PDF * 40_000)},
    )
    assert answer.status_code == 403
    form = _upload_form(client.get(reverse("cases:detail", args=[case.public_id])).content)
    assert _title_value(form) == ""
