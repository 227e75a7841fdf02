"""Every figure as a table of text, and the dashboard that groups them with their charts.

The page, the CSV export and the PDF report are all built from ``dashboard_build``, so they cannot
disagree. ``suppress`` decides whether groups of fewer than five patients show as "<5": always in
exports, and on pages viewed from outside the organisation (``figures.scope``).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from directory.models import Organisation, OrganisationKind
from hemsjukvard.csv import csv_document

from . import charts, selectors
from .facts import Facts, facts_cached, facts_get, snapshot_facts
from .present import count_text, days_text, freshness_text, share_text
from .scope import FigureScope, country_scope, scope_for
from .selectors import FLAGS, Kpis, Period, ShiftTable


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def shift_columns() -> tuple[str, ...]:
    names = charts.flag_labels()
    columns = [_("Cases")]
    for flag in FLAGS:
        columns += [names[flag], _("%(flag)s, share") % {"flag": names[flag]}]
    columns += [_("Planned with agreement"), _("Planned, share"), _("Unorganised"), _("Unorganised, share")]
    return tuple(columns)


def shift_table_text(table: ShiftTable, *, suppress: bool) -> Table:
    first = {"task_type": _("Task type"), "category": _("Category"), "kommun": _("Kommun")}[table.group]
    rows = []
    for row in (*table.rows, table.total):
        line = [row.label, count_text(row.cases, suppress=suppress)]
        for cell in (*(row.flags[f] for f in FLAGS), row.planned, row.unorganised):
            line += [count_text(cell, suppress=suppress), share_text(row.share(cell), suppress=suppress)]
        rows.append(tuple(line))
    titles = {
        "task_type": _("Care shifted, per task type"),
        "category": _("Care shifted, per category"),
        "kommun": _("Care shifted, per kommun"),
    }
    return Table(
        key=f"shift-{table.group}",
        title=titles[table.group],
        columns=(first, *shift_columns()),
        rows=tuple(rows),
    )


def kpi_text(kpis: Kpis, *, suppress: bool) -> Table:
    lead = kpis.lead_time
    rows: list[tuple[str, str]] = [
        (_("Cases submitted in the period"), count_text(kpis.submitted, suppress=suppress)),
        (_("Cases agreed in the period"), count_text(lead.cases, suppress=suppress)),
        (
            _("Days from submitted to agreed, median"),
            days_text(lead.median_days, suppressed=suppress and lead.suppressed),
        ),
        (
            _("Days from submitted to agreed, 90th percentile"),
            days_text(lead.p90_days, suppressed=suppress and lead.suppressed),
        ),
        (_("Cases disputed"), count_text(kpis.disputed, suppress=suppress)),
        (_("Cases disputed, share"), share_text(kpis.disputed_share, suppress=suppress)),
    ]
    for row in kpis.levels:
        rows += [
            (
                _("Cases escalated to level %(level)d or higher") % {"level": row.level},
                count_text(row.reached, suppress=suppress),
            ),
            (
                _("Cases escalated to level %(level)d or higher, share") % {"level": row.level},
                share_text(kpis.level_share(row), suppress=suppress),
            ),
            (
                _("Days at level %(level)d, median") % {"level": row.level},
                days_text(row.median_days, suppressed=suppress and row.stints.suppressed),
            ),
        ]
    rows += [
        (_("Overdue reviews now"), count_text(kpis.overdue_reviews, suppress=suppress)),
        (_("Overdue approvals now"), count_text(kpis.overdue_approvals, suppress=suppress)),
        (
            _("SIPs past their follow-up date now"),
            "–"
            if kpis.sips_past_follow_up is None
            else count_text(kpis.sips_past_follow_up, suppress=suppress),
        ),
        (_("Discharge-triggered cases"), count_text(kpis.discharge_cases, suppress=suppress)),
        (
            _("… followed by a new discharge-triggered case within 30 days"),
            count_text(kpis.readmitted, suppress=suppress),
        ),
        (
            _("… followed by a new discharge-triggered case within 30 days, share"),
            share_text(kpis.readmitted_share, suppress=suppress),
        ),
    ]
    return Table(key="kpis", title=_("Key figures"), columns=(_("Figure"), _("Value")), rows=tuple(rows))


def open_status_text(kpis: Kpis, *, suppress: bool) -> Table:
    return Table(
        key="open-cases",
        title=_("Open cases by status now"),
        columns=(_("Status"), _("Cases")),
        rows=tuple(
            (str(label), count_text(cell, suppress=suppress)) for _key, label, cell in kpis.open_by_status
        ),
    )


def unclear_text(kpis: Kpis, *, suppress: bool) -> Table:
    return Table(
        key="unclear",
        title=_("Tasks with unclear responsibility, per task type"),
        columns=(_("Task type"), _("Unclear tasks"), _("Of which not yet decided")),
        rows=tuple(
            (
                row.label,
                count_text(row.unclear, suppress=suppress),
                count_text(row.undecided, suppress=suppress),
            )
            for row in kpis.unclear_rows
        ),
    )


@dataclass(frozen=True)
class Dashboard:
    scope: FigureScope
    period: Period
    suppress: bool
    kpis: Kpis
    tables: tuple[Table, ...]
    charts: tuple[charts.Chart, ...]
    # The moment every figure on it describes (``figures.facts``), and whether they come from the snapshot.
    as_of: datetime.datetime
    snapshot: bool
    freshness: str

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def figure(self, key: str) -> Table:
        """Any figure (table or chart data) by its key, for the CSV export."""
        for table in self.tables:
            if table.key == key:
                return table
        for chart in self.charts:
            if chart.key == key:
                return Table(key=chart.key, title=chart.title, columns=chart.columns, rows=chart.rows)
        raise KeyError(key)


FIGURE_KEYS = (
    "kpis",
    "open-cases",
    "unclear",
    "shift-task_type",
    "shift-category",
    "shift-kommun",
    "cases-over-time",
    "lead-time",
    "escalations",
    "heat-map",
)


def _chart(
    facts: Facts, key: str, draw: Callable[[], charts.Chart], *data: object, suppress: bool
) -> charts.Chart:
    """``draw()``, remembered with the snapshot's figures (``facts_cached``) under the data it draws,
    ``suppress`` and the language: drawing the charts took most of a page's time once the figures were
    remembered (bench/README.md). The same data in the same language always gives the same picture;
    figures counted live are drawn afresh."""
    digest = hashlib.sha256(repr((data, suppress, get_language())).encode()).hexdigest()
    return facts_cached(facts, f"chart:{key}:{digest}", draw)


def dashboard_build(
    *, scope: FigureScope, period: Period, suppress: bool, facts: Facts | None = None
) -> Dashboard:
    facts = facts if facts is not None else facts_get()
    # Every part from the same facts, so that the whole page describes one moment.
    kpis = selectors.kpis(scope=scope, period=period, facts=facts)
    by_task = selectors.shift_table(scope=scope, period=period, group="task_type", facts=facts)
    tables = [
        kpi_text(kpis, suppress=suppress),
        open_status_text(kpis, suppress=suppress),
        unclear_text(kpis, suppress=suppress),
        shift_table_text(by_task, suppress=suppress),
        shift_table_text(
            selectors.shift_table(scope=scope, period=period, group="category", facts=facts),
            suppress=suppress,
        ),
    ]
    if scope.kind == "region":
        tables.append(
            shift_table_text(
                selectors.shift_table(scope=scope, period=period, group="kommun", facts=facts),
                suppress=suppress,
            )
        )
    moves = selectors.status_moves_by_month(scope=scope, period=period, facts=facts)
    buckets = selectors.lead_time_buckets(scope=scope, period=period, facts=facts)
    chart_list = (
        _chart(
            facts,
            "cases-over-time",
            lambda: charts.cases_over_time(moves, suppress=suppress),
            moves,
            suppress=suppress,
        ),
        _chart(
            facts,
            "lead-time",
            lambda: charts.lead_time_distribution(buckets, suppress=suppress),
            buckets,
            suppress=suppress,
        ),
        _chart(
            facts,
            "escalations",
            lambda: charts.escalations_by_level(kpis, suppress=suppress),
            kpis.levels,
            kpis.submitted,
            suppress=suppress,
        ),
        _chart(
            facts,
            "heat-map",
            lambda: charts.impact_heat_map(by_task, suppress=suppress),
            by_task,
            suppress=suppress,
        ),
    )
    return Dashboard(
        scope=scope,
        period=period,
        suppress=suppress,
        kpis=kpis,
        tables=tuple(tables),
        charts=chart_list,
        as_of=kpis.as_of,
        snapshot=kpis.snapshot,
        freshness=freshness_text(as_of=kpis.as_of, snapshot=kpis.snapshot),
    )


def dashboard_warm(*, today: datetime.date | None = None) -> int:
    """Count and draw what every region's dashboard shows for the default period, and count the
    country's key figures, from the current snapshot and remember them (``facts_cached``), so that
    nobody waits for them: a region's figures take a second or more to count at national scale, the
    country's several, a kommun's a fraction of one (bench/README.md). Drawn in the default language,
    as seen from inside (the region's coordinators) and from outside (governance, small groups
    suppressed). Returns how many scopes were counted."""
    facts = snapshot_facts()
    if facts is None:
        return 0
    period = selectors.period_parse(None, None, today=today)
    regions = Organisation.objects.filter(kind=OrganisationKind.REGION, is_active=True).order_by("pk")
    # No page shows the country (``figure_scopes`` never offers it): only its key figures.
    selectors.kpis(scope=country_scope(), period=period, facts=facts)
    with translation.override(settings.LANGUAGE_CODE):
        for region in regions:
            for suppress in (False, True):
                dashboard_build(scope=scope_for(region), period=period, suppress=suppress, facts=facts)
    return 1 + len(regions)


def csv_bytes(table: Table) -> bytes:
    """The table as the product's CSV (``hemsjukvard.csv``: Swedish Excel, no formulas)."""
    return csv_document(table.columns, table.rows)
