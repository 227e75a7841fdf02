"""Socialstyrelsen's risk matrix: likelihood 1–4 × consequence 1–4, and what a score means.

The one place for the clinical rule "a risk score of 8 or more is high", the words for each level and
the matrix itself: the case page, the risk-analysis PDF, the FHIR export and the case services all read
them from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from django.db import models
from django.utils.translation import gettext_lazy as _

# Likelihood and consequence are each scored on this scale.
SCALE = (1, 2, 3, 4)
HIGH_RISK_SCORE = 8
VERY_HIGH_RISK_SCORE = 12
MODERATE_RISK_SCORE = 4


class RiskLevel(models.TextChoices):
    """The level of a score; its value is also the page's CSS class (``risk-<value>``)."""

    LOW = "low", _("Low risk")
    MODERATE = "medium", _("Moderate risk")
    HIGH = "high", _("High risk")
    VERY_HIGH = "very-high", _("Very high risk")

    @property
    def css(self) -> str:
        return f"risk-{self.value}"


class Scored(Protocol):
    """Anything scored on the matrix: a stored hazard, a hazard being entered, a row of a report."""

    @property
    def likelihood(self) -> int: ...

    @property
    def consequence(self) -> int: ...


def risk_score(likelihood: int, consequence: int) -> int:
    return likelihood * consequence


def is_high(score: int) -> bool:
    """Whether a score is high risk (8 or more): what needs a measure and what reports count."""
    return score >= HIGH_RISK_SCORE


def risk_level(score: int) -> RiskLevel:
    if score >= VERY_HIGH_RISK_SCORE:
        return RiskLevel.VERY_HIGH
    if is_high(score):
        return RiskLevel.HIGH
    if score >= MODERATE_RISK_SCORE:
        return RiskLevel.MODERATE
    return RiskLevel.LOW


def risk_words(score: int) -> str:
    """The level in words, in the active language (e.g. "High risk")."""
    return str(risk_level(score).label)


@dataclass(frozen=True)
class MatrixCell:
    """One cell of the matrix and the hazards scored in it (their numbers, counted from 1)."""

    likelihood: int
    consequence: int
    hazards: tuple[int, ...]

    @property
    def score(self) -> int:
        return risk_score(self.likelihood, self.consequence)

    @property
    def level(self) -> RiskLevel:
        return risk_level(self.score)

    @property
    def high(self) -> bool:
        return is_high(self.score)

    @property
    def css(self) -> str:
        return self.level.css

    @property
    def words(self) -> str:
        return str(self.level.label)

    @property
    def count(self) -> int:
        return len(self.hazards)


@dataclass(frozen=True)
class MatrixRow:
    consequence: int
    cells: tuple[MatrixCell, ...]


@dataclass(frozen=True)
class RiskMatrix:
    """Rows from consequence 4 (top) to 1; in each, the cells from likelihood 1 to 4. Iterating gives
    the rows, so a template writes ``{% for row in matrix %}``."""

    rows: tuple[MatrixRow, ...]
    high_risk_score: int = HIGH_RISK_SCORE

    def __iter__(self) -> Iterator[MatrixRow]:
        return iter(self.rows)


def risk_matrix(hazards: Iterable[Scored]) -> RiskMatrix:
    """The matrix of ``hazards``, numbered from 1 in the order given, or by their own ``number`` where
    they have one (the hazards of a form being filled in keep the form's numbers)."""
    numbers: dict[tuple[int, int], list[int]] = {}
    for position, hazard in enumerate(hazards, start=1):
        number = getattr(hazard, "number", position)
        numbers.setdefault((hazard.likelihood, hazard.consequence), []).append(number)
    return RiskMatrix(
        rows=tuple(
            MatrixRow(
                consequence=consequence,
                cells=tuple(
                    MatrixCell(
                        likelihood=likelihood,
                        consequence=consequence,
                        hazards=tuple(numbers.get((likelihood, consequence), ())),
                    )
                    for likelihood in SCALE
                ),
            )
            for consequence in reversed(SCALE)
        )
    )
