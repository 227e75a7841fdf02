"""The risk matrix's one rule: a score (likelihood × consequence) of 8 or more is high; its words."""

from __future__ import annotations

import pytest
from django.utils import translation

from cases.risk import HIGH_RISK_SCORE, RiskLevel, is_high, risk_level, risk_matrix, risk_score, risk_words


@pytest.mark.parametrize(
    ("likelihood", "consequence", "level"),
    [
        (1, 1, RiskLevel.LOW),
        (1, 3, RiskLevel.LOW),
        (2, 2, RiskLevel.MODERATE),
        (1, 4, RiskLevel.MODERATE),
        (3, 2, RiskLevel.MODERATE),
        (2, 4, RiskLevel.HIGH),
        (3, 3, RiskLevel.HIGH),
        (3, 4, RiskLevel.VERY_HIGH),
        (4, 4, RiskLevel.VERY_HIGH),
    ],
)
def test_the_level_of_a_score(likelihood: int, consequence: int, level: RiskLevel) -> None:
    score = risk_score(likelihood, consequence)
    assert risk_level(score) == level
    assert is_high(score) == (level in {RiskLevel.HIGH, RiskLevel.VERY_HIGH}) == (score >= HIGH_RISK_SCORE)


def test_the_words_are_in_the_active_language() -> None:
    with translation.override("sv"):
        assert [risk_words(score) for score in (1, 4, 8, 12)] == [
            "Låg risk",
            "Måttlig risk",
            "Hög risk",
            "Mycket hög risk",
        ]
    with translation.override("en"):
        assert risk_words(8) == "High risk"


class _Hazard:
    def __init__(self, likelihood: int, consequence: int) -> None:
        self.likelihood = likelihood
        self.consequence = consequence


def test_the_matrix_places_each_hazard_by_its_number() -> None:
    matrix = risk_matrix([_Hazard(2, 4), _Hazard(1, 1), _Hazard(2, 4)])
    assert [row.consequence for row in matrix] == [4, 3, 2, 1]
    assert all([cell.likelihood for cell in row.cells] == [1, 2, 3, 4] for row in matrix)
    top = matrix.rows[0]
    assert top.cells[1].hazards == (1, 3)
    assert (top.cells[1].score, top.cells[1].count, top.cells[1].high, top.cells[1].css) == (
        8,
        2,
        True,
        "risk-high",
    )
    assert matrix.rows[3].cells[0].hazards == (2,)
    assert matrix.rows[3].cells[0].css == "risk-low"
    assert sum(cell.count for row in matrix for cell in row.cells) == 3
    assert matrix.high_risk_score == HIGH_RISK_SCORE
