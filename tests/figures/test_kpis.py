"""Each KPI against hand-built cases with known answers, including ties and empty periods.

The figures are read from the snapshot, as in production: each test refreshes it after writing its cases
(``refresh_facts``). ``test_facts.py`` checks that live counting gives the same answers.
"""

from __future__ import annotations

import datetime

import pytest

from cases.models import EventKind
from directory.actor import Actor
from figures import selectors
from figures.scope import figure_scope_get
from figures.selectors import Period
from tests.figures.helpers import at, escalate, event, make_case, refresh_facts

pytestmark = pytest.mark.django_db

Q1 = Period(datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
EMPTY = Period(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))


def kommun_a(world):
    return figure_scope_get(actor=Actor.for_user(world.users["nurse_a"]))


@pytest.fixture
def q1_cases(world):
    c1 = make_case(world, submitted=at("2025-01-10"), agreed=at("2025-01-12"), tasks=(("wound", "proposed"),))
    c2 = make_case(world, submitted=at("2025-01-11"), agreed=at("2025-01-15"), tasks=(("lss", "unclear"),))
    c3 = make_case(
        world, submitted=at("2025-01-12"), agreed=at("2025-01-16"), tasks=(("lss", "unclear-decided"),)
    )
    c4 = make_case(world, submitted=at("2025-02-01"), agreed=at("2025-02-11"))
    # Agreed before the period: not in the lead time, not submitted in the period.
    make_case(world, submitted=at("2024-12-01"), agreed=at("2024-12-20"))
    # Another kommun: never in kommun A's figures.
    make_case(
        world, kommun="kommun_b", vardcentral="vc_b", submitted=at("2025-01-10"), agreed=at("2025-03-10")
    )
    event(c2, at("2025-02-01"), EventKind.DISPUTED, "disputed")
    escalate(c2, at("2025-02-02"), 1)
    event(c2, at("2025-02-09"), EventKind.DECIDED, "agreed")
    event(c3, at("2025-02-01"), EventKind.DISPUTED, "disputed")
    escalate(c3, at("2025-02-02"), 1)
    escalate(c3, at("2025-02-05"), 2)
    event(c3, at("2025-02-10"), EventKind.DECIDED, "agreed")
    refresh_facts()
    return c1, c2, c3, c4


def test_lead_time_median_and_p90_with_a_tie(world, q1_cases):
    lead = selectors.lead_time(scope=kommun_a(world), period=Q1)
    assert lead.cases.value == 4
    # [2, 4, 4, 10] days: the median sits on the tie; p90 = 4 + 0.7 × 6.
    assert lead.median_days == pytest.approx(4.0)
    assert lead.p90_days == pytest.approx(8.2)


def test_lead_time_in_an_empty_period(world, q1_cases):
    lead = selectors.lead_time(scope=kommun_a(world), period=EMPTY)
    assert lead.cases.value == 0
    assert lead.median_days is None
    assert lead.p90_days is None


def test_disputed_and_escalated_by_level(world, q1_cases):
    kpis = selectors.kpis(scope=kommun_a(world), period=Q1)
    assert kpis.submitted.value == 4
    assert kpis.disputed.value == 2
    assert kpis.disputed_share.ratio == pytest.approx(0.5)
    reached = {row.level: row.reached.value for row in kpis.levels}
    assert reached == {1: 2, 2: 1, 3: 0}
    assert kpis.level_share(kpis.levels[1]).ratio == pytest.approx(0.25)


def test_median_days_per_escalation_level(world, q1_cases):
    levels = {row.level: row for row in selectors.escalation_levels(scope=kommun_a(world), period=Q1)}
    assert levels[1].stints.value == 2
    assert levels[1].median_days == pytest.approx(5.0)  # 7 days and 3 days
    assert levels[2].median_days == pytest.approx(5.0)
    assert levels[3].median_days is None
    empty = selectors.escalation_levels(scope=kommun_a(world), period=EMPTY)
    assert all(row.median_days is None and row.reached.value == 0 for row in empty)


