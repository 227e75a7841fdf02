"""The figures' snapshot (``figures.facts``): same answers as live counting, refreshed by the worker, and
every page, API answer and PDF says which moment the figures describe."""

from __future__ import annotations

import dataclasses
import datetime
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from cases.models import CaseStatus, EventKind
from directory.actor import Actor
from figures import facts as figure_facts
from figures import selectors
from figures.facts import facts_refresh, live_facts, snapshot_facts
from figures.models import FiguresSnapshot
from figures.present import freshness_text
from figures.scope import country_scope, figure_scope_get, scope_for
from figures.selectors import Period
from tests.figures.helpers import at, escalate, event, make_case, refresh_facts, request_report

Q1 = Period(datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
YEAR = Period(datetime.date(2024, 7, 1), datetime.date(2025, 6, 30))
EMPTY = Period(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))


def mixed_cases(world) -> None:
    """Every kind of fact: both kommuner, with and without vårdcentral, every open status and closed,
    drafts, deadlines passed and not, disputes, escalations to three levels (stints ended and running),
    discharges with and without a readmission, unclear tasks decided and not, vårdöverskjutning flags
    and planning on cases with several task types (two of one category), and status moves in several
    months."""
    patient = world.patient()
    make_case(
        world, patient=patient, trigger="discharge", submitted=at("2025-01-05"), agreed=at("2025-01-07")
    )
    make_case(world, patient=patient, trigger="discharge", submitted=at("2025-02-01"), status="active")
    make_case(world, patient=patient, trigger="discharge", submitted=at("2025-04-20"), status="follow_up")
    make_case(world, status="draft", submitted=None)
    make_case(world, status="in_review", submitted=at("2025-03-01"), due_at=at("2025-03-10"))
    make_case(
        world, status="in_review", submitted=at("2025-03-02"), due_at=timezone.now() + datetime.timedelta(1)
    )
    make_case(world, status="awaiting_approval", submitted=at("2025-02-10"), due_at=at("2025-02-20"))
    make_case(world, status="risk_analysis", submitted=at("2025-02-11"), vardcentral=None)
    make_case(
        world,
        kommun="kommun_b",
        vardcentral="vc_b",
        status="closed",
        submitted=at("2024-11-30"),
        agreed=at("2025-01-30"),
        tasks=(("lss", "unclear"), ("wound", "proposed")),
        patient_safety_risk=True,
        shift_planning="unorganised",
    )
    for index, (day, lead) in enumerate(
        (("2025-01-10", 2), ("2025-01-20", 9), ("2025-02-03", 31), ("2025-03-03", 70))
    ):
        make_case(
            world,
            submitted=at(day),
            agreed=at(day) + datetime.timedelta(days=lead, hours=lead % 5),
            tasks=(("lss", "unclear-decided"), ("pd", "unclear"), ("wound", "proposed")),
            increased_staff_time=index % 2 == 0,
            competence_needed=index > 1,
            increased_other_costs=index == 3,
            shift_planning=("planned", "unorganised", "unknown", "planned")[index],
        )
    for kommun, vardcentral in (("kommun_a", "vc_a"), ("kommun_b", "vc_b")):
        disputed = make_case(
            world,
            kommun=kommun,
            vardcentral=vardcentral,
            status="escalated",
            submitted=at("2025-01-15"),
            tasks=(("wound", "proposed"),),
            patient_safety_risk=True,
        )
        event(disputed, at("2025-01-20"), EventKind.DISPUTED, "disputed")
        escalate(disputed, at("2025-01-22"), 1)
        escalate(disputed, at("2025-02-02"), 2)
        escalate(disputed, at("2025-02-12"), 3)  # running: no end yet
        decided = make_case(world, kommun=kommun, vardcentral=vardcentral, submitted=at("2025-02-05"))
        event(decided, at("2025-02-06"), EventKind.DISPUTED, "disputed")
        escalate(decided, at("2025-02-07"), 1)
        event(decided, at("2025-03-01"), EventKind.DECIDED, "agreed")
        withdrawn = make_case(
            world, kommun=kommun, vardcentral=vardcentral, status="closed", submitted=at("2025-03-20")
        )
        escalate(withdrawn, at("2025-03-21"), 1)
        event(withdrawn, at("2025-04-02"), EventKind.WITHDRAWN, "closed")


