"""The facts the dashboard's figures are counted from, live or from the last snapshot, and its refresh.

Five kinds of row: one per **case** (scope, status, deadline, submitted and agreed times, trigger, its
vårdöverskjutning flags and planning, and what its timeline says: ever disputed, highest escalation
level, followed by another discharge within 30 days), one per **escalation stint** (level, start, end),
one per **unclear task** (task type, whether it is still undecided), one per **task** of a submitted case
(task type, with its case's vårdöverskjutning facts) and one per **status move** (a timeline event
with a ``to_status``). ``figures.selectors`` aggregates them into every KPI, the vårdöverskjutning
tables and the chart of cases over time: everything the dashboard, the API and the PDF report show.

Why a snapshot: at national scale (1 M cases, 1.75 M tasks, 6.6 M timeline events) counting a region's
or the country's key figures live took 9–12 s, and a dashboard page 14–26 s (bench/README.md), because
several facts probe each case's timeline and the chart scans the scope's timeline events. Those answers
change rarely and only for the cases someone touched, so they are worked out once per refresh and
stored; a request then aggregates narrow, indexed rows.

**One definition per fact.** ``live_case_facts``, ``live_stint_facts``, ``live_unclear_task_facts``,
``live_task_facts`` and ``live_status_move_facts`` are the only place a fact is defined (ORM
expressions). The selectors aggregate whichever source they are given with the same code, and a
snapshot is those very querysets compiled to SQL and written into ``CaseFact`` / ``StintFact`` /
``UnclearTaskFact`` / ``TaskFact`` / ``StatusMoveFact`` (``INSERT … SELECT``) by ``facts_refresh``. Live
and snapshot figures therefore differ only in the moment they describe (``tests/figures/test_facts.py``
checks that they agree on a mixed data set).

**Summary tables, not materialised views**, and the same on PostgreSQL and SQLite:

* a materialised view's SELECT is SQL frozen in a migration, a second copy of every definition that
  would drift from the live one; here the SQL is compiled from the one definition at every refresh;
* the refresh writes only what changed, like ``REFRESH MATERIALIZED VIEW CONCURRENTLY`` (it compares the
  tables with a freshly computed temporary table): in a normal quarter of an hour a few hundred rows,
  not a million, so little WAL and bloat, and index-only scans stay index-only. Readers are never
  blocked: the refresh is one transaction, and until it commits PostgreSQL shows them the previous rows;
* plain tables work on SQLite too (the embedded demo), so the refresh and the snapshot figures run the
  same code everywhere and no figure has a PostgreSQL-only variant.

**Freshness.** The beat task ``figures.tasks.refresh_figure_facts`` runs every 15 minutes
(``CELERY_BEAT_SCHEDULE["figures-refresh-facts"]``; ``manage.py refresh_figures`` does the same by hand,
e.g. right after a deployment). ``FiguresSnapshot.as_of`` is the moment the data was read — on
PostgreSQL all five tables are read in one REPEATABLE READ transaction, so they describe the same
instant — and the page, the API (``as_of``) and the PDF report say "figures as of …", adding that they
are older than usual when two refreshes have been missed. One refresh runs at a time (an advisory
lock held for its transaction); one that starts while another runs does nothing. At national scale
(bench/README.md) a refresh that finds nothing changed takes 40–80 s of the worker (8.5 M rows
compared), the first one several minutes; a refresh that rewrote much of a table vacuums it
afterwards, so that the figures can be answered from the covering indexes at once.

**Remembered figures.** A snapshot never changes, so whatever is counted from it is remembered in the
cache under its ``as_of`` (``facts_cached``): exact, and gone from use the moment the next snapshot
shows. Inside the refresh transaction, before anyone can see the new snapshot, the worker counts the
default period of every region's dashboard and of the country's key figures
(``figures.dashboard.dashboard_warm``), the scopes that take a second or more to count, and draws
their charts. Counts are remembered without their labels, which are put on in the reader's language;
a drawn chart is remembered under its data and its language.

**Which scopes read the snapshot:** every scope (vårdcentral, kommun, region, country), once a snapshot
exists. Measured at national scale, a kommun took 1.8–2.7 s counted live (0.2–0.3 s from the snapshot)
and a vårdcentral 0.16 s (0.05–0.09 s); keeping the small scopes live would make a vårdcentral's
figures disagree with its own kommun's and region's for up to a quarter of an hour, and one moment for
every scope is easier to explain than the gain is worth. Until the first refresh — a new installation,
the demo (``bin/demo`` runs no beat scheduler, so it never takes a snapshot and its figures stay live
and current; ``seed_demo`` does not refresh for the same reason), tests that do not refresh — the
figures are counted live and say "counted just now". SIPs past their follow-up date are always counted
live (another app's tables, a few rows per patient).
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from cases.models import (
    CaseEvent,
    CaseStatus,
    CaseTask,
    EventKind,
    ProposalStatus,
    ResponsibilityCase,
    ReviewState,
    Trigger,
)

from .models import (
    CaseFact,
    FiguresSnapshot,
    StatusMoveFact,
    StintFact,
    TaskFact,
    UnclearTaskFact,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

READMISSION_DAYS = 30
BEAT_ENTRY = "figures-refresh-facts"
STINT_ENDS = (EventKind.ESCALATED, EventKind.DECIDED, EventKind.WITHDRAWN)
# The advisory lock that lets one refresh run at a time ("figures" in ASCII).
REFRESH_LOCK = 0x66696775726573
# PostgreSQL's "could not serialize access" (SQLSTATE).
SERIALIZATION_FAILURE = "40001"
# The vårdöverskjutning impact flags of a case (``cases.models.ResponsibilityCase``).
SHIFT_FLAGS = ("increased_staff_time", "increased_other_costs", "competence_needed", "patient_safety_risk")


def _escalation_level() -> Cast:
    """The level an escalation event moved the case to (``payload.level``, written by ``cases``)."""
    return Cast(KT("payload__level"), IntegerField())


# --- The definitions --------------------------------------------------------------------------------


def live_case_facts() -> QuerySet[Any]:
    """One row per case (drafts included: they are open cases)."""
    escalated_to = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.ESCALATED)
        .order_by()
        .values("case")
        .annotate(top=Max(_escalation_level()))
        .values("top")
    )
    next_discharge = ResponsibilityCase.objects.filter(
        patient_id=OuterRef("patient_id"),
        trigger=Trigger.DISCHARGE,
        submitted_at__gt=OuterRef("submitted_at"),
        submitted_at__lte=OuterRef("submitted_at") + datetime.timedelta(days=READMISSION_DAYS),
    ).exclude(pk=OuterRef("pk"))
    return ResponsibilityCase.objects.order_by().annotate(
        case_id=F("pk"),
        region_id=F("kommun__region_id"),
        # Moved to ``disputed`` at least once.
        disputed=Exists(CaseEvent.objects.filter(case=OuterRef("pk"), to_status=CaseStatus.DISPUTED)),
        # The highest level it was ever escalated to (empty: never escalated).
        escalated_to=Subquery(escalated_to, output_field=IntegerField()),
        # A discharge-triggered case followed by another discharge-triggered case of the same patient
        # submitted within 30 days after it.
        readmitted=Case(
            When(trigger=Trigger.DISCHARGE, then=Exists(next_discharge)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def _case_scope() -> dict[str, F]:
    """The scope columns of a row that belongs to a case (``figures.models.ScopedFact``)."""
    return {
        "patient_id": F("case__patient_id"),
        "kommun_id": F("case__kommun_id"),
        "vardcentral_id": F("case__vardcentral_id"),
        "region_id": F("case__kommun__region_id"),
    }


def live_stint_facts() -> QuerySet[Any]:
    """One row per escalation: the stint at that level lasts until the case's next escalation, decision
    or withdrawal (empty while it runs)."""
    ended_at = (
        CaseEvent.objects.filter(case_id=OuterRef("case_id"), pk__gt=OuterRef("pk"), kind__in=STINT_ENDS)
        .order_by("pk")
        .values("at")[:1]
    )
    return (
        CaseEvent.objects.filter(kind=EventKind.ESCALATED)
        .order_by()
        .annotate(
            event_id=F("pk"),
            **_case_scope(),
            level=_escalation_level(),
            started_at=F("at"),
            ended_at=Subquery(ended_at),
        )
    )


def live_unclear_task_facts() -> QuerySet[Any]:
    """One row per task with proposal ``unclear``; ``undecided`` while nobody has decided it."""
    return (
        CaseTask.objects.filter(proposal_status=ProposalStatus.UNCLEAR)
        .order_by()
        .annotate(
            task_id=F("pk"),
            **_case_scope(),
            submitted_at=F("case__submitted_at"),
            undecided=ExpressionWrapper(
                Q(review_state__in=[ReviewState.PENDING, ReviewState.DISPUTED]), output_field=BooleanField()
            ),
        )
    )


def _case_shift() -> dict[str, F]:
    """The vårdöverskjutning facts of a row that belongs to a case (``figures.models.ShiftFact``)."""
    return {
        "submitted_at": F("case__submitted_at"),
        **{name: F(f"case__{name}") for name in SHIFT_FLAGS},
        "shift_planning": F("case__shift_planning"),
    }


def live_task_facts() -> QuerySet[Any]:
    """One row per task of a submitted case (drafts are not counted anywhere), with its case's flags."""
    return (
        CaseTask.objects.filter(case__submitted_at__isnull=False)
        .order_by()
        .annotate(task_id=F("pk"), **_case_scope(), **_case_shift())
    )