def test_unclear_tasks_by_task_type(world, q1_cases):
    rows = selectors.unclear_tasks(scope=kommun_a(world), period=Q1)
    assert [(r.key, r.unclear.value, r.undecided.value) for r in rows] == [("lss", 2, 1)]
    assert selectors.unclear_tasks(scope=kommun_a(world), period=EMPTY) == ()


def test_open_by_status_and_overdue_now(world):
    now = at("2025-06-01")
    make_case(world, status="in_review", submitted=at("2025-05-01"), due_at=at("2025-05-20"))
    make_case(world, status="in_review", submitted=at("2025-05-01"), due_at=at("2025-06-20"))
    make_case(world, status="awaiting_approval", submitted=at("2025-05-01"), due_at=at("2025-05-30"))
    make_case(
        world, status="closed", submitted=at("2025-05-01"), due_at=at("2025-05-20"), agreed=at("2025-05-02")
    )
    refresh_facts()
    scope = kommun_a(world)
    reviews, approvals = selectors.overdue_now(scope=scope, now=now)
    assert (reviews.value, approvals.value) == (1, 1)
    by_status = {key: cell.value for key, _label, cell in selectors.open_by_status(scope=scope)}
    assert by_status["in_review"] == 2
    assert by_status["awaiting_approval"] == 1
    assert "closed" not in by_status


def test_readmission_within_30_days(world):
    patient = world.patient()
    make_case(world, patient=patient, trigger="discharge", submitted=at("2025-03-01"))
    make_case(world, patient=patient, trigger="discharge", submitted=at("2025-03-31"))  # 30 days: counts
    make_case(world, patient=patient, trigger="discharge", submitted=at("2025-05-10"))  # 40 days: not
    other = world.patient()
    make_case(world, patient=other, trigger="discharge", submitted=at("2025-02-01"))
    make_case(world, patient=other, trigger="changed_needs", submitted=at("2025-02-05"))  # not a discharge
    refresh_facts()
    base, followed = selectors.readmissions(scope=kommun_a(world), period=Q1)
    assert (base.value, followed.value) == (3, 1)
    assert selectors.readmissions(scope=kommun_a(world), period=EMPTY) == (selectors.ZERO, selectors.ZERO)


def test_shift_table_counts_flags_and_planning(world):
    for flags in (
        {"increased_staff_time": True, "shift_planning": "unorganised"},
        {"increased_staff_time": True, "patient_safety_risk": True, "shift_planning": "planned"},
        {"competence_needed": True, "shift_planning": "unorganised"},
    ):
        make_case(world, submitted=at("2025-02-01"), tasks=(("pd", "proposed"),), **flags)
    make_case(world, submitted=at("2025-02-01"), tasks=(("wound", "proposed"), ("pd", "proposed")))
    table = selectors.shift_table(scope=kommun_a(world), period=Q1, group="task_type")
    rows = {row.key: row for row in table.rows}
    pd = rows["pd"]
    assert pd.cases.value == 4
    assert pd.flags["increased_staff_time"].value == 2
    assert pd.share(pd.flags["increased_staff_time"]).ratio == pytest.approx(0.5)
    assert (pd.planned.value, pd.unorganised.value) == (1, 2)
    assert rows["wound"].cases.value == 1
    assert table.total.cases.value == 4
    category = selectors.shift_table(scope=kommun_a(world), period=Q1, group="category")
    assert [(r.key, r.cases.value) for r in category.rows] == [("nursing", 4)]
    assert selectors.shift_table(scope=kommun_a(world), period=EMPTY).rows == ()


def test_percentile_matches_postgres_definition():
    from hemsjukvard.stats import percentile_cont

    assert percentile_cont([], 0.5) is None
    assert percentile_cont([3.0], 0.9) == 3.0
    assert percentile_cont([1, 2, 3, 4], 0.5) == 2.5
    assert percentile_cont([2, 4, 4, 10], 0.9) == pytest.approx(8.2)