def scopes(world):
    nurse = figure_scope_get(actor=Actor.for_user(world.users["nurse_a"]))
    gp = figure_scope_get(actor=Actor.for_user(world.users["gp_a"]))
    return [
        nurse,
        gp,
        scope_for(world.orgs["kommun_b"]),
        scope_for(world.orgs["region"]),
        country_scope(),
    ]


@pytest.mark.django_db
def test_live_and_snapshot_figures_agree_on_a_mixed_data_set(world):
    mixed_cases(world)
    refreshed = refresh_facts()
    snapshot = snapshot_facts()
    assert snapshot is not None
    assert snapshot.as_of == refreshed.as_of
    live = live_facts(now=snapshot.as_of)
    assert refreshed.rows == {
        "CaseFact": 19,
        "StintFact": 10,
        "UnclearTaskFact": 9,
        "TaskFact": 16,
        "StatusMoveFact": 18,
    }
    for scope in scopes(world):
        for period in (Q1, YEAR, EMPTY):
            for group in selectors.SHIFT_GROUPS:
                counted_table = selectors.shift_table(scope=scope, period=period, group=group, facts=live)
                read_table = selectors.shift_table(scope=scope, period=period, group=group, facts=snapshot)
                assert (read_table.as_of, read_table.snapshot) == (snapshot.as_of, True)
                assert read_table == dataclasses.replace(counted_table, snapshot=True), (scope.kind, group)
            counted_moves = selectors.status_moves_by_month(scope=scope, period=period, facts=live)
            read_moves = selectors.status_moves_by_month(scope=scope, period=period, facts=snapshot)
            assert read_moves == dataclasses.replace(counted_moves, snapshot=True), (scope.kind, period)
            counted = selectors.kpis(scope=scope, period=period, facts=live)
            read = selectors.kpis(scope=scope, period=period, facts=snapshot)
            assert read.snapshot
            assert not counted.snapshot
            assert read == dataclasses.replace(counted, snapshot=True), (scope.kind, period)
            assert selectors.lead_time_buckets(scope=scope, period=period, facts=live) == (
                selectors.lead_time_buckets(scope=scope, period=period, facts=snapshot)
            )
    # The data set really exercises the figures (a comparison of zeros would prove nothing).
    region = selectors.kpis(scope=scopes(world)[3], period=YEAR, facts=snapshot)
    assert region.submitted.value == 18
    assert region.disputed.value == 4
    assert [row.reached.value for row in region.levels] == [6, 2, 2]
    assert [row.stints.value for row in region.levels] == [6, 2, 0]
    assert (region.discharge_cases.value, region.readmitted.value) == (3, 1)
    assert region.overdue_reviews.value == 1
    assert region.overdue_approvals.value == 1
    assert [(row.key, row.unclear.value, row.undecided.value) for row in region.unclear_rows] == [
        ("lss", 5, 1),
        ("pd", 4, 4),
    ]
    assert region.lead_time.cases.value == 6
    by_task = selectors.shift_table(scope=scopes(world)[3], period=YEAR, group="task_type", facts=snapshot)
    assert by_task.total.cases.value == 18
    assert [(r.key, r.cases.value, r.flags["patient_safety_risk"].value) for r in by_task.rows] == [
        ("wound", 7, 3),
        ("lss", 5, 1),
        ("pd", 4, 0),
    ]
    assert [r.planned.value for r in by_task.rows] == [2, 2, 2]
    assert by_task.total.unorganised.value == 2
    category = selectors.shift_table(scope=scopes(world)[3], period=YEAR, group="category", facts=snapshot)
    assert [(r.key, r.cases.value) for r in category.rows] == [("nursing", 7)]  # each case once
    per_kommun = selectors.shift_table(scope=scopes(world)[3], period=YEAR, group="kommun", facts=snapshot)
    assert [(r.label, r.cases.value) for r in per_kommun.rows] == [("A kommun", 14), ("B kommun", 4)]
    moves = selectors.status_moves_by_month(scope=scopes(world)[3], period=YEAR, facts=snapshot)
    flow = {status: [cell.value for cell in cells] for status, _label, cells in moves.series}
    assert flow["escalated"][6:9] == [2, 4, 2]  # January, February, March 2025: cases, not events
    assert sum(flow["disputed"]) == 4


