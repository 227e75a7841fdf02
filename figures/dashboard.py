"""Every figure as text (tables and chart data), the key-figure tiles, and the dashboard that groups them.

The page, the CSV export and the PDF report are all built from ``dashboard_build`` and write every value
through ``figures.present``, so the three cannot disagree: the same selection shows the same text, small
groups as "<5" in all three (the one rule, ``figures.present``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from directory.models import Organisation, OrganisationKind
from hemsjukvard.csv import csv_document

from . import charts, selectors
from .charts import Chart
from .facts import Facts, facts_cached, facts_get, snapshot_facts
from .present import (
    NOTHING,
    count_change_text,
    count_text,
    days_change_text,
    days_text,
    freshness_text,
    share_change_text,
    share_text,
)
from .scope import FigureScope, country_scope, scope_for
from .selectors import FLAGS, Kpis, Period, ShiftTable


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Per row, the drill-down figure (``figures.drilldown``) its cases are listed under, or "".
    drill: tuple[str, ...] = ()

    @property
    def lines(self) -> list[tuple[tuple[str, ...], str]]:
        """The rows with their drill-down figure, for templates."""
        drill = self.drill or ("",) * len(self.rows)
        return list(zip(self.rows, drill, strict=True))


@dataclass(frozen=True)
class Tile:
    """A key figure at the top of the page: its value, and its change since the previous period."""

    key: str
    label: str
    value: str
    change: str = ""
    previous: str = ""
    # The drill-down figure (``figures.drilldown``), or "" when the figure lists no cases.
    drill: str = ""


def shift_columns() -> tuple[str, ...]:
    names = charts.flag_labels()
    columns = [_("Cases")]
    for flag in FLAGS:
        columns += [names[flag], _("%(flag)s, share") % {"flag": names[flag]}]
    columns += [_("Planned with agreement"), _("Planned, share"), _("Unorganised"), _("Unorganised, share")]
    return tuple(columns)


def shift_table_text(table: ShiftTable) -> Table:
    first = {"task_type": _("Task type"), "category": _("Category"), "kommun": _("Kommun")}[table.group]
    rows = []
    drill = []
    for row in (*table.rows, table.total):
        line = [row.label, count_text(row.cases)]
        for cell in (*(row.flags[f] for f in FLAGS), row.planned, row.unorganised):
            line += [count_text(cell), share_text(row.share(cell))]
        rows.append(tuple(line))
        drill.append(f"task-{row.key}" if table.group == "task_type" and row.key != "total" else "")
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
        drill=tuple(drill),
    )


def kpi_text(kpis: Kpis) -> Table:
    lead = kpis.lead_time
    rows: list[tuple[str, str]] = [
        (_("Cases submitted in the period"), count_text(kpis.submitted)),
        (_("Cases agreed in the period"), count_text(lead.cases)),
        (_("Days from submitted to agreed, median"), days_text(lead.median_days, group=lead.cases)),
        (_("Days from submitted to agreed, 90th percentile"), days_text(lead.p90_days, group=lead.cases)),
        (_("Cases disputed"), count_text(kpis.disputed)),
        (_("Cases disputed, share"), share_text(kpis.disputed_share)),
    ]
    for row in kpis.levels:
        rows += [
            (
                _("Cases escalated to level %(level)d or higher") % {"level": row.level},
                count_text(row.reached),
            ),
            (
                _("Cases escalated to level %(level)d or higher, share") % {"level": row.level},
                share_text(kpis.level_share(row)),
            ),
            (
                _("Escalations at level %(level)d that ended in the period") % {"level": row.level},
                count_text(row.stints),
            ),
            (
                _("Days at level %(level)d, median") % {"level": row.level},
                days_text(row.median_days, group=row.stints),
            ),
        ]
    rows += [
        (_("Overdue reviews now"), count_text(kpis.overdue_reviews)),
        (_("Overdue approvals now"), count_text(kpis.overdue_approvals)),
        (
            _("SIPs past their follow-up date now"),
            NOTHING if kpis.sips_past_follow_up is None else count_text(kpis.sips_past_follow_up),
        ),
        (_("Discharge-triggered cases"), count_text(kpis.discharge_cases)),
        (_("… followed by a new discharge-triggered case within 30 days"), count_text(kpis.readmitted)),
        (
            _("… followed by a new discharge-triggered case within 30 days, share"),
            share_text(kpis.readmitted_share),
        ),
    ]
    return Table(key="kpis", title=_("Key figures"), columns=(_("Figure"), _("Value")), rows=tuple(rows))


def open_status_text(kpis: Kpis) -> Table:
    return Table(
        key="open-cases",
        title=_("Open cases by status now"),
        columns=(_("Status"), _("Cases")),
        rows=tuple((str(label), count_text(cell)) for _key, label, cell in kpis.open_by_status),
        drill=tuple(f"status-{key}" for key, _label, _cell in kpis.open_by_status),
    )


def previous_period(period: Period) -> Period:
    """The period of the same length just before ``period``: what the tiles compare with."""
    days = period.end - period.start
    end = period.start - datetime.timedelta(days=1)
    return Period(start=end - days, end=end)


def kpi_tiles(now: Kpis, before: Kpis) -> tuple[Tile, ...]:
    """The key figures at the top of the page, each with its change since the previous period (none
    for the figures of "now", and none where either period's value is not shown)."""
    lead, lead_before = now.lead_time, before.lead_time
    level_1, level_1_before = now.levels[0], before.levels[0]
    return (
        Tile(
            "submitted",
            _("Cases submitted"),
            count_text(now.submitted),
            count_change_text(now.submitted, before.submitted),
            count_text(before.submitted),
            "submitted",
        ),
        Tile(
            "agreed",
            _("Cases agreed"),
            count_text(lead.cases),
            count_change_text(lead.cases, lead_before.cases),
            count_text(lead_before.cases),
            "agreed",
        ),
        Tile(
            "lead-time",
            _("Days from submitted to agreed, median"),
            days_text(lead.median_days, group=lead.cases),
            days_change_text(lead.median_days, lead.cases, lead_before.median_days, lead_before.cases),
            days_text(lead_before.median_days, group=lead_before.cases),
        ),
        Tile(
            "disputed",
            _("Cases disputed"),
            count_text(now.disputed),
            count_change_text(now.disputed, before.disputed),
            count_text(before.disputed),
            "disputed",
        ),
        Tile(
            "disputed-share",
            _("Share of cases disputed"),
            share_text(now.disputed_share),
            share_change_text(now.disputed_share, before.disputed_share),
            share_text(before.disputed_share),
        ),
        Tile(
            "escalated",
            _("Cases escalated"),
            count_text(level_1.reached),
            count_change_text(level_1.reached, level_1_before.reached),
            count_text(level_1_before.reached),
            "escalated",
        ),
        Tile("overdue-reviews", _("Overdue reviews now"), count_text(now.overdue_reviews), drill="overdue"),
        Tile("overdue-approvals", _("Overdue approvals now"), count_text(now.overdue_approvals)),
    )


@dataclass(frozen=True)
class Dashboard:
    scope: FigureScope
    period: Period
    previous: Period
    kpis: Kpis
    tiles: tuple[Tile, ...]
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...]
    # The moment every figure on it describes (``figures.facts``), and whether they come from the snapshot.
    as_of: datetime.datetime
    snapshot: bool
    freshness: str

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    @property
    def kpis_table(self) -> Table:
        return self.table("kpis")

    @property
    def open_table(self) -> Table:
        return self.table("open-cases")

    @property
    def shift_tables(self) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if t.key.startswith("shift-"))

    def chart(self, key: str) -> Chart:
        return next(c for c in self.charts if c.key == key)

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
CHART_KEYS = ("cases-over-time", "lead-time", "escalations", "unclear", "heat-map")


