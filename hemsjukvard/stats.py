"""Statistics that must give the same answer in PostgreSQL and in the pure Python fallback (SQLite).

Percentiles are *continuous* (linear interpolation between the two nearest ranks), which is what
PostgreSQL's ``percentile_cont`` computes: for sorted values v₀…vₙ₋₁ the p-th percentile is at rank
p·(n−1). The median of [1, 2, 3, 4] is therefore 2.5, and ties need no special handling.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Expression, FloatField, Func, QuerySet


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """The continuous percentile of ``values`` (None for no values), as PostgreSQL computes it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


class PercentileCont(Aggregate):
    """``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`` (PostgreSQL only)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, *, fraction: float, **extra: Any) -> None:
        fraction = float(fraction)  # a number we chose, formatted into the SQL: never user input
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("fraction must lie between 0 and 1")
        super().__init__(expression, fraction=repr(fraction), **extra)


class DaysBetween(Func):
    """``end − start`` in days, as a float, for two datetime expressions."""

    arity = 2
    output_field = FloatField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s))::double precision / 86400.0)",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra,
        )


def percentiles(
    queryset: QuerySet[Any], expression: Expression | Func, fractions: Sequence[float]
) -> list[float | None]:
    """The continuous percentiles of ``expression`` over ``queryset`` (NULLs ignored).

    On PostgreSQL one aggregate query computes them in the database, so national-scale periods never
    leave it; on SQLite (the embedded demo) the values are fetched and computed in Python.
    """
    if connection.vendor == "postgresql":
        aggregates = {f"p{i}": PercentileCont(expression, fraction=f) for i, f in enumerate(fractions)}
        result = queryset.aggregate(**aggregates)
        return [None if result[f"p{i}"] is None else float(result[f"p{i}"]) for i in range(len(fractions))]
    values = [
        float(v)
        for v in queryset.annotate(_value=expression).values_list("_value", flat=True)
        if v is not None
    ]
    return [percentile_cont(values, f) for f in fractions]
