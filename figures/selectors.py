"""The figures, computed in the database: the vårdöverskjutning table, the KPIs and the chart series.

Every function takes a ``FigureScope`` (from ``figures.scope.figure_scope_get``, which applies who may see
what) and a ``Period``. They return aggregates only — counts, shares, days — each count carrying the
number of distinct patients behind it, so that presentation can suppress groups of fewer than five
(``Cell.suppressed``). No function here returns anything that identifies a patient.

Definitions (what each figure counts):

* A case belongs to a period by its **submission** (``submitted_at`` within the period, local dates,
  both ends included); drafts never submitted are not counted anywhere.
* **Open cases by status** and **overdue reviews and approvals** are a snapshot at the moment the figures
  describe (``Kpis.as_of``: the worker's last refresh, see ``figures.facts``, or now before the first),
  not of the period.
* **Lead time** is ``agreed_at − submitted_at`` in days, for the cases **agreed** in the period.
* **Disputed** / **escalated to level L**: cases submitted in the period whose timeline has a move to
  ``disputed`` / an escalation to level L or higher; shares are of the cases submitted in the period.
* **Days per escalation level**: from the escalation to a level to the next escalation, decision or
  withdrawal of the case, for stints that *ended* in the period (running stints are not yet known).
* **Unclear tasks**: tasks with proposal ``unclear`` on cases submitted in the period, by task type, and
  how many of them nobody has decided yet.
* **SIPs past their follow-up date**: open (finalised, not closed) plans whose newest finalised version's
  follow-up date is before today and that version has no follow-up recorded. A plan belongs to the scope
  through its case or, without a case, through the patient's kommun of folkbokföring or listed
  vårdcentral.
* **Readmission within 30 days**: discharge-triggered cases submitted in the period that were followed by
  another discharge-triggered case for the same patient submitted within 30 days after them.
"""

from __future__ import annotations

import dataclasses
import datetime
import zoneinfo
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agreements.choices import TaskKind
from cases.models import (
    OPEN_STATUSES,
    CaseStatus,
    ShiftPlanning,
    Trigger,
)
from competence.models import ReReview
from competence.reminders import overdue_rereviews_q
from directory.models import Organisation
from hemsjukvard.stats import DaysBetween, percentiles

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from .facts import READMISSION_DAYS, SHIFT_FLAGS, Facts, facts_cached, facts_get
from .scope import FigureScope, ScopeKind

__all__ = ["READMISSION_DAYS"]  # part of the definitions, defined with the facts

SMALL_GROUP = 5
MAX_PERIOD_DAYS = 5 * 366 + 1
FLAGS = SHIFT_FLAGS
ESCALATION_LEVELS = (1, 2, 3)
LEAD_TIME_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (0, 3),
    (4, 7),
    (8, 14),
    (15, 30),
    (31, 60),
    (61, None),
)


def _tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Period:
    """Local dates, both included."""

    start: datetime.date
    end: datetime.date

    @property
    def start_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(), tzinfo=_tz())

    @property
    def end_before(self) -> datetime.datetime:
        return datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(), tzinfo=_tz())

    def q(self, field_name: str) -> Q:
        return Q(**{f"{field_name}__gte": self.start_at, f"{field_name}__lt": self.end_before})


def period_parse(start: str | None, end: str | None, *, today: datetime.date | None = None) -> Period:
    """The period asked for; the last 365 days (today included) when not given."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}

    def parse(value: str | None, name: str, default: datetime.date) -> datetime.date:
        if not value:
            return default
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            errors[name] = _("Give a date as YYYY-MM-DD.")
            return default

    end_date = parse(end, "to", today)
    start_date = parse(start, "from", end_date - datetime.timedelta(days=364))
    if not errors and start_date > end_date:
        errors["from"] = _("The period must start before it ends.")
    if not errors and (end_date - start_date).days > MAX_PERIOD_DAYS:
        errors["from"] = _("A period can be at most five years long.")
    if errors:
        raise ValidationError(errors)
    return Period(start=start_date, end=end_date)


@dataclass(frozen=True)
class Cell:
    """A count and the number of distinct patients behind it."""

    value: int
    patients: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.patients < SMALL_GROUP


ZERO = Cell(0, 0)


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole``; suppressed when either is."""

    part: Cell
    whole: Cell

    @property
    def ratio(self) -> float | None:
        return self.part.value / self.whole.value if self.whole.value else None

    @property
    def suppressed(self) -> bool:
        return self.part.suppressed or self.whole.suppressed