@pytest.mark.django_db
def test_figures_are_counted_live_until_the_first_refresh(world):
    make_case(world, submitted=at("2025-02-01"))
    assert snapshot_facts() is None
    before = timezone.now()
    kpis = selectors.kpis(scope=scopes(world)[0], period=Q1)
    assert not kpis.snapshot
    assert kpis.as_of >= before
    assert kpis.submitted.value == 1
    table = selectors.shift_table(scope=scopes(world)[0], period=Q1)
    assert (table.snapshot, table.total.cases.value) == (False, 1)
    assert table.as_of >= before
    moves = selectors.status_moves_by_month(scope=scopes(world)[0], period=Q1)
    assert not moves.snapshot


@pytest.mark.django_db
def test_a_case_written_after_a_refresh_counts_from_the_next_one(world):
    make_case(world, submitted=at("2025-02-01"))
    first = refresh_facts()
    make_case(world, submitted=at("2025-02-02"))
    scope = scopes(world)[0]
    kpis = selectors.kpis(scope=scope, period=Q1)
    assert kpis.snapshot
    assert kpis.as_of == first.as_of
    assert kpis.submitted.value == 1
    second = refresh_facts()
    assert second.as_of > first.as_of
    kpis = selectors.kpis(scope=scope, period=Q1)
    assert (kpis.submitted.value, kpis.as_of) == (2, second.as_of)


@pytest.mark.django_db
def test_a_refresh_writes_only_what_changed(world):
    case = make_case(world, status="in_review", submitted=at("2025-02-01"), tasks=(("lss", "unclear"),))
    make_case(world, submitted=at("2025-02-02"))
    assert refresh_facts().written == 4  # two cases, one task, which is unclear
    assert refresh_facts().written == 0
    event(case, at("2025-02-03"), EventKind.DISPUTED, CaseStatus.DISPUTED)
    assert refresh_facts().written == 3  # the case's old row out, its new one in; the status move
    assert selectors.kpis(scope=scopes(world)[0], period=Q1).disputed.value == 1
    assert FiguresSnapshot.objects.get().rows_written == 3
    case.patient_safety_risk = True
    case.save(update_fields=["patient_safety_risk"])
    assert refresh_facts().written == 4  # the case's row and its task's, out and in
    table = selectors.shift_table(scope=scopes(world)[0], period=Q1)
    assert (table.snapshot, table.rows[0].flags["patient_safety_risk"].value) == (True, 1)


@pytest.mark.django_db
def test_the_worker_refreshes_every_quarter_of_an_hour_and_counts_the_regions(world):
    from figures.tasks import refresh_figure_facts
    from hemsjukvard.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["figures-refresh-facts"]
    assert entry == {"task": "figures.tasks.refresh_figure_facts", "schedule": 15 * 60}
    assert "figures.tasks.refresh_figure_facts" in app.tasks
    make_case(world, submitted=timezone.now() - datetime.timedelta(days=3))
    # Run as the worker runs it; read the result directly (``get()`` refuses once any test in this process
    # has run a worker in a thread).
    run = refresh_figure_facts.apply()
    assert run.successful(), run.traceback
    outcome = run.result
    assert "1 rows written" in outcome
    assert "2 scopes counted" in outcome  # the country and the one region
    kpis = selectors.kpis(scope=scope_for(world.orgs["region"]), period=selectors.period_parse(None, None))
    assert kpis.snapshot
    assert kpis.submitted.value == 1


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_do_the_work_once(world):
    for day in range(1, 6):
        make_case(world, submitted=at(f"2025-02-0{day}"))
    barrier = threading.Barrier(2)

    def refresh_in_its_own_connection() -> object:
        barrier.wait()
        try:
            return facts_refresh()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [job.result() for job in [pool.submit(refresh_in_its_own_connection) for _ in range(2)]]
    done = [r for r in results if r is not None]
    assert done, "at least one refresh did the work"
    assert sum(r.written for r in done) == 5  # whichever came second found nothing left to write
    assert selectors.kpis(scope=scopes(world)[0], period=Q1).submitted.value == 5


