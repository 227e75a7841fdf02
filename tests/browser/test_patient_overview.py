"""The patient overview in a real browser: the nurse sees the patient's cases, dates and timeline; the
GP of the vårdcentral the patient has moved to sees only the case of that vårdcentral; on a phone
(390 px) nothing scrolls sideways. Screenshots at 390 and 1366 px go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from cases.models import CaseStatus
from patients.models import Patient
from tests.browser.conftest import screenshot
from tests.fixtures.agreements import WOUND

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def _scroll_width(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


def test_the_nurse_and_the_gp_open_the_overview(live_server, world, drive, as_user) -> None:
    patient = world.patient(given_name="Greta", family_name="Andersson")
    pd_case = drive.to(CaseStatus.AGREED, patient=patient)
    Patient.objects.filter(pk=patient.pk).update(listed_vardcentral=world.orgs["vc_b"])
    patient.refresh_from_db()
    wound_case = drive.submit(drive.open(patient=patient, tasks=(WOUND,), specialist_clinic=None))

    nurse = as_user("nurse.a")
    nurse.goto(f"{live_server.url}/patients/{patient.public_id}/")
    nurse.get_by_role("link", name="Översikt").click()
    nurse.wait_for_load_state()
    assert nurse.locator("h2", has_text="Kommande datum").is_visible()
    cases = nurse.locator("#overview-cases")
    assert cases.get_by_text(pd_case.number).is_visible()
    assert cases.get_by_text(wound_case.number).is_visible()
    assert nurse.locator("#overview-timeline").get_by_text("Riskanalys godkänd (version 1)").is_visible()
    nurse.set_viewport_size(LAPTOP)
    screenshot(nurse, "patient-overview-nurse-1366")
    nurse.set_viewport_size(PHONE)
    assert _scroll_width(nurse) <= 390
    screenshot(nurse, "patient-overview-nurse-390")

    gp = as_user("gp.b")
    gp.goto(f"{live_server.url}/patients/{patient.public_id}/overview/")
    text = gp.locator("main").inner_text()
    assert wound_case.number in text
    assert pd_case.number not in text
    assert "Riskanalys godkänd" not in text
    gp.set_viewport_size(LAPTOP)
    screenshot(gp, "patient-overview-gp-1366")
    gp.set_viewport_size(PHONE)
    assert _scroll_width(gp) <= 390
    screenshot(gp, "patient-overview-gp-390")
