"""Charts as SVG, drawn on the server by matplotlib: one chart per question the figures answer.

matplotlib runs without pyplot (no global state, no GUI backend) on its SVG canvas, with DejaVu Sans and
text kept as text, and is imported only when a chart is drawn (importing it costs most of a second, which
every web worker would otherwise pay before its first request). A ``Chart`` carries its data at once —
title, the table that is its text alternative and its CSV — and draws its picture only when asked
(``Chart.svg``): the page links to each picture (``figures:chart``), so it never waits for one.

Nothing is fetched: no images are embedded (the heat map is vector cells), so the PDF pipeline's fetcher,
which refuses every ``data:`` URL, never sees one. Series are told apart by colour (Okabe–Ito, safe for
colour-blind readers, never two alike) and by marker or line style, so they survive greyscale print. Each
series carries an SVG id (``series-<key>-<n>``) so tests and scripts can find it. Every number on a chart
is written as the tables write it (``figures.present``), small groups as "<5".
"""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cases.models import CaseStatus

from .present import chart_value, count_text, number_text, share_text
from .selectors import FLAGS, Cell, Kpis, MonthlySeries, ShiftTable, UnclearRow

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.fonttype": "none",
    "svg.hashsalt": "hemsjukvard-figures",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# Okabe–Ito: told apart by readers with any common colour-vision deficiency. Seven colours (its yellow is
# left out: too pale on white); no chart draws more series than that.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES = ("-", "--", "-.", ":", "-", "--", "-.")
# The moves that tell how cases flow: new, agreed, disputed, escalated, closed.
FLOW_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.AGREED,
    CaseStatus.DISPUTED,
    CaseStatus.ESCALATED,
    CaseStatus.CLOSED,
)
# The unclear-tasks chart shows the largest task types; its table and CSV hold them all.
UNCLEAR_BARS = 12


# One chart at a time per process: matplotlib's first import is not safe to run in two threads at once
# (a threaded server asks for a page's five pictures together), and ``rc_context`` changes its global
# settings for as long as a chart is drawn.
_DRAWING = threading.RLock()


@contextlib.contextmanager
def _rc() -> Iterator[None]:
    with _DRAWING:
        import matplotlib

        with matplotlib.rc_context(RC):  # type: ignore[arg-type]  # our keys are valid rcParams
            yield


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    draw: Callable[[], SafeString]
    note: str = ""
    # Per row, the drill-down figure (``figures.drilldown``) its cases are listed under, or "".
    drill: tuple[str, ...] = ()

    @property
    def lines(self) -> list[tuple[tuple[str, ...], str]]:
        drill = self.drill or ("",) * len(self.rows)
        return list(zip(self.rows, drill, strict=True))

    @property
    def svg(self) -> SafeString:
        return self.draw()

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


