"""The figures, computed in the database: the vårdöverskjutning table, the KPIs and the chart series.

Every function takes a ``FigureScope`` (from ``figures.scope.figure_scope_get``, which applies who may see
what) and a ``Period``. They return aggregates only — counts, shares, days — each count carrying the
number of distinct patients behind it, so that presentation can suppress groups of fewer than five
(``Cell.suppressed``). No function here returns anything that identifies a patient.

Definitions (what each figure counts):

* A case belongs to a period by its **submission** (``submitted_at`` within the period, local dates,
  both ends included); drafts never submitted are not counted anywhere.
* **Open cases by status** and **overdue reviews and approvals** are a snapshot *now*, not of the period.
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

import datetime
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
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
    CaseEvent,
    CaseStatus,
    CaseTask,
    EventKind,
    ProposalStatus,
    ResponsibilityCase,
    ReviewState,
    ShiftPlanning,
    Trigger,
)

from .scope import FigureScope
from .stats import DaysBetween, percentiles

SMALL_GROUP = 5
MAX_PERIOD_DAYS = 5 * 366 + 1
READMISSION_DAYS = 30
FLAGS = ("increased_staff_time", "increased_other_costs", "competence_needed", "patient_safety_risk")
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


def _submitted_cases(scope: FigureScope, period: Period) -> QuerySet[ResponsibilityCase]:
    return ResponsibilityCase.objects.filter(scope.cases_q(), period.q("submitted_at"))


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


SHIFT_GROUPS = ("task_type", "category", "kommun")


def _shift_aggregates(prefix: str) -> dict[str, Any]:
    case = f"{prefix}pk" if not prefix else f"{prefix[:-2]}"
    patient = f"{prefix}patient"
    aggregates: dict[str, Any] = {
        "cases": Count(case, distinct=True),
        "cases__patients": Count(patient, distinct=True),
    }
    conditions: dict[str, Q] = {name: Q(**{f"{prefix}{name}": True}) for name in FLAGS}
    conditions["planned"] = Q(**{f"{prefix}shift_planning": ShiftPlanning.PLANNED})
    conditions["unorganised"] = Q(**{f"{prefix}shift_planning": ShiftPlanning.UNORGANISED})
    for name, condition in conditions.items():
        # Named apart from the fields: an aggregate may not share its name with a field it filters on.
        aggregates[f"n_{name}"] = Count(case, filter=condition, distinct=True)
        aggregates[f"n_{name}__patients"] = Count(patient, filter=condition, distinct=True)
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


def shift_table(*, scope: FigureScope, period: Period, group: str = "task_type") -> ShiftTable:
    """Cases submitted in the period, per task type, task category (kind) or kommun, with the four
    impact flags and planned/unorganised: how many cases, and how many of them carry each flag.

    A case with several task types counts once in each of their rows, and once in the total.
    """
    if group not in SHIFT_GROUPS:
        raise ValidationError({"group": _("Group by task type, category or kommun.")})
    cases = _submitted_cases(scope, period)
    total = _shift_row("total", _("All cases"), cases.aggregate(**_shift_aggregates("")))
    rows: list[ShiftRow] = []
    if group == "kommun":
        for row in (
            cases.values("kommun_id", "kommun__name")
            .annotate(**_shift_aggregates(""))
            .order_by("kommun__name")
        ):
            rows.append(_shift_row(str(row["kommun_id"]), str(row["kommun__name"]), row))
    else:
        tasks = CaseTask.objects.filter(case__in=cases)
        if group == "task_type":
            grouped = tasks.values("task_type__code", "task_type__name_sv", "task_type__name_en").annotate(
                **_shift_aggregates("case__")
            )
            for row in grouped:
                rows.append(
                    _shift_row(
                        str(row["task_type__code"]),
                        task_type_name(row["task_type__name_sv"], row["task_type__name_en"]),
                        row,
                    )
                )
        else:
            for row in tasks.values("task_type__kind").annotate(**_shift_aggregates("case__")):
                kind = str(row["task_type__kind"])
                rows.append(_shift_row(kind, str(TaskKind(kind).label), row))
        rows.sort(key=lambda r: (-r.cases.value, r.label))
    return ShiftTable(group=group, rows=tuple(rows), total=total)


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
    label: str
    unclear: Cell
    undecided: Cell


@dataclass(frozen=True)
class Kpis:
    submitted: Cell
    open_by_status: tuple[tuple[str, str, Cell], ...]
    lead_time: LeadTime
    disputed: Cell
    levels: tuple[LevelRow, ...]
    unclear: tuple[UnclearRow, ...]
    overdue_reviews: Cell
    overdue_approvals: Cell
    sips_past_follow_up: Cell | None
    discharge_cases: Cell
    readmitted: Cell
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def disputed_share(self) -> Share:
        return Share(self.disputed, self.submitted)

    @property
    def readmitted_share(self) -> Share:
        return Share(self.readmitted, self.discharge_cases)

    def level_share(self, row: LevelRow) -> Share:
        return Share(row.reached, self.submitted)


def _count(queryset: QuerySet[Any], patient: str = "patient") -> Cell:
    row = queryset.aggregate(value=Count("pk", distinct=True), value__patients=Count(patient, distinct=True))
    return _cell(row, "value")


def open_by_status(*, scope: FigureScope) -> tuple[tuple[str, str, Cell], ...]:
    rows = {
        row["status"]: _cell(row, "value")
        for row in ResponsibilityCase.objects.filter(scope.cases_q(), status__in=OPEN_STATUSES)
        .values("status")
        .annotate(value=Count("pk"), value__patients=Count("patient", distinct=True))
    }
    return tuple(
        (status.value, str(status.label), rows.get(status.value, ZERO))
        for status in CaseStatus
        if status.value in OPEN_STATUSES
    )


def lead_time(*, scope: FigureScope, period: Period) -> LeadTime:
    agreed = ResponsibilityCase.objects.filter(
        scope.cases_q(), period.q("agreed_at"), submitted_at__isnull=False
    )
    median, p90 = percentiles(agreed, DaysBetween(F("agreed_at"), F("submitted_at")), (0.5, 0.9))
    return LeadTime(cases=_count(agreed), median_days=median, p90_days=p90)


def lead_time_buckets(*, scope: FigureScope, period: Period) -> list[tuple[str, Cell]]:
    """How many agreed cases took 0–3, 4–7, … days (whole days, rounded down)."""
    agreed = ResponsibilityCase.objects.filter(
        scope.cases_q(), period.q("agreed_at"), submitted_at__isnull=False
    )
    whens = []
    for index, (low, high) in enumerate(LEAD_TIME_BUCKETS):
        condition = Q(_days__gte=low) if high is None else Q(_days__gte=low, _days__lt=high + 1)
        whens.append(When(condition, then=Value(index)))
    rows = {
        row["_bucket"]: _cell(row, "value")
        for row in agreed.annotate(_days=DaysBetween(F("agreed_at"), F("submitted_at")))
        .annotate(_bucket=Case(*whens, default=Value(len(whens) - 1), output_field=IntegerField()))
        .values("_bucket")
        .annotate(value=Count("pk"), value__patients=Count("patient", distinct=True))
    }
    labels = [f"{low}–{high}" if high is not None else f"> {low - 1}" for low, high in LEAD_TIME_BUCKETS]
    return [(labels[i], rows.get(i, ZERO)) for i in range(len(labels))]


def _escalated_to(level: int) -> Exists:
    return Exists(
        CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.ESCALATED, payload__level__gte=level)
    )


def escalation_levels(*, scope: FigureScope, period: Period) -> tuple[LevelRow, ...]:
    submitted = _submitted_cases(scope, period)
    rows = []
    for level in ESCALATION_LEVELS:
        reached = _count(submitted.filter(_escalated_to(level)))
        stint_end = (
            CaseEvent.objects.filter(
                case_id=OuterRef("case_id"),
                pk__gt=OuterRef("pk"),
                kind__in=[EventKind.ESCALATED, EventKind.DECIDED, EventKind.WITHDRAWN],
            )
            .order_by("pk")
            .values("at")[:1]
        )
        stints = (
            CaseEvent.objects.filter(
                Q(kind=EventKind.ESCALATED, payload__level=level), scope.cases_q("case__")
            )
            .annotate(ended_at=Subquery(stint_end))
            .filter(period.q("ended_at"))
        )
        (median,) = percentiles(stints, DaysBetween(F("ended_at"), F("at")), (0.5,))
        rows.append(
            LevelRow(level=level, reached=reached, stints=_count(stints, "case__patient"), median_days=median)
        )
    return tuple(rows)


def unclear_tasks(*, scope: FigureScope, period: Period) -> tuple[UnclearRow, ...]:
    undecided = Q(review_state=ReviewState.PENDING) | Q(review_state=ReviewState.DISPUTED)
    rows = (
        CaseTask.objects.filter(
            case__in=_submitted_cases(scope, period), proposal_status=ProposalStatus.UNCLEAR
        )
        .values("task_type__code", "task_type__name_sv", "task_type__name_en")
        .annotate(
            unclear=Count("pk"),
            unclear__patients=Count("case__patient", distinct=True),
            undecided=Count("pk", filter=undecided),
            undecided__patients=Count("case__patient", filter=undecided, distinct=True),
        )
    )
    result = [
        UnclearRow(
            key=str(row["task_type__code"]),
            label=task_type_name(row["task_type__name_sv"], row["task_type__name_en"]),
            unclear=_cell(row, "unclear"),
            undecided=_cell(row, "undecided"),
        )
        for row in rows
    ]
    return tuple(sorted(result, key=lambda r: (-r.unclear.value, r.label)))


def overdue_now(*, scope: FigureScope, now: datetime.datetime | None = None) -> tuple[Cell, Cell]:
    """Reviews (``in_review``) and approvals (``awaiting_approval``) whose deadline has passed."""
    now = now or timezone.now()
    late = ResponsibilityCase.objects.filter(scope.cases_q(), due_at__lt=now)
    return (
        _count(late.filter(status=CaseStatus.IN_REVIEW)),
        _count(late.filter(status=CaseStatus.AWAITING_APPROVAL)),
    )


def sips_past_follow_up(*, scope: FigureScope, today: datetime.date | None = None) -> Cell | None:
    """None while the SIP app is not installed."""
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
    if scope.kind == "kommun":
        in_scope = Q(case__kommun_id=scope.organisation_id) | Q(
            case__isnull=True, patient__folkbokforing_kommun_id=scope.organisation_id
        )
    elif scope.kind == "vardcentral":
        in_scope = Q(case__vardcentral_id=scope.organisation_id) | Q(
            case__isnull=True, patient__listed_vardcentral_id=scope.organisation_id
        )
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


def readmissions(*, scope: FigureScope, period: Period) -> tuple[Cell, Cell]:
    base = _submitted_cases(scope, period).filter(trigger=Trigger.DISCHARGE)
    followed = base.filter(
        Exists(
            ResponsibilityCase.objects.filter(
                patient_id=OuterRef("patient_id"),
                trigger=Trigger.DISCHARGE,
                submitted_at__gt=OuterRef("submitted_at"),
                submitted_at__lte=OuterRef("submitted_at") + datetime.timedelta(days=READMISSION_DAYS),
            ).exclude(pk=OuterRef("pk"))
        )
    )
    return _count(base), _count(followed)


def kpis(*, scope: FigureScope, period: Period, now: datetime.datetime | None = None) -> Kpis:
    now = now or timezone.now()
    overdue_reviews, overdue_approvals = overdue_now(scope=scope, now=now)
    discharge, readmitted = readmissions(scope=scope, period=period)
    return Kpis(
        submitted=_count(_submitted_cases(scope, period)),
        open_by_status=open_by_status(scope=scope),
        lead_time=lead_time(scope=scope, period=period),
        disputed=_count(
            _submitted_cases(scope, period).filter(
                Exists(CaseEvent.objects.filter(case=OuterRef("pk"), to_status=CaseStatus.DISPUTED))
            )
        ),
        levels=escalation_levels(scope=scope, period=period),
        unclear=unclear_tasks(scope=scope, period=period),
        overdue_reviews=overdue_reviews,
        overdue_approvals=overdue_approvals,
        sips_past_follow_up=sips_past_follow_up(scope=scope, today=timezone.localdate(now)),
        discharge_cases=discharge,
        readmitted=readmitted,
        generated_at=now,
    )


# --- Series for the charts ------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlySeries:
    months: tuple[datetime.date, ...]
    series: tuple[tuple[str, str, tuple[Cell, ...]], ...]  # (status, label, one cell per month)


def months_between(period: Period) -> list[datetime.date]:
    months = []
    current = period.start.replace(day=1)
    while current <= period.end:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months


def status_moves_by_month(*, scope: FigureScope, period: Period) -> MonthlySeries:
    """Cases moving into each status, per month (from the timelines): the flow of cases over time."""
    rows = (
        CaseEvent.objects.filter(scope.cases_q("case__"), period.q("at"))
        .exclude(to_status="")
        .annotate(month=TruncMonth("at", tzinfo=_tz()))
        .values("month", "to_status")
        .annotate(value=Count("case", distinct=True), value__patients=Count("case__patient", distinct=True))
    )
    cells: dict[tuple[datetime.date, str], Cell] = {}
    for row in rows:
        month = row["month"]
        day = month.date() if isinstance(month, datetime.datetime) else month
        cells[(day, row["to_status"])] = _cell(row, "value")
    months = months_between(period)
    statuses = [s for s in CaseStatus if s != CaseStatus.DRAFT]
    series = tuple(
        (status.value, str(status.label), tuple(cells.get((m, status.value), ZERO) for m in months))
        for status in statuses
        if any((m, status.value) in cells for m in months)
    )
    return MonthlySeries(months=tuple(months), series=series)


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
