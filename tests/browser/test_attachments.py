"""A kommun nurse attaches a discharge summary to a case in Chromium; the vårdcentral's GP downloads it
(the access log keeps the download), and a nurse of another kommun gets 404. The page passes axe and the
content security policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from attachments.models import Attachment
from audit.models import AccessLogEntry, Action, Outcome
from audit.records import RECORD_ATTACHMENT
from cases.models import CaseEvent, CaseStatus, EventKind
from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def attachment_folder(settings, tmp_path: Path) -> Path:
    folder = tmp_path / "attachments"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def test_a_nurse_attaches_a_pdf_and_the_gp_downloads_it(
    live_server, world, case_in, as_user, csp_violations, attachment_folder, tmp_path
):
    case = case_in(CaseStatus.IN_REVIEW)
    summary = tmp_path / "utskrivning.pdf"
    summary.write_bytes(PDF)
    case_url = f"{live_server.url}/cases/{case.public_id}/"

    nurse = as_user("nurse.a")
    nurse.goto(case_url)
    section = nurse.locator("#attachments")
    assert "Inga filer bifogade ännu." in section.inner_text()
    nurse.select_option("#attachment-kind", label="Utskrivningsinformation")
    nurse.fill("#attachment-title", "Utskrivning njurmedicin 3 december")
    nurse.set_input_files("#attachment-file", str(summary))
    nurse.get_by_role("button", name="Bifoga", exact=True).click()
    nurse.wait_for_load_state()
    assert "är bifogad" in nurse.locator(".messages").inner_text()
    row = nurse.locator("#attachments table tbody tr").first
    assert "Utskrivning njurmedicin 3 december" in row.inner_text()
    assert "Utskrivningsinformation" in row.inner_text()
    assert "Fil bifogad" in nurse.locator(".timeline").inner_text()
    assert axe_violations(nurse) == []
    screenshot(nurse, "attachments-nurse-attached")
    attachment = Attachment.objects.get(case=case)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ATTACHMENT_ADDED).exists()

    gp = as_user("gp.a")
    gp.goto(case_url)
    link = gp.locator("#attachments").get_by_role("link", name="Ladda ner")
    with gp.expect_download() as caught:
        link.click()
    download = caught.value
    assert Path(download.path()).read_bytes() == PDF
    assert download.suggested_filename.startswith("Utskrivningsinformation-Karin-Svensson-")
    assert download.suggested_filename.endswith(".pdf")
    screenshot(gp, "attachments-gp-case-page")
    downloads = AccessLogEntry.objects.filter(
        user=world.users["gp_a"],
        record_type=RECORD_ATTACHMENT,
        record_id=str(attachment.public_id),
        action=Action.DOWNLOAD,
        outcome=Outcome.GRANTED,
    )
    assert downloads.count() == 1
    assert downloads.get().organisation == world.orgs["vc_a"]

    outsider = as_user("nurse.b")
    answer = outsider.goto(f"{live_server.url}/attachments/{attachment.public_id}/download/")
    assert answer.status == 404
    screenshot(outsider, "attachments-outsider-404")
    assert AccessLogEntry.objects.filter(
        user=world.users["nurse_b"], record_type=RECORD_ATTACHMENT, outcome=Outcome.DENIED
    ).exists()
    assert csp_violations == []