def live_status_move_facts() -> QuerySet[Any]:
    """One row per move of a case into a status: every timeline event with a ``to_status``."""
    return CaseEvent.objects.exclude(to_status="").order_by().annotate(event_id=F("pk"), **_case_scope())


# --- Where a request reads them from ------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """The rows the figures are counted from, and the moment they describe."""

    cases: QuerySet[Any]
    stints: QuerySet[Any]
    unclear_tasks: QuerySet[Any]
    tasks: QuerySet[Any]
    status_moves: QuerySet[Any]
    as_of: datetime.datetime
    snapshot: bool = False
    refresh_seconds: float | None = field(default=None, compare=False)


def live_facts(*, now: datetime.datetime | None = None) -> Facts:
    return Facts(
        cases=live_case_facts(),
        stints=live_stint_facts(),
        unclear_tasks=live_unclear_task_facts(),
        tasks=live_task_facts(),
        status_moves=live_status_move_facts(),
        as_of=now or timezone.now(),
    )


def snapshot_facts() -> Facts | None:
    """The last snapshot, or None before the first refresh."""
    snapshot = FiguresSnapshot.objects.filter(pk=1).first()
    if snapshot is None:
        return None
    return Facts(
        cases=CaseFact.objects.all(),
        stints=StintFact.objects.all(),
        unclear_tasks=UnclearTaskFact.objects.all(),
        tasks=TaskFact.objects.all(),
        status_moves=StatusMoveFact.objects.all(),
        as_of=snapshot.as_of,
        snapshot=True,
        refresh_seconds=snapshot.refresh_seconds,
    )