@pytest.mark.django_db(transaction=True)
def test_a_refresh_while_another_holds_the_lock_does_nothing(world):
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [figure_facts.REFRESH_LOCK])
        assert facts_refresh() is None
        other.execute("SELECT pg_advisory_unlock(%s)", [figure_facts.REFRESH_LOCK])
    assert facts_refresh() is not None
    assert FiguresSnapshot.objects.count() == 1


@pytest.mark.django_db
def test_page_api_and_pdf_say_how_fresh_the_figures_are(world, api, django_capture_on_commit_callbacks):
    for _ in range(6):
        make_case(world, submitted=at("2025-02-01"))
    refreshed = refresh_facts()
    shown = timezone.localtime(refreshed.as_of).strftime("%Y-%m-%d %H:%M")

    client = Client()
    client.force_login(world.users["nurse_a"])
    page = client.get("/figures/?from=2025-01-01&to=2025-03-31").content.decode()
    assert f"Siffrorna avser läget {shown}" in page

    answer = api(world.users["nurse_a"]).get("/api/v1/figures/kpis?from=2025-01-01&to=2025-03-31").json()
    assert answer["snapshot"] is True
    assert datetime.datetime.fromisoformat(answer["as_of"]) == refreshed.as_of
    assert answer["submitted"]["value"] == 6
    table = (
        api(world.users["nurse_a"]).get("/api/v1/figures/shift-table?from=2025-01-01&to=2025-03-31").json()
    )
    assert (table["snapshot"], table["total"]["cases"]["value"]) == (True, 6)
    assert datetime.datetime.fromisoformat(table["as_of"]) == refreshed.as_of
    assert "räknas just nu" not in page
    assert "räknade just nu" not in page

    report = request_report(api(world.users["nurse_a"]), django_capture_on_commit_callbacks)
    detail = api(world.users["nurse_a"]).get(f"/api/v1/figures/reports/{report.json()['id']}").json()
    pdf = client.get(detail["download_url"]).content
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert f"Siffrorna avser läget {shown}" in " ".join(text.split())


def test_old_figures_say_so():
    as_of = timezone.now() - datetime.timedelta(minutes=20)
    assert "older than usual" not in freshness_text(as_of=as_of, snapshot=True)
    late = freshness_text(as_of=as_of, snapshot=True, now=as_of + datetime.timedelta(minutes=31))
    assert "older than usual" in late or "äldre än vanligt" in late


@pytest.mark.django_db
def test_charts_remembered_with_the_snapshot_follow_the_language(world):
    """A chart drawn from the snapshot is remembered, and shows the same figures to everyone (one
    suppression rule), never in another language."""
    for _ in range(3):
        make_case(world, submitted=at("2025-02-01"), tasks=(("pd", "proposed"),), increased_staff_time=True)
    refresh_facts()
    kommun = world.orgs["kommun_a"].public_id
    url = f"/figures/?scope={kommun}&from=2025-01-01&to=2025-03-31"
    chart_url = f"/figures/charts/heat-map.svg?scope={kommun}&from=2025-01-01&to=2025-03-31"
    nurse = Client()
    nurse.force_login(world.users["nurse_a"])
    governance = Client()
    governance.force_login(world.users["governance"])
    for _ in range(2):  # drawn, then remembered
        inside = nurse.get(url).context["board"]
        outside = governance.get(url).context["board"]
        assert (inside.snapshot, outside.snapshot) == (True, True)
        assert inside.figure("heat-map").rows[0][:2] == ("pd sv", "<5")
        assert outside.figure("heat-map").rows[0][:2] == ("pd sv", "<5")
        assert nurse.get(chart_url).content == governance.get(chart_url).content
        english = nurse.get(url, HTTP_ACCEPT_LANGUAGE="en").context["board"]
        assert english.figure("heat-map").rows[0][:2] == ("pd en", "<5")
        assert english.figure("cases-over-time").title.startswith("Cases over time")
        assert inside.figure("cases-over-time").title != english.figure("cases-over-time").title
        svg_en = nurse.get(chart_url, HTTP_ACCEPT_LANGUAGE="en").content
        assert b"pd en" in svg_en
        assert b"pd sv" in nurse.get(chart_url).content