def _count_axis(axes: Axes, axis: str = "y") -> None:
    """Whole numbers only, written as the tables write them (``1 234``, never ``4.0``)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    target = axes.yaxis if axis == "y" else axes.xaxis
    target.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    target.set_major_formatter(FuncFormatter(lambda value, _position: number_text(value)))
    # Counts that are all small ("<5", drawn as no bar) still get a scale that reads 0 to 5, not "0" alone.
    _low, high = axes.get_ylim() if axis == "y" else axes.get_xlim()
    if high < 5:
        (axes.set_ylim if axis == "y" else axes.set_xlim)(0, 5)


def _label_bars(axes: Axes, bars: Any, cells: Sequence[Cell], *, horizontal: bool = False) -> None:
    """The count on each bar, "<5" on a small group's (which draws no bar)."""
    for patch, cell in zip(bars.patches, cells, strict=True):
        if cell.value == 0:
            continue
        if horizontal:
            axes.annotate(
                count_text(cell),
                (patch.get_width(), patch.get_y() + patch.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        else:
            axes.annotate(
                count_text(cell),
                (patch.get_x() + patch.get_width() / 2, patch.get_height()),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                fontsize=8,
            )


def _nothing(axes: Axes) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, _("No cases in the period"), ha="center", va="center", transform=axes.transAxes)


def cases_over_time(series: MonthlySeries) -> Chart:
    title = _("Cases over time: how many cases moved into each status, per month")
    months = [date_format(m, "M Y") for m in series.months]
    drawn = [(key, label, cells) for key, label, cells in series.series if key in FLOW_STATUSES]

    def draw() -> SafeString:
        with _rc():
            figure = _figure(7.2, 3.4)
            axes = figure.add_subplot()
            for index, (key, label, cells) in enumerate(drawn):
                (line,) = axes.plot(
                    range(len(months)),
                    [chart_value(c) for c in cells],
                    label=label,
                    color=PALETTE[index],
                    marker=MARKERS[index],
                    linestyle=LINESTYLES[index],
                    markersize=4,
                    linewidth=1.6,
                )
                line.set_gid(f"series-{key}-0")
            step = max(1, len(months) // 12)
            axes.set_xticks(range(0, len(months), step), months[::step], rotation=45, ha="right")
            axes.set_ylabel(_("Cases that moved into the status"))
            axes.set_ylim(bottom=0)
            _count_axis(axes)
            if drawn:
                axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
            else:
                _nothing(axes)
            return _svg(figure, key="cases-over-time", title=title)

    columns = (_("Month"), *(label for _key, label, _cells in drawn))
    rows = tuple(
        (month, *(count_text(cells[i]) for _key, _label, cells in drawn)) for i, month in enumerate(months)
    )
    return Chart(key="cases-over-time", title=title, columns=columns, rows=rows, draw=draw)


def lead_time_distribution(buckets: Sequence[tuple[str, Cell]]) -> Chart:
    title = _("Lead time: days from submitted to agreed, for the cases agreed in the period")

    def draw() -> SafeString:
        with _rc():
            figure = _figure(6.0, 3.0)
            axes = figure.add_subplot()
            cells = [cell for _label, cell in buckets]
            bars = axes.bar(
                [label for label, _cell in buckets], [chart_value(c) for c in cells], color=PALETTE[0]
            )
            for n, patch in enumerate(bars.patches):
                patch.set_gid(f"series-lead-time-{n}")
            _label_bars(axes, bars, cells)
            axes.set_xlabel(_("Days from submitted to agreed"))
            axes.set_ylabel(_("Cases agreed"))
            _count_axis(axes)
            return _svg(figure, key="lead-time", title=title)

    return Chart(
        key="lead-time",
        title=title,
        columns=(_("Days from submitted to agreed"), _("Cases agreed")),
        rows=tuple((label, count_text(cell)) for label, cell in buckets),
        draw=draw,
    )


def escalations_by_level(kpis: Kpis) -> Chart:
    title = _("Escalations: cases submitted in the period that reached each level")
    labels = [_("Level %(level)d") % {"level": row.level} for row in kpis.levels]

    def draw() -> SafeString:
        with _rc():
            figure = _figure(6.0, 3.0)
            axes = figure.add_subplot()
            cells = [row.reached for row in kpis.levels]
            bars = axes.bar(labels, [chart_value(c) for c in cells], color=PALETTE[3])
            for n, patch in enumerate(bars.patches):
                patch.set_gid(f"series-escalated-{n}")
            _label_bars(axes, bars, cells)
            axes.set_ylabel(_("Cases escalated to the level or higher"))
            _count_axis(axes)
            return _svg(figure, key="escalations", title=title)

    return Chart(
        key="escalations",
        title=title,
        columns=(_("Level"), _("Cases escalated to the level or higher"), _("Share of submitted cases")),
        rows=tuple(
            (label, count_text(row.reached), share_text(kpis.level_share(row)))
            for label, row in zip(labels, kpis.levels, strict=True)
        ),
        draw=draw,
    )


def unclear_by_task_type(rows: Sequence[UnclearRow]) -> Chart:
    title = _("Unclear responsibility: tasks per task type")
    shown = list(rows[:UNCLEAR_BARS])
    note = (
        _("The chart shows the %(count)d task types with the most unclear tasks; the table holds all.")
        % {"count": UNCLEAR_BARS}
        if len(rows) > UNCLEAR_BARS
        else ""
    )

    def draw() -> SafeString:
        with _rc():
            figure = _figure(7.0, max(2.2, 0.38 * len(shown) + 1.2))
            axes = figure.add_subplot()
            if not shown:
                _nothing(axes)
                return _svg(figure, key="unclear", title=title)
            positions = list(range(len(shown)))
            height = 0.4
            for index, (name, label) in enumerate(
                (("unclear", _("Unclear tasks")), ("undecided", _("Of which not yet decided")))
            ):
                cells = [getattr(row, name) for row in shown]
                bars = axes.barh(
                    [p + (index - 0.5) * height for p in positions],
                    [chart_value(c) for c in cells],
                    height=height,
                    color=PALETTE[index],
                    hatch="" if index == 0 else "//",
                    edgecolor="white",
                    label=label,
                )
                for n, patch in enumerate(bars.patches):
                    patch.set_gid(f"series-{name}-{n}")
                _label_bars(axes, bars, cells, horizontal=True)
            axes.set_yticks(
                positions, [textwrap.fill(row.label, 32, break_long_words=False) for row in shown]
            )
            axes.invert_yaxis()
            axes.set_xlabel(_("Tasks with unclear responsibility, on cases submitted in the period"))
            _count_axis(axes, "x")
            # Above the bars, never on them.
            axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, frameon=False, fontsize=8)
            return _svg(figure, key="unclear", title=title)

    return Chart(
        key="unclear",
        title=title,
        columns=(_("Task type"), _("Unclear tasks"), _("Of which not yet decided")),
        rows=tuple((row.label, count_text(row.unclear), count_text(row.undecided)) for row in rows),
        drill=tuple(f"unclear-{row.key}" for row in rows),
        draw=draw,
        note=note,
    )


def impact_heat_map(table: ShiftTable) -> Chart:
    """Share of cases carrying each impact flag (vårdöverskjutning), per task type."""
    title = _("Care shifted: share of cases with each impact, per task type")
    names = flag_labels()
    rows = list(table.rows)

    def draw() -> SafeString:
        with _rc():
            figure = _figure(7.2, max(2.4, 0.42 * len(rows) + 1.6))
            axes = figure.add_subplot()
            if not rows:
                _nothing(axes)
                return _svg(figure, key="heat-map", title=title)
            grid: list[list[float]] = []
            for row in rows:
                line = []
                for flag in FLAGS:
                    share = row.share(row.flags[flag])
                    hidden = share.part.suppressed or share.whole.suppressed
                    line.append(float("nan") if hidden or share.ratio is None else share.ratio)
                grid.append(line)
            mesh = axes.pcolormesh(grid, cmap="Blues", vmin=0.0, vmax=1.0, edgecolors="white", linewidth=1)
            mesh.set_gid("series-heat-map")
            for y, line in enumerate(grid):
                for x, value in enumerate(line):
                    text = share_text(rows[y].share(rows[y].flags[FLAGS[x]]))
                    axes.text(
                        x + 0.5,
                        y + 0.5,
                        text,
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if value == value and value > 0.6 else "black",
                    )
            # Column labels above the grid, wrapped, so that none runs into the next.
            axes.xaxis.tick_top()
            axes.set_xticks(
                [i + 0.5 for i in range(len(FLAGS))],
                [textwrap.fill(names[f], 16, break_long_words=False) for f in FLAGS],
                fontsize=8,
            )
            axes.set_yticks(
                [i + 0.5 for i in range(len(rows))],
                [
                    f"{textwrap.shorten(row.label, 40, placeholder='…')} ({count_text(row.cases)})"
                    for row in rows
                ],
                fontsize=8,
            )
            axes.invert_yaxis()
            axes.tick_params(length=0)
            for spine in axes.spines.values():
                spine.set_visible(False)
            return _svg(figure, key="heat-map", title=title)

    return Chart(
        key="heat-map",
        title=title,
        columns=(_("Task type"), _("Cases"), *(names[f] for f in FLAGS)),
        rows=tuple(
            (
                row.label,
                count_text(row.cases),
                *(share_text(row.share(row.flags[f])) for f in FLAGS),
            )
            for row in rows
        ),
        draw=draw,
    )