def _cell(row: dict[str, Any], name: str) -> Cell:
    return Cell(int(row.get(name) or 0), int(row.get(f"{name}__patients") or 0))


# --- The vårdöverskjutning table ------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftRow:
    key: str
    label: str
    cases: Cell
    flags: dict[str, Cell]
    planned: Cell
    unorganised: Cell

    def share(self, cell: Cell) -> Share:
        return Share(cell, self.cases)


@dataclass(frozen=True)
class ShiftTable:
    group: str
    rows: tuple[ShiftRow, ...]
    total: ShiftRow
    # The moment the table describes (``figures.facts``), as for the key figures.
    as_of: datetime.datetime = field(default_factory=timezone.now)
    snapshot: bool = False


SHIFT_GROUPS = ("task_type", "category", "kommun")


def _shift_aggregates() -> dict[str, Any]:
    """Over rows that carry ``case_id``, ``patient_id`` and the case's flags (``figures.models.ShiftFact``:
    a case's own row, or one per task of it): how many cases, and how many of them carry each flag."""
    aggregates: dict[str, Any] = {
        "cases": Count("case_id", distinct=True),
        "cases__patients": Count("patient_id", distinct=True),
    }
    conditions: dict[str, Q] = {name: Q(**{name: True}) for name in FLAGS}
    conditions["planned"] = Q(shift_planning=ShiftPlanning.PLANNED)
    conditions["unorganised"] = Q(shift_planning=ShiftPlanning.UNORGANISED)
    for name, condition in conditions.items():
        # Named apart from the fields: an aggregate may not share its name with a field it filters on.
        aggregates[f"n_{name}"] = Count("case_id", filter=condition, distinct=True)
        aggregates[f"n_{name}__patients"] = Count("patient_id", filter=condition, distinct=True)
    return aggregates


def _shift_row(key: str, label: str, row: dict[str, Any]) -> ShiftRow:
    return ShiftRow(
        key=key,
        label=label,
        cases=_cell(row, "cases"),
        flags={name: _cell(row, f"n_{name}") for name in FLAGS},
        planned=_cell(row, "n_planned"),
        unorganised=_cell(row, "n_unorganised"),
    )


def task_type_name(name_sv: str, name_en: str) -> str:
    return name_en if (get_language() or "sv").startswith("en") else name_sv


