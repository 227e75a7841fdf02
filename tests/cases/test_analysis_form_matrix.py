"""The matrix under the risk-analysis form counts the hazards in the form as it stands, with no script:
the hazards sent back with an error, the rows filled in from the template, by the form's numbers."""

from __future__ import annotations

import re

import pytest

from agreements.models import CareTaskType
from agreements.risk_templates import RiskTemplate
from cases.models import CaseStatus, RiskAnalysis
from tests.fixtures.agreements import PD
from tests.fixtures.clients import signed_in

pytestmark = pytest.mark.django_db


def _cell(page: str, likelihood: int, consequence: int) -> str:
    """The form's matrix cell (the last matrix of the page) for a likelihood and a consequence."""
    form_matrix = page[page.index('id="preview-matrix"') :]
    found = re.search(
        rf'<td class="([^"]*)" data-likelihood="{likelihood}" data-consequence="{consequence}">(.*?)</td>',
        form_matrix,
        re.S,
    )
    assert found, (likelihood, consequence)
    return found.group(1) + " | " + found.group(2)


def _counts(matrix) -> dict[tuple[int, int], tuple[int, ...]]:
    return {(c.likelihood, c.consequence): c.hazards for row in matrix for c in row.cells if c.hazards}


def test_the_matrix_of_a_form_sent_back_with_errors_counts_the_hazards_sent(world, case_in):
    case = case_in(CaseStatus.RISK_ANALYSIS)
    data = {
        "version": case.version,
        "hazard-TOTAL_FORMS": "3",
        "hazard-INITIAL_FORMS": "0",
        # Hazard 1 is scored, but its measure has no owner nor due date: the form comes back.
        "hazard-0-description": "Peritonit vid påsbyte",
        "hazard-0-likelihood": "2",
        "hazard-0-consequence": "4",
        "hazard-0-measure": "Utbildning i aseptiskt påsbyte",
        "hazard-1-description": "",
        "hazard-2-description": "Övervätskning",
        "hazard-2-likelihood": "3",
        "hazard-2-consequence": "3",
    }
    response = signed_in(world.users["nurse_a"]).post(f"/cases/{case.public_id}/risk-analysis/", data)
    assert response.status_code == 400
    assert not RiskAnalysis.objects.filter(case=case).exists()
    # Both scored hazards, numbered as the form numbers them (hazard 2 is empty).
    assert _counts(response.context["preview_matrix"]) == {(2, 4): (1,), (3, 3): (3,)}
    page = response.content.decode()
    assert "has-hazards" in _cell(page, 2, 4)
    assert "Risk 1" in _cell(page, 2, 4)
    assert "has-hazards" in _cell(page, 3, 3)
    assert "Risk 3" in _cell(page, 3, 3)
    assert "has-hazards" not in _cell(page, 1, 1)
    assert "Risk 1: Peritonit vid påsbyte – sannolikhet 2 × konsekvens 4 = 8" in page


def test_a_hazard_without_both_scores_is_not_on_the_matrix(world, case_in):
    case = case_in(CaseStatus.RISK_ANALYSIS)
    data = {
        "version": case.version,
        "hazard-TOTAL_FORMS": "1",
        "hazard-INITIAL_FORMS": "0",
        "hazard-0-description": "Fall",
        "hazard-0-likelihood": "2",
    }
    response = signed_in(world.users["nurse_a"]).post(f"/cases/{case.public_id}/risk-analysis/", data)
    assert response.status_code == 400
    assert _counts(response.context["preview_matrix"]) == {}


def test_the_matrix_shows_the_hazards_filled_in_from_the_template(world, case_in, halland):
    RiskTemplate.objects.create(
        version=halland.version,
        task_type=CareTaskType.objects.get(code=PD),
        hazards=[
            {
                "description": "Peritonit",
                "cause": "Aseptik.",
                "consequence": "Sepsis.",
                "likelihood": 2,
                "severity": 4,
                "measures": [],
            }
        ],
    )
    case = case_in(CaseStatus.RISK_ANALYSIS)
    data = {
        "version": case.version,
        "hazard-TOTAL_FORMS": "1",
        "hazard-INITIAL_FORMS": "0",
        "hazard-0-description": "Fall vid påsbyte",
        "hazard-0-likelihood": "1",
        "hazard-0-consequence": "3",
        "from_template": "1",
    }
    response = signed_in(world.users["nurse_a"]).post(f"/cases/{case.public_id}/risk-analysis/", data)
    assert response.status_code == 200
    assert _counts(response.context["preview_matrix"]) == {(1, 3): (1,), (2, 4): (2,)}