def facts_get() -> Facts:
    """What a request counts from: the snapshot when one exists (every scope), live before the first."""
    return snapshot_facts() or live_facts()


def refresh_interval() -> datetime.timedelta:
    """How often the beat scheduler refreshes the snapshot (its entry in ``CELERY_BEAT_SCHEDULE``)."""
    entry = settings.CELERY_BEAT_SCHEDULE.get(BEAT_ENTRY, {})
    schedule = entry.get("schedule", 15 * 60)
    if isinstance(schedule, datetime.timedelta):
        return schedule
    return datetime.timedelta(seconds=float(schedule))  # type: ignore[arg-type]


def facts_cached(facts: Facts, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, remembered in the cache for as long as ``facts`` is the current snapshot.

    Exact, not an approximation: a snapshot never changes, and the next refresh has another ``as_of``
    and so other keys. Live facts are never cached. Whoever may see the scope may see its aggregates,
    and suppression is applied when they are shown, so one entry serves every viewer. A cache that is
    down costs speed, not the figures.
    """
    if not facts.snapshot:
        return compute()
    full_key = f"figures:{facts.as_of.timestamp()}:{key}"
    try:
        found: T | None = cache.get(full_key)
    except Exception:
        logger.warning("Figures cache unavailable; counting %s afresh", key, exc_info=True)
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(full_key, value, timeout=int(2 * refresh_interval().total_seconds()))
    except Exception:
        logger.warning("Figures cache unavailable; %s not remembered", key, exc_info=True)
    return value


# --- The refresh ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refreshed:
    as_of: datetime.datetime
    seconds: float  # bringing the tables up to date
    rows: dict[str, int]
    written: int
    warm_seconds: float = 0.0  # counting figures ahead (``then``)
    # Tables rewritten in large part (a first or a large refresh): vacuumed once the refresh commits.
    rewritten: tuple[str, ...] = ()


# (fact model, its live definition, the key that identifies a row)
SOURCES: tuple[tuple[type[Model], Any, str], ...] = (
    (CaseFact, live_case_facts, "case_id"),
    (StintFact, live_stint_facts, "event_id"),
    (UnclearTaskFact, live_unclear_task_facts, "task_id"),
    (TaskFact, live_task_facts, "task_id"),
    (StatusMoveFact, live_status_move_facts, "event_id"),
)


def _columns(model: type[Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def _sync(cursor: Any, model: type[Model], live: QuerySet[Any], key: str) -> tuple[int, int]:
    """Make ``model``'s table equal to ``live``, writing only the rows that differ.

    Returns (rows now in the table, rows deleted + inserted).
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fresh = quote(f"{model._meta.db_table}_fresh")
    columns = [quote(c) for c in _columns(model)]
    key = quote(key)
    select, params = live.values(*_columns(model)).query.sql_with_params()
    same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
    listed = ", ".join(columns)
    # The statements below are put together from quoted table and column names of our own models and
    # the SQL Django compiled from the live queryset (values travel as parameters): no outside input.

    cursor.execute(f"DROP TABLE IF EXISTS {fresh}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {fresh} AS SELECT {listed} FROM ({select}) AS live",  # noqa: S608
        params,
    )
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {fresh}")
    # Every row without an identical fresh row is gone or has changed: delete it …
    # (The key is compared with "=" too, so that the database can hash-join on it.)
    identical = " AND ".join(
        [f"{fresh}.{key} = {table}.{key}", *(f"{fresh}.{c} {same} {table}.{c}" for c in columns)]
    )
    cursor.execute(f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM {fresh} WHERE {identical})")  # noqa: S608
    deleted = max(cursor.rowcount, 0)
    # … and insert every fresh row the table now lacks: the new and the changed ones. Into an empty table
    # (the first snapshot, or after everything changed) every row goes in as it is: the anti-join is not
    # only needless there but quadratic, since the planner, believing the table empty, rescans it per
    # row while the insert fills it (minutes for 100,000 rows, hours at national scale).
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
    (has_rows,) = cursor.fetchone()
    if has_rows:
        cursor.execute(
            f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {fresh} "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {table}.{key} = {fresh}.{key})"
        )
    else:
        cursor.execute(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {fresh}")  # noqa: S608
    inserted = max(cursor.rowcount, 0)
    cursor.execute(f"SELECT COUNT(*) FROM {fresh}")  # noqa: S608
    (rows,) = cursor.fetchone()
    cursor.execute(f"DROP TABLE {fresh}")
    if connection.vendor == "postgresql" and deleted + inserted > rows // 10:
        # After a first or a large refresh: fresh statistics now rather than when autovacuum comes by.
        cursor.execute(f"ANALYZE {table}")
    return int(rows), deleted + inserted


def _refresh(then: Callable[[], object] | None) -> Refreshed:
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The first statement of the transaction: with REPEATABLE READ, the instant every table is
            # read at.
            cursor.execute("SELECT statement_timestamp()")
            (as_of,) = cursor.fetchone()
        else:
            as_of = timezone.now()
        rows: dict[str, int] = {}
        written = 0
        rewritten: list[str] = []
        for model, live, key in SOURCES:
            rows[model.__name__], changed = _sync(cursor, model, live(), key)
            written += changed
            if changed > rows[model.__name__] // 10:
                rewritten.append(model._meta.db_table)
        seconds = time.monotonic() - started
        FiguresSnapshot.objects.update_or_create(
            pk=1,
            defaults={
                "as_of": as_of,
                "refresh_seconds": seconds,
                "cases": rows["CaseFact"],
                "stints": rows["StintFact"],
                "unclear_tasks": rows["UnclearTaskFact"],
                "tasks": rows["TaskFact"],
                "status_moves": rows["StatusMoveFact"],
                "rows_written": written,
            },
        )
        # Still inside the transaction, which sees the new rows while nobody else does yet: whatever
        # ``then`` remembers (``facts_cached``, under the new ``as_of``) is there when they appear.
        warm_started = time.monotonic()
        if then is not None:
            then()
        warm_seconds = time.monotonic() - warm_started
    return Refreshed(
        as_of=as_of,
        seconds=seconds,
        rows=rows,
        written=written,
        warm_seconds=warm_seconds,
        rewritten=tuple(rewritten),
    )


def facts_refresh(*, then: Callable[[], object] | None = None) -> Refreshed | None:
    """Bring the fact tables up to date. None when another refresh is running (it does the work).

    ``then`` runs in the same transaction once the tables are written, before anyone else can see
    them: the worker counts the slowest figures there, so that they are ready the moment the new
    snapshot is (``figures.dashboard.dashboard_warm``).
    """
    if connection.vendor != "postgresql":
        return _refresh(then)  # SQLite lets one writer at a time in anyway
    if connection.in_atomic_block:
        # Inside the caller's transaction (a test): lock for that transaction, read what it sees.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
            (locked,) = cursor.fetchone()
        return _refresh(then) if locked else None
    # One REPEATABLE READ transaction whose first statement takes the lock for that transaction only:
    # nothing outlives the transaction, as PgBouncer's transaction pooling asks (a session's lock would
    # stay with whichever server connection took it, and no refresh would run again). The snapshot is
    # taken with that statement, a moment before the lock is: a refresh that commits within that moment
    # has rewritten the snapshot row this one rewrites too, and REPEATABLE READ refuses that ("could not
    # serialize"), which is the same answer as a lock not got: another refresh did the work.
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [REFRESH_LOCK])
                (locked,) = cursor.fetchone()
            if not locked:
                return None
            result = _refresh(then)
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != SERIALIZATION_FAILURE:
            raise
        logger.info("figures refresh: another refresh committed as this one started; it did the work")
        return None
    # After a first or a large refresh, mark the new rows visible to all now, rather than whenever
    # autovacuum comes by (if it is on at all): until then every figure reads the table's pages
    # instead of answering from its covering indexes (bench/README.md: 3–4× slower).
    with connection.cursor() as cursor:
        for table in result.rewritten:
            cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
    return result