def _shift_counts(
    scope: FigureScope, period: Period, group: str, facts: Facts
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The table's counts: the total and one dict per row (with what names it, in every language)."""
    submitted = (scope.facts_q(), period.q("submitted_at"))
    cases = facts.cases.filter(*submitted)
    total = cases.aggregate(**_shift_aggregates())
    if group == "kommun":
        rows = list(cases.values("kommun_id").annotate(**_shift_aggregates()).order_by())
        # The facts carry ids; the names, in the order the database sorts them, come from the register.
        names = dict(
            Organisation.objects.filter(pk__in=[r["kommun_id"] for r in rows])
            .order_by("name")
            .values_list("pk", "name")
        )
        order = {pk: index for index, pk in enumerate(names)}
        for row in rows:
            row["name"] = names.get(row["kommun_id"], str(row["kommun_id"]))
        rows.sort(key=lambda r: order.get(r["kommun_id"], len(order)))
        return total, rows
    tasks = facts.tasks.filter(*submitted)
    if group == "task_type":
        columns: tuple[str, ...] = ("task_type__code", "task_type__name_sv", "task_type__name_en")
    else:
        columns = ("task_type__kind",)
    return total, list(tasks.values(*columns).annotate(**_shift_aggregates()).order_by())


def shift_table(
    *, scope: FigureScope, period: Period, group: str = "task_type", facts: Facts | None = None
) -> ShiftTable:
    """Cases submitted in the period, per task type, task category (kind) or kommun, with the four
    impact flags and planned/unorganised: how many cases, and how many of them carry each flag.

    A case with several task types counts once in each of their rows, and once in the total. Counted
    from the snapshot when one exists (``figures.facts``), like the key figures.
    """
    if group not in SHIFT_GROUPS:
        raise ValidationError({"group": _("Group by task type, category or kommun.")})
    facts = _facts(facts)
    key = f"shift:{group}:{scope.kind}:{scope.organisation_id}:{period.start}:{period.end}"
    # What is remembered is the counts; the labels are put on in the language of the request.
    total, counted = facts_cached(facts, key, lambda: _shift_counts(scope, period, group, facts))
    rows: list[ShiftRow] = []
    for row in counted:
        if group == "kommun":
            rows.append(_shift_row(str(row["kommun_id"]), str(row["name"]), row))
        elif group == "task_type":
            label = task_type_name(row["task_type__name_sv"], row["task_type__name_en"])
            rows.append(_shift_row(str(row["task_type__code"]), label, row))
        else:
            kind = str(row["task_type__kind"])
            rows.append(_shift_row(kind, str(TaskKind(kind).label), row))
    if group != "kommun":
        rows.sort(key=lambda r: (-r.cases.value, r.label))
    return ShiftTable(
        group=group,
        rows=tuple(rows),
        total=_shift_row("total", _("All cases"), total),
        as_of=facts.as_of,
        snapshot=facts.snapshot,
    )


# --- KPIs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadTime:
    cases: Cell
    median_days: float | None
    p90_days: float | None

    @property
    def suppressed(self) -> bool:
        return self.cases.suppressed


@dataclass(frozen=True)
class LevelRow:
    level: int
    reached: Cell
    stints: Cell
    median_days: float | None


@dataclass(frozen=True)
class UnclearRow:
    key: str
    name_sv: str
    name_en: str
    unclear: Cell
    undecided: Cell

    @property
    def label(self) -> str:
        return task_type_name(self.name_sv, self.name_en)


def _by_size(rows: Any) -> tuple[UnclearRow, ...]:
    """The largest first, then by name in the active language."""
    return tuple(sorted(rows, key=lambda r: (-r.unclear.value, r.label)))


@dataclass(frozen=True)
class Kpis:
    submitted: Cell
    open_by_status: tuple[tuple[str, StrOrPromise, Cell], ...]
    lead_time: LeadTime
    disputed: Cell
    levels: tuple[LevelRow, ...]
    unclear: tuple[UnclearRow, ...]
    overdue_reviews: Cell
    overdue_approvals: Cell
    sips_past_follow_up: Cell | None
    discharge_cases: Cell
    readmitted: Cell
    # The moment the figures describe: now when counted live, the refresh when read from the snapshot.
    as_of: datetime.datetime = field(default_factory=timezone.now)
    snapshot: bool = False
    # Re-reviews past their date (``competence.reminders``); counted live, like SIPs past follow-up.
    overdue_rereviews: Cell | None = None

    @property
    def disputed_share(self) -> Share:
        return Share(self.disputed, self.submitted)

    @property
    def readmitted_share(self) -> Share:
        return Share(self.readmitted, self.discharge_cases)

    def level_share(self, row: LevelRow) -> Share:
        return Share(row.reached, self.submitted)

    @property
    def unclear_rows(self) -> tuple[UnclearRow, ...]:
        """``unclear`` in the order to show them, in the active language."""
        return _by_size(self.unclear)


def _facts(facts: Facts | None) -> Facts:
    return facts if facts is not None else facts_get()


def _cells(rows: QuerySet[Any], conditions: dict[str, Q]) -> dict[str, Cell]:
    """For each condition: how many of ``rows`` meet it, and how many distinct patients those belong to.

    One query for all of them: the rows are grouped per patient first (a single hash aggregate), then
    summed, instead of one ``COUNT(DISTINCT patient)`` — one sort — per figure. Works on any of the
    fact sources (``figures.facts``): they all have ``patient_id``.
    """
    per_patient: dict[str, Any] = {}
    totals: dict[str, Any] = {}
    for name, condition in conditions.items():
        per_patient[f"n_{name}"] = Count("patient_id", filter=condition)
        per_patient[f"p_{name}"] = Case(When(**{f"n_{name}__gt": 0}, then=Value(1)), default=Value(0))
        totals[name] = Sum(f"n_{name}")
        totals[f"{name}__patients"] = Sum(f"p_{name}")
    row = rows.order_by().values("patient_id").annotate(**per_patient).aggregate(**totals)
    return {name: _cell(row, name) for name in conditions}


def _agreed_q(period: Period) -> Q:
    """Agreed in the period (having been submitted): the cases of the lead time."""
    return period.q("agreed_at") & Q(submitted_at__isnull=False)


def _agreed(facts: Facts, scope: FigureScope, period: Period) -> QuerySet[Any]:
    return facts.cases.filter(scope.facts_q(), _agreed_q(period))


def _submitted_conditions() -> dict[str, Q]:
    """The figures counted over the cases submitted in the period (see the module docstring)."""
    return {
        "submitted": Q(),
        "disputed": Q(disputed=True),
        **{f"escalated_{level}": Q(escalated_to__gte=level) for level in ESCALATION_LEVELS},
        "discharge": Q(trigger=Trigger.DISCHARGE),
        "readmitted": Q(trigger=Trigger.DISCHARGE, readmitted=True),
    }


def period_figures(*, scope: FigureScope, period: Period, facts: Facts | None = None) -> dict[str, Cell]:
    """Cases submitted in the period, and of them: disputed, escalated to each level or higher,
    discharge-triggered and readmitted within 30 days; and the cases agreed in the period. One pass
    over the scope's cases submitted or agreed in the period."""
    submitted = period.q("submitted_at")
    conditions = {name: submitted & condition for name, condition in _submitted_conditions().items()}
    conditions["agreed"] = _agreed_q(period)
    rows = _facts(facts).cases.filter(scope.facts_q()).filter(submitted | _agreed_q(period))
    return _cells(rows, conditions)


def _now_conditions(now: datetime.datetime) -> dict[str, Q]:
    """The snapshot figures: open cases per status, and reviews and approvals past their deadline."""
    conditions = {status.value: Q(status=status) for status in CaseStatus if status.value in OPEN_STATUSES}
    conditions["overdue_reviews"] = Q(status=CaseStatus.IN_REVIEW, due_at__lt=now)
    conditions["overdue_approvals"] = Q(status=CaseStatus.AWAITING_APPROVAL, due_at__lt=now)
    return conditions


def _now_figures(scope: FigureScope, facts: Facts, now: datetime.datetime) -> dict[str, Cell]:
    return _cells(facts.cases.filter(scope.facts_q(), status__in=OPEN_STATUSES), _now_conditions(now))


def _open_rows(cells: dict[str, Cell]) -> tuple[tuple[str, StrOrPromise, Cell], ...]:
    return tuple(
        # The label stays lazy: the figures may be remembered (``facts_cached``) and shown in any language.
        (status.value, status.label, cells[status.value])
        for status in CaseStatus
        if status.value in OPEN_STATUSES
    )


def open_by_status(
    *, scope: FigureScope, facts: Facts | None = None
) -> tuple[tuple[str, StrOrPromise, Cell], ...]:
    facts = _facts(facts)
    return _open_rows(_now_figures(scope, facts, facts.as_of))


def lead_time(
    *, scope: FigureScope, period: Period, facts: Facts | None = None, cases: Cell | None = None
) -> LeadTime:
    """Days from submitted to agreed for the cases agreed in the period; ``cases`` is their count when
    the caller has it (``period_figures``)."""
    agreed = _agreed(_facts(facts), scope, period)
    median, p90 = percentiles(agreed, DaysBetween(F("agreed_at"), F("submitted_at")), (0.5, 0.9))
    if cases is None:
        cases = _cells(agreed, {"agreed": Q()})["agreed"]
    return LeadTime(cases=cases, median_days=median, p90_days=p90)


def lead_time_buckets(
    *, scope: FigureScope, period: Period, facts: Facts | None = None
) -> list[tuple[str, Cell]]:
    """How many agreed cases took 0–3, 4–7, … days (whole days, rounded down)."""
    facts = _facts(facts)
    key = f"lead-time-buckets:{scope.kind}:{scope.organisation_id}:{period.start}:{period.end}"
    return facts_cached(facts, key, lambda: _lead_time_buckets(scope, period, facts))


def _lead_time_buckets(scope: FigureScope, period: Period, facts: Facts) -> list[tuple[str, Cell]]:
    agreed = _agreed(facts, scope, period).annotate(_days=DaysBetween(F("agreed_at"), F("submitted_at")))
    conditions: dict[str, Q] = {}
    earlier = Q()
    for index, (low, high) in enumerate(LEAD_TIME_BUCKETS):
        if index == len(LEAD_TIME_BUCKETS) - 1:
            conditions[f"b{index}"] = ~earlier  # the last bucket takes the rest
        else:
            conditions[f"b{index}"] = Q(_days__gte=low, _days__lt=(high or 0) + 1)
            earlier |= conditions[f"b{index}"]
    cells = _cells(agreed, conditions)
    labels = [f"{low}–{high}" if high is not None else f"> {low - 1}" for low, high in LEAD_TIME_BUCKETS]
    return [(labels[i], cells[f"b{i}"]) for i in range(len(labels))]


def escalation_levels(
    *,
    scope: FigureScope,
    period: Period,
    facts: Facts | None = None,
    submitted: dict[str, Cell] | None = None,
) -> tuple[LevelRow, ...]:
    """Per level: cases submitted in the period that reached it (from ``submitted``, the result of
    ``period_figures``, when the caller has it), and the stints at it that ended in the period."""
    facts = _facts(facts)
    if submitted is None:
        submitted = period_figures(scope=scope, period=period, facts=facts)
    ended = facts.stints.filter(scope.facts_q(), period.q("ended_at"))
    stints = _cells(ended, {f"level_{level}": Q(level=level) for level in ESCALATION_LEVELS})
    rows = []
    for level in ESCALATION_LEVELS:
        (median,) = percentiles(
            ended.filter(level=level), DaysBetween(F("ended_at"), F("started_at")), (0.5,)
        )
        rows.append(
            LevelRow(
                level=level,
                reached=submitted[f"escalated_{level}"],
                stints=stints[f"level_{level}"],
                median_days=median,
            )
        )
    return tuple(rows)


def unclear_tasks(
    *, scope: FigureScope, period: Period, facts: Facts | None = None
) -> tuple[UnclearRow, ...]:
    undecided = Q(undecided=True)
    rows = (
        _facts(facts)
        .unclear_tasks.filter(scope.facts_q(), period.q("submitted_at"))
        .values("task_type__code", "task_type__name_sv", "task_type__name_en")
        .annotate(
            # Named apart from the facts' own ``undecided`` column, which the filter reads.
            n_unclear=Count("patient_id"),
            n_unclear__patients=Count("patient_id", distinct=True),
            n_undecided=Count("patient_id", filter=undecided),
            n_undecided__patients=Count("patient_id", filter=undecided, distinct=True),
        )
        .order_by()
    )
    result = [
        UnclearRow(
            key=str(row["task_type__code"]),
            name_sv=str(row["task_type__name_sv"]),
            name_en=str(row["task_type__name_en"]),
            unclear=_cell(row, "n_unclear"),
            undecided=_cell(row, "n_undecided"),
        )
        for row in rows
    ]
    return _by_size(result)


def overdue_now(
    *, scope: FigureScope, now: datetime.datetime | None = None, facts: Facts | None = None
) -> tuple[Cell, Cell]:
    """Reviews (``in_review``) and approvals (``awaiting_approval``) whose deadline has passed."""
    facts = _facts(facts)
    cells = _now_figures(scope, facts, now or facts.as_of)
    return cells["overdue_reviews"], cells["overdue_approvals"]


def _count(queryset: QuerySet[Any], patient: str = "patient") -> Cell:
    row = queryset.aggregate(value=Count("pk", distinct=True), value__patients=Count(patient, distinct=True))
    return _cell(row, "value")


def sips_past_follow_up(*, scope: FigureScope, today: datetime.date | None = None) -> Cell | None:
    """None while the SIP app is not installed. Always counted live (see ``figures.facts``)."""
    if not apps.is_installed("sip"):
        return None
    try:
        sip_model = apps.get_model("sip", "Sip")
        version_model = apps.get_model("sip", "SipVersion")
        follow_up_model = apps.get_model("sip", "SipFollowUp")
    except LookupError:
        return None
    today = today or timezone.localdate()
    newest = version_model.objects.filter(sip=OuterRef("pk"), status="finalised").order_by("-number")
    if scope.kind == ScopeKind.KOMMUN:
        in_scope = Q(case__kommun_id=scope.organisation_id) | Q(
            case__isnull=True, patient__folkbokforing_kommun_id=scope.organisation_id
        )
    elif scope.kind == ScopeKind.VARDCENTRAL:
        in_scope = Q(case__vardcentral_id=scope.organisation_id) | Q(
            case__isnull=True, patient__listed_vardcentral_id=scope.organisation_id
        )
    elif scope.kind == ScopeKind.COUNTRY:
        in_scope = Q()
    else:
        in_scope = Q(patient__folkbokforing_kommun__region_id=scope.region_id)
    sips = (
        sip_model.objects.filter(in_scope, status="finalised")
        .annotate(
            _version=Subquery(newest.values("pk")[:1]),
            _follow_up_on=Subquery(newest.values("follow_up_on")[:1]),
        )
        .filter(_follow_up_on__lt=today)
        .exclude(Exists(follow_up_model.objects.filter(version_id=OuterRef("_version"))))
    )
    return _count(sips)


def overdue_rereviews(*, scope: FigureScope, today: datetime.date | None = None) -> Cell:
    """Re-reviews (a rule's "review again within N days", a risk analysis's review date) past their date
    and not done, on the scope's cases. Always counted live."""
    today = today or timezone.localdate()
    rows = ReReview.objects.filter(scope.cases_q("case__"), overdue_rereviews_q(today))
    return _count(rows, patient="case__patient")


def readmissions(*, scope: FigureScope, period: Period, facts: Facts | None = None) -> tuple[Cell, Cell]:
    cells = period_figures(scope=scope, period=period, facts=facts)
    return cells["discharge"], cells["readmitted"]


def kpis(
    *,
    scope: FigureScope,
    period: Period,
    now: datetime.datetime | None = None,
    facts: Facts | None = None,
) -> Kpis:
    """Every key figure, from the snapshot when one exists (``figures.facts``), live otherwise; ``as_of``
    says which moment they describe. SIPs past their follow-up date are always counted now."""
    facts = _facts(facts)
    if now is None:
        key = f"kpis:{scope.kind}:{scope.organisation_id}:{period.start}:{period.end}"
        figures = facts_cached(facts, key, lambda: _kpis(scope, period, facts.as_of, facts))
    else:
        figures = _kpis(scope, period, now, facts)
    today = timezone.localdate(now) if now is not None else timezone.localdate()
    return dataclasses.replace(
        figures,
        sips_past_follow_up=sips_past_follow_up(scope=scope, today=today),
        overdue_rereviews=overdue_rereviews(scope=scope, today=today),
    )


def _kpis(scope: FigureScope, period: Period, now: datetime.datetime, facts: Facts) -> Kpis:
    submitted = period_figures(scope=scope, period=period, facts=facts)
    # The figures of "now" do not depend on the period: counted once per snapshot and scope.
    now_key = f"now:{now.timestamp()}:{scope.kind}:{scope.organisation_id}"
    current = facts_cached(facts, now_key, lambda: _now_figures(scope, facts, now))
    return Kpis(
        submitted=submitted["submitted"],
        open_by_status=_open_rows(current),
        lead_time=lead_time(scope=scope, period=period, facts=facts, cases=submitted["agreed"]),
        disputed=submitted["disputed"],
        levels=escalation_levels(scope=scope, period=period, facts=facts, submitted=submitted),
        unclear=unclear_tasks(scope=scope, period=period, facts=facts),
        overdue_reviews=current["overdue_reviews"],
        overdue_approvals=current["overdue_approvals"],
        sips_past_follow_up=None,
        discharge_cases=submitted["discharge"],
        readmitted=submitted["readmitted"],
        as_of=now,
        snapshot=facts.snapshot,
    )


# --- Series for the charts ------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlySeries:
    months: tuple[datetime.date, ...]
    series: tuple[tuple[str, str, tuple[Cell, ...]], ...]  # (status, label, one cell per month)
    # The moment the series describe (``figures.facts``), as for the key figures.
    as_of: datetime.datetime = field(default_factory=timezone.now)
    snapshot: bool = False


def months_between(period: Period) -> list[datetime.date]:
    months = []
    current = period.start.replace(day=1)
    while current <= period.end:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months


def _status_moves(scope: FigureScope, period: Period, facts: Facts) -> dict[tuple[datetime.date, str], Cell]:
    rows = (
        facts.status_moves.filter(scope.facts_q(), period.q("at"))
        .annotate(month=TruncMonth("at", tzinfo=_tz()))
        .values("month", "to_status")
        .annotate(value=Count("case_id", distinct=True), value__patients=Count("patient_id", distinct=True))
        .order_by()
    )
    cells: dict[tuple[datetime.date, str], Cell] = {}
    for row in rows:
        month = row["month"]
        day = month.date() if isinstance(month, datetime.datetime) else month
        cells[(day, row["to_status"])] = _cell(row, "value")
    return cells


def status_moves_by_month(*, scope: FigureScope, period: Period, facts: Facts | None = None) -> MonthlySeries:
    """Cases moving into each status, per month (from the timelines): the flow of cases over time.
    Counted from the snapshot when one exists (``figures.facts``), like the key figures."""
    facts = _facts(facts)
    key = f"status-moves:{scope.kind}:{scope.organisation_id}:{period.start}:{period.end}"
    cells = facts_cached(facts, key, lambda: _status_moves(scope, period, facts))
    months = months_between(period)
    statuses = [s for s in CaseStatus if s != CaseStatus.DRAFT]
    series = tuple(
        (status.value, str(status.label), tuple(cells.get((m, status.value), ZERO) for m in months))
        for status in statuses
        if any((m, status.value) in cells for m in months)
    )
    return MonthlySeries(months=tuple(months), series=series, as_of=facts.as_of, snapshot=facts.snapshot)


def report_get(*, actor: Any, public_id: Any) -> Any:
    """A figures report, if ``actor`` may see its scope today; 404 otherwise."""
    import uuid

    from django.http import Http404

    from .models import FiguresReport
    from .scope import figure_scopes

    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404(_("No such report.")) from None
    report = FiguresReport.objects.select_related("scope_organisation").filter(public_id=key).first()
    allowed = {scope.organisation_id for scope in figure_scopes(actor=actor)}
    if report is None or report.scope_organisation_id not in allowed:
        raise Http404(_("No such report."))
    return report
