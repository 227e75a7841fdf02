"""Charts as SVG, drawn on the server by matplotlib, so the page and the PDF report show the same picture.

matplotlib runs without pyplot (no global state, no GUI backend) on its SVG canvas, with DejaVu Sans and
text kept as text. Nothing is fetched: no images are embedded (the heat map is vector cells), so the PDF
pipeline's fetcher, which refuses every ``data:`` URL, never sees one. Each chart comes with its data as
a table (the text alternative for screen readers) and each series carries an SVG id
(``series-<key>-<n>``) so tests and scripts can find it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .present import SUPPRESSED, chart_value, count_text, share_text
from .selectors import FLAGS, Cell, Kpis, MonthlySeries, ShiftTable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# matplotlib is imported where a chart is drawn, not when the module is: importing it costs most of a
# second, which every web worker would otherwise pay before its first request, whatever the page.

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.fonttype": "none",
    "svg.hashsalt": "hemsjukvard-figures",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# Colour-blind-safe (Okabe–Ito) and distinguishable in greyscale print by hatching where stacked.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "oo", "--")


def _rc() -> Any:
    import matplotlib

    return matplotlib.rc_context(RC)  # type: ignore[arg-type]  # our keys are valid rcParams


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    svg: SafeString
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""

    @property
    def table_id(self) -> str:
        return f"chart-{self.key}-data"

    @property
    def title_id(self) -> str:
        return f"chart-{self.key}-title"


def flag_labels() -> dict[str, str]:
    return {
        "increased_staff_time": _("More staff time"),
        "increased_other_costs": _("Other costs"),
        "competence_needed": _("Competence needed"),
        "patient_safety_risk": _("Patient-safety risk"),
    }


def _svg(figure: Figure, *, key: str, title: str) -> SafeString:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.StringIO()
    FigureCanvasSVG(figure)
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    title_id = f"chart-{key}-title"
    text = re.sub(
        r"^<svg\b",
        f'<svg role="img" aria-labelledby="{title_id}" aria-describedby="chart-{key}-data" '
        f'class="chart" id="chart-{key}"',
        text,
        count=1,
    )
    head_end = text.index(">") + 1
    text = text[:head_end] + f'<title id="{title_id}-svg">{escape(title)}</title>' + text[head_end:]
    return mark_safe(text)  # noqa: S308 (matplotlib escapes its text; the title is escaped above)


def _figure(width: float = 7.0, height: float = 3.4) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def cases_over_time(series: MonthlySeries, *, suppress: bool) -> Chart:
    title = _("Cases moving into each status, per month")
    months = [date_format(m, "M Y") for m in series.months]
    with _rc():
        figure = _figure()
        axes = figure.add_subplot()
        bottoms = [0] * len(months)
        for index, (key, label, cells) in enumerate(series.series):
            values = [chart_value(c, suppress=suppress) for c in cells]
            bars = axes.bar(
                range(len(months)),
                values,
                bottom=bottoms,
                label=label,
                color=PALETTE[index % len(PALETTE)],
                hatch=HATCHES[index % len(HATCHES)],
                edgecolor="white",
                linewidth=0.4,
            )
            for n, patch in enumerate(bars.patches):
                patch.set_gid(f"series-{key}-{n}")
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        axes.set_xticks(range(len(months)), months, rotation=45, ha="right")
        axes.set_ylabel(_("Cases"))
        if series.series:
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
        else:
            axes.text(
                0.5, 0.5, _("No cases in the period"), ha="center", va="center", transform=axes.transAxes
            )
        svg = _svg(figure, key="cases-over-time", title=title)
    columns = (_("Month"), *(label for _key, label, _cells in series.series))
    rows = tuple(
        (month, *(count_text(cells[i], suppress=suppress) for _key, _label, cells in series.series))
        for i, month in enumerate(months)
    )
    return Chart(key="cases-over-time", title=title, svg=svg, columns=columns, rows=rows)


def lead_time_distribution(buckets: Sequence[tuple[str, Cell]], *, suppress: bool) -> Chart:
    title = _("Days from submitted to agreed")
    with _rc():
        figure = _figure(6.0, 3.0)
        axes = figure.add_subplot()
        values = [chart_value(cell, suppress=suppress) for _label, cell in buckets]
        bars = axes.bar([label for label, _cell in buckets], values, color=PALETTE[0])
        for n, patch in enumerate(bars.patches):
            patch.set_gid(f"series-lead-time-{n}")
        axes.set_xlabel(_("Days"))
        axes.set_ylabel(_("Cases"))
        svg = _svg(figure, key="lead-time", title=title)
    return Chart(
        key="lead-time",
        title=title,
        svg=svg,
        columns=(_("Days"), _("Cases")),
        rows=tuple((label, count_text(cell, suppress=suppress)) for label, cell in buckets),
    )


def escalations_by_level(kpis: Kpis, *, suppress: bool) -> Chart:
    title = _("Cases escalated, by highest level reached")
    labels = [_("Level %(level)d") % {"level": row.level} for row in kpis.levels]
    with _rc():
        figure = _figure(6.0, 3.0)
        axes = figure.add_subplot()
        values = [chart_value(row.reached, suppress=suppress) for row in kpis.levels]
        bars = axes.bar(labels, values, color=PALETTE[3])
        for n, patch in enumerate(bars.patches):
            patch.set_gid(f"series-escalated-{n}")
        axes.set_ylabel(_("Cases"))
        svg = _svg(figure, key="escalations", title=title)
    return Chart(
        key="escalations",
        title=title,
        svg=svg,
        columns=(_("Level"), _("Cases"), _("Share of submitted cases")),
        rows=tuple(
            (
                label,
                count_text(row.reached, suppress=suppress),
                share_text(kpis.level_share(row), suppress=suppress),
            )
            for label, row in zip(labels, kpis.levels, strict=True)
        ),
    )


def impact_heat_map(table: ShiftTable, *, suppress: bool) -> Chart:
    """Share of cases carrying each impact flag, per row of the vårdöverskjutning table."""
    title = _("Impact flags: share of cases flagged")
    names = flag_labels()
    rows = list(table.rows)
    with _rc():
        figure = _figure(7.0, max(2.2, 0.42 * len(rows) + 1.4))
        axes = figure.add_subplot()
        grid: list[list[float]] = []
        for row in rows:
            line = []
            for flag in FLAGS:
                share = row.share(row.flags[flag])
                hidden = suppress and share.suppressed
                line.append(float("nan") if hidden or share.ratio is None else share.ratio)
            grid.append(line)
        if rows:
            mesh = axes.pcolormesh(grid, cmap="Blues", vmin=0.0, vmax=1.0, edgecolors="white", linewidth=1)
            mesh.set_gid("series-heat-map")
            for y, line in enumerate(grid):
                for x, value in enumerate(line):
                    text = SUPPRESSED if value != value else f"{round(value * 100)} %"
                    axes.text(
                        x + 0.5,
                        y + 0.5,
                        text,
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if value == value and value > 0.6 else "black",
                    )
            axes.set_xticks([i + 0.5 for i in range(len(FLAGS))], [names[f] for f in FLAGS])
            axes.set_yticks([i + 0.5 for i in range(len(rows))], [row.label for row in rows])
            axes.invert_yaxis()
            axes.tick_params(length=0)
            for spine in axes.spines.values():
                spine.set_visible(False)
        else:
            axes.set_axis_off()
            axes.text(
                0.5, 0.5, _("No cases in the period"), ha="center", va="center", transform=axes.transAxes
            )
        svg = _svg(figure, key="heat-map", title=title)
    return Chart(
        key="heat-map",
        title=title,
        svg=svg,
        columns=(_("Task"), _("Cases"), *(names[f] for f in FLAGS)),
        rows=tuple(
            (
                row.label,
                count_text(row.cases, suppress=suppress),
                *(share_text(row.share(row.flags[f]), suppress=suppress) for f in FLAGS),
            )
            for row in rows
        ),
    )
