"""The whole PD flow through the pages: nurse → GP → specialist → MAS → nurse (SIP and its PDF)."""

from __future__ import annotations

import pytest

from cases.models import CaseStatus, ResponsibilityCase
from tests.browser.conftest import axe_violations, fill_sip_editor, record_consent, screenshot
from tests.fixtures.agreements import PD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _case_url(live_server, case):
    return f"{live_server.url}/cases/{case.public_id}/"


def test_pd_case_from_nurse_to_sip_pdf(live_server, world, halland, as_user):
    patient = world.patient(given_name="Greta", family_name="Andersson")
    axe_problems = {}

    nurse = as_user("nurse.a")
    screenshot(nurse, "01-my-work-nurse")
    axe_problems["my work"] = axe_violations(nurse)
    nurse.goto(f"{live_server.url}/patients/?q=Greta")
    axe_problems["patients"] = axe_violations(nurse)
    nurse.locator(f"a[href='/cases/new/{patient.public_id}/']").click()
    nurse.locator("input[name=trigger][value=discharge]").check()
    nurse.select_option("#id_specialist_clinic", label="Njurmedicin Test")
    nurse.fill("#task-filter", "Perito")
    nurse.locator(f"input[name=tasks][value={PD}]").check()
    nurse.fill("#id_background", "Utskriven från njurmedicin med PD; påsbyten fyra gånger dagligen.")
    proposal = nurse.locator("#proposal")
    proposal.get_by_text("Njurmedicin Test").first.wait_for()
    assert "A kommun" in proposal.inner_text()
    assert "5.3" in proposal.inner_text()  # the rule cited
    assert not ResponsibilityCase.objects.exists()  # nothing saved before the nurse says so
    screenshot(nurse, "02-new-case-live-proposal")
    axe_problems["new case"] = axe_violations(nurse)
    record_consent(nurse)
    nurse.locator("button[name=submit]").click()
    nurse.wait_for_url("**/cases/*/")
    case = ResponsibilityCase.objects.get()
    assert case.status == CaseStatus.IN_REVIEW

    # PD is ordered by the clinic: its specialist reviews it (accept or dispute, per task, in one form).
    reviewer = as_user("specialist")
    reviewer.goto(_case_url(live_server, case))
    screenshot(reviewer, "03-case-specialist-review")
    axe_problems["case page"] = axe_violations(reviewer)
    assert reviewer.locator("#action-accept input[value=dispute]").count() == 1
    reviewer.locator("#action-accept button[type=submit]").click()
    reviewer.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == CaseStatus.RISK_ANALYSIS

    nurse.goto(f"{_case_url(live_server, case)}risk-analysis/")
    nurse.fill("#id_hazard-0-description", "Peritonit vid påsbyte")
    nurse.select_option("#id_hazard-0-likelihood", "2")
    nurse.select_option("#id_hazard-0-consequence", "4")
    nurse.locator("#preview-matrix .hazard-marks").first.wait_for()
    screenshot(nurse, "04-risk-analysis-writing")
    axe_problems["risk analysis"] = axe_violations(nurse)
    nurse.locator("#analysis-form button.primary").click()
    nurse.wait_for_load_state()
    case.refresh_from_db()
    assert case.risk_analyses.count() == 1

    specialist = as_user("specialist")
    specialist.goto(f"{_case_url(live_server, case)}risk-analysis/")
    specialist.locator("form[action*='sign_analysis'] button").click()
    specialist.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPROVAL

    mas = as_user("mas.a")
    screenshot(mas, "05-my-work-mas")
    assert mas.locator("#approvals-heading").count() == 1
    mas.goto(f"{_case_url(live_server, case)}risk-analysis/")
    screenshot(mas, "06-risk-analysis-mas")
    mas.locator("form[action*='approve_analysis'] button").click()
    mas.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED

    nurse.goto(_case_url(live_server, case))
    nurse.locator("form[action*='/sip/from-case/'] button").click()
    nurse.wait_for_url("**/sip/*/")
    # Finalising too early names what the law still asks for.
    nurse.locator("button[formaction*='finalise']").click()
    nurse.locator(".error-summary").first.wait_for()
    assert "huvudansvar" in nurse.locator(".error-summary").first.inner_text()
    fill_sip_editor(nurse)
    screenshot(nurse, "07-sip-editor")
    axe_problems["sip"] = axe_violations(nurse)
    nurse.locator("button[formaction*='finalise']").click()
    nurse.wait_for_load_state()
    nurse.locator("#docs-sip_care_plan form button").click()
    download_link = nurse.locator("#docs-sip_care_plan-list a[download]")
    download_link.wait_for()
    screenshot(nurse, "08-sip-pdf-ready")
    with nurse.expect_download() as info:
        download_link.click()
    path = info.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    serious = {name: found for name, found in axe_problems.items() if found}
    assert not serious, serious