def _remembered(facts: Facts, chart: Chart) -> Chart:
    """``chart`` whose picture, once drawn, is remembered with the snapshot's figures (``facts_cached``)
    under the data it draws and the language: the same data in the same language always gives the same
    picture. Figures counted live are drawn afresh."""
    import hashlib

    digest = hashlib.sha256(repr((chart.key, chart.title, chart.rows, get_language())).encode()).hexdigest()
    draw: Callable[[], SafeString] = chart.draw
    return Chart(
        key=chart.key,
        title=chart.title,
        columns=chart.columns,
        rows=chart.rows,
        note=chart.note,
        drill=chart.drill,
        draw=lambda: facts_cached(facts, f"chart:{chart.key}:{digest}", draw),
    )


def dashboard_build(*, scope: FigureScope, period: Period, facts: Facts | None = None) -> Dashboard:
    facts = facts if facts is not None else facts_get()
    # Every part from the same facts, so that the whole page describes one moment.
    kpis = selectors.kpis(scope=scope, period=period, facts=facts)
    previous = previous_period(period)
    before = selectors.kpis(scope=scope, period=previous, facts=facts)
    by_task = selectors.shift_table(scope=scope, period=period, group="task_type", facts=facts)
    tables = [
        kpi_text(kpis),
        open_status_text(kpis),
        shift_table_text(by_task),
        shift_table_text(selectors.shift_table(scope=scope, period=period, group="category", facts=facts)),
    ]
    if scope.kind == "region":
        tables.append(
            shift_table_text(selectors.shift_table(scope=scope, period=period, group="kommun", facts=facts))
        )
    moves = selectors.status_moves_by_month(scope=scope, period=period, facts=facts)
    buckets = selectors.lead_time_buckets(scope=scope, period=period, facts=facts)
    chart_list = tuple(
        _remembered(facts, chart)
        for chart in (
            charts.cases_over_time(moves),
            charts.lead_time_distribution(buckets),
            charts.escalations_by_level(kpis),
            charts.unclear_by_task_type(kpis.unclear_rows),
            charts.impact_heat_map(by_task),
        )
    )
    return Dashboard(
        scope=scope,
        period=period,
        previous=previous,
        kpis=kpis,
        tiles=kpi_tiles(kpis, before),
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
    country's several, a kommun's a fraction of one (bench/README.md). Drawn in the default language
    (whoever looks sees the same figures: one suppression rule). Returns how many scopes were counted."""
    facts = snapshot_facts()
    if facts is None:
        return 0
    period = selectors.period_parse(None, None, today=today)
    regions = Organisation.objects.filter(kind=OrganisationKind.REGION, is_active=True).order_by("pk")
    # No page shows the country (``figure_scopes`` never offers it): only its key figures.
    selectors.kpis(scope=country_scope(), period=period, facts=facts)
    with translation.override(settings.LANGUAGE_CODE):
        for region in regions:
            board = dashboard_build(scope=scope_for(region), period=period, facts=facts)
            for chart in board.charts:
                chart.svg  # noqa: B018 (drawn to be remembered)
    return 1 + len(regions)


def csv_bytes(table: Table) -> bytes:
    """The table as the product's CSV (``hemsjukvard.csv``: Swedish Excel, no formulas)."""
    return csv_document(table.columns, table.rows)
