"""The matrix under the risk-analysis form follows the scores as the nurse types them, before anything
is saved (static/js/risk_matrix.js), under the Content-Security-Policy and without axe violations."""

from __future__ import annotations

import pytest

from cases.models import CaseStatus, RiskAnalysis
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_scoring_a_hazard_marks_its_cell_on_the_matrix_without_saving(
    live_server, world, halland, case_in, as_user
):
    case = case_in(CaseStatus.RISK_ANALYSIS)
    nurse = as_user("nurse.a")
    sent: list[str] = []
    nurse.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    nurse.goto(f"{live_server.url}/cases/{case.public_id}/risk-analysis/")
    cell = nurse.locator("#preview-matrix td[data-likelihood='3'][data-consequence='4']")
    assert "has-hazards" not in (cell.get_attribute("class") or "")
    assert nurse.locator("#preview-matrix .hazard-marks").count() == 0

    nurse.fill("#id_hazard-0-description", "Peritonit vid påsbyte")
    nurse.select_option("#id_hazard-0-likelihood", "3")
    # A likelihood alone puts nothing on the matrix: the hazard needs both scores.
    assert nurse.locator("#preview-matrix .hazard-marks").count() == 0
    nurse.select_option("#id_hazard-0-consequence", "4")

    assert cell.locator(".hazard-marks").inner_text() == "Risk 1"
    assert "has-hazards" in (cell.get_attribute("class") or "")
    listed = nurse.locator("#preview-matrix .hazard-scores")
    assert listed.is_visible()
    assert listed.inner_text() == (
        "Risk 1: Peritonit vid påsbyte – sannolikhet 3 × konsekvens 4 = 12 (Mycket hög risk)"
    )
    assert axe_violations(nurse) == []

    # A changed score moves the hazard; emptying its text takes it off the matrix.
    nurse.select_option("#id_hazard-0-consequence", "2")
    assert cell.locator(".hazard-marks").count() == 0
    moved = nurse.locator("#preview-matrix td[data-likelihood='3'][data-consequence='2']")
    assert moved.locator(".hazard-marks").inner_text() == "Risk 1"
    assert "Måttlig risk" in listed.inner_text()
    nurse.fill("#id_hazard-0-description", "")
    assert nurse.locator("#preview-matrix .hazard-marks").count() == 0
    assert not listed.is_visible()

    # Nothing was sent nor stored.
    assert sent == []
    assert not RiskAnalysis.objects.filter(case=case).exists()
