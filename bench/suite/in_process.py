"""The in-process benchmarks on production settings: query counts, KPIs, the dashboard, proposals
and PDFs."""

from __future__ import annotations

import contextlib
import datetime
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench.suite.common import ROOT, SERVER, database_url, say

# --- Data --------------------------------------------------------------------------------------------


def ensure_database(scale: float, *, generate: bool) -> None:
    import psycopg

    url = database_url(scale)
    name = url.rsplit("/", 1)[-1]
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists and not generate and scale >= 1.0:
        say(f"using the existing national database {name} (--generate to build it again)")
        return
    say(f"generating {name} at scale {scale}")
    subprocess.run(  # noqa: S603 - our own script
        [
            sys.executable,
            str(ROOT / "bench" / "generate_national.py"),
            "--scale",
            str(scale),
            "--database-url",
            url,
            "--reset",
        ],
        check=True,
        env={k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "HEMSJUKVARD_ENV")},
    )


@contextlib.contextmanager
def captured() -> Iterator[list[dict[str, Any]]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        queries: list[dict[str, Any]] = []
        yield queries
    queries.extend(context.captured_queries)


def timings(work: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """(median, p95, max) in ms after one warm-up."""
    work()
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        values.append((time.perf_counter() - started) * 1000)
    values.sort()
    return statistics.median(values), values[min(len(values) - 1, int(len(values) * 0.95))], values[-1]


class Fixture:
    """Who acts and on what: the busiest kommun's nurse, its region's coordinator, a case, a patient."""

    def __init__(self) -> None:
        from django.db import connection

        from directory.authentication import token_issue
        from directory.models import Membership, Organisation, User

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT kommun_id, count(*) FROM cases_responsibilitycase GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
            )
            kommun_id, self.kommun_cases = cursor.fetchone()
        self.kommun = Organisation.objects.get(pk=kommun_id)
        self.region = Organisation.objects.get(pk=self.kommun.region_id)
        member = Membership.objects.select_related("user")
        nursing = member.filter(organisation=self.kommun, role="nurse").order_by("pk")[0]
        coordinating = member.filter(organisation=self.region, role="coordinator").order_by("pk")[0]
        self.nurse: User = nursing.user
        self.coordinator: User = coordinating.user
        # A token acts in one membership: name it, as a person with several must.
        self.tokens = {
            "nurse": token_issue(user=self.nurse, membership=nursing)[0],
            "coordinator": token_issue(user=self.coordinator, membership=coordinating)[0],
        }
        # The nurse's filtered view: the kommun's cases in follow-up (a working list of a few thousand).
        self.list_status = "follow_up"
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT c.public_id, count(e.id) FROM cases_responsibilitycase c
                JOIN cases_caseevent e ON e.case_id = c.id
                WHERE c.kommun_id = %s AND c.id IN (
                    SELECT id FROM cases_responsibilitycase WHERE kommun_id = %s ORDER BY id DESC LIMIT 2000)
                GROUP BY c.public_id ORDER BY 2 DESC LIMIT 1
                """,
                [kommun_id, kommun_id],
            )
            case_id, self.case_events = cursor.fetchone()
            self.case_id = str(case_id)
            cursor.execute(
                """
                SELECT p.personal_identity, p.family_name, p.given_name FROM patients_patient p
                JOIN patients_enrolment e ON e.patient_id = p.id AND e.ends_on IS NULL
                WHERE e.kommun_id = %s AND NOT p.protected_identity ORDER BY p.id LIMIT 1
                """,
                [kommun_id],
            )
            self.personnummer, family, given = cursor.fetchone()
        # A name search as typed: part of the family name and the start of the given name.
        self.name_query = f"{family[:5].lower()} {given[:3].lower()}"


def case_list_query_counts(fixture: Fixture) -> dict[str, int]:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {fixture.tokens['nurse']}")
    counts: dict[str, Any] = {}
    for name, path in (("real", "/api/v1/cases"), ("plain", "/bench/v1/plain-cases")):
        for size in (25, 100):
            client.get(path, {"status": fixture.list_status, "page_size": size})  # token bookkeeping
            with captured() as queries:
                response = client.get(path, {"status": fixture.list_status, "page_size": size})
            assert response.status_code == 200, response.content[:300]
            counts[f"{name}_{size}"] = len(queries)
        # One request at a time in this process: the server-side cost without the load tool, the
        # network or other processes' contention (a shared machine's load shows in the HTTP figures).
        median, p95, _ = timings(lambda p=path: client.get(p, {"status": fixture.list_status}), 30)
        counts[f"{name}_median_ms"] = round(median, 1)
        counts[f"{name}_p95_ms"] = round(p95, 1)
    return counts


@contextlib.contextmanager
def access_log_off() -> Iterator[None]:
    """The access log as ``bench.nolog`` makes it (a no-op), inside this process, for the duration."""
    from audit import services
    from bench.nolog.apps import _no_log

    record = services.access_log_record
    saved = (record.__code__, record.__defaults__, record.__kwdefaults__)
    record.__code__ = _no_log.__code__
    record.__defaults__ = None
    record.__kwdefaults__ = {"outcome": "", "purpose": "", "reason": ""}
    try:
        yield
    finally:
        record.__code__, record.__defaults__, record.__kwdefaults__ = saved


def access_log_in_process(fixture: Fixture, *, rounds: int, requests: int) -> dict[str, Any]:
    """The case list with the access log on and off in this process, alternating (on, off, on, off ...)
    in rounds of ``requests``: the log's cost without the load tool, wrk or the other gunicorn."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {fixture.tokens['nurse']}")

    def one() -> float:
        started = time.perf_counter()
        response = client.get("/api/v1/cases", {"status": fixture.list_status})
        assert response.status_code == 200, response.content[:300]
        return (time.perf_counter() - started) * 1000

    times: dict[str, list[float]] = {"on": [], "off": []}
    loads = []
    for _ in range(rounds):
        for side in ("on", "off"):
            with access_log_off() if side == "off" else contextlib.nullcontext():
                one()
                times[side].extend(one() for _ in range(requests))
        loads.append(os.getloadavg()[0])
    result: dict[str, Any] = {}
    for side, values in times.items():
        values.sort()
        result[side] = {
            "median_ms": round(statistics.median(values), 1),
            "mean_ms": round(statistics.mean(values), 1),
            "p95_ms": round(values[min(len(values) - 1, int(len(values) * 0.95))], 1),
            "requests": len(values),
        }
    # Throughput one request at a time is 1 / mean time, so the cost is 1 - mean(off) / mean(on).
    result["cost"] = 1 - result["off"]["mean_ms"] / result["on"]["mean_ms"]
    result["load_average"] = [round(min(loads), 1), round(max(loads), 1)]
    say(
        f"  access log in-process: on median {result['on']['median_ms']} ms (p95 {result['on']['p95_ms']}), "
        f"off median {result['off']['median_ms']} ms (p95 {result['off']['p95_ms']}): cost "
        f"{result['cost'] * 100:.1f} % (load average {result['load_average'][0]}-{result['load_average'][1]})"
    )
    return result


def kpi_refresh() -> dict[str, Any]:
    """What the worker does every 15 minutes (``figures.tasks.refresh_figure_facts``): bring the
    figures' snapshot up to date, count the country's key figures and every region's dashboard for the
    default period ahead."""
    from django.utils import timezone

    from figures.dashboard import dashboard_warm
    from figures.facts import facts_refresh

    refreshed = facts_refresh(then=dashboard_warm)
    if refreshed is None:
        raise SystemExit("another refresh of the figures is running; try again in a minute")
    say(
        f"  figures snapshot as of {timezone.localtime(refreshed.as_of):%H:%M:%S}: "
        f"{', '.join(f'{n} {c:,}' for n, c in refreshed.rows.items())}; {refreshed.written:,} rows written "
        f"in {refreshed.seconds:.1f} s, the country's key figures and the regions' dashboards counted "
        f"ahead in {refreshed.warm_seconds:.1f} s"
    )
    return {
        "as_of": refreshed.as_of.isoformat(),
        "refresh_s": round(refreshed.seconds, 1),
        "count_ahead_s": round(refreshed.warm_seconds, 1),
        "rows": refreshed.rows,
        "rows_written": refreshed.written,
    }


def kpi_timings(fixture: Fixture, runs: int) -> dict[str, Any]:
    """The dashboard KPIs as served, from the snapshot (``figures.facts``), after ``kpi_refresh``.

    Per scope: the first request for the default period (the last 365 days: what every page shows
    first; counted ahead for the region and the country, counted on this request for the vårdcentral
    and the kommun), the same again (median, p95, worst: ``timings``), and a period nobody has asked
    for yet, a new one each run (nothing remembered for it but the period-free "now" figures). For
    comparison, the vårdcentral and the kommun once counted live (the region and the country took
    9–12 s live).
    """
    from django.db.models import Count

    from cases.models import ResponsibilityCase
    from directory.models import Organisation
    from figures import selectors
    from figures.facts import live_facts, snapshot_facts
    from figures.scope import country_scope, scope_for

    period = selectors.period_parse(None, None)
    busiest = (
        ResponsibilityCase.objects.filter(kommun=fixture.kommun, vardcentral__isnull=False)
        .values("vardcentral")
        .annotate(n=Count("pk"))
        .order_by("-n")[:1]
        .get()
    )
    vardcentral = Organisation.objects.get(pk=busiest["vardcentral"])
    facts = snapshot_facts()
    assert facts is not None
    result: dict[str, Any] = {}
    for label, figure_scope in (
        ("vardcentral", scope_for(vardcentral)),
        ("kommun", scope_for(fixture.kommun)),
        ("region", scope_for(fixture.region)),
        ("country", country_scope()),
    ):
        started = time.perf_counter()
        with captured() as first_queries:
            selectors.kpis(scope=figure_scope, period=period)
        first = (time.perf_counter() - started) * 1000
        median, p95, worst = timings(lambda s=figure_scope: selectors.kpis(scope=s, period=period), runs)
        shifts = iter(range(1, 2 * runs + 3))

        def new_period(s: Any = figure_scope, shifts: Iterator[int] = shifts) -> object:
            end = period.end - datetime.timedelta(days=next(shifts))
            return selectors.kpis(scope=s, period=selectors.Period(end - datetime.timedelta(days=364), end))

        with captured() as new_queries:
            new_period()
        new_median, new_p95, new_worst = timings(new_period, runs)
        row = {
            "median_ms": median,
            "p95_ms": p95,
            "max_ms": worst,
            "first_ms": first,
            "first_queries": len(first_queries),
            "new_period_median_ms": new_median,
            "new_period_p95_ms": new_p95,
            "new_period_max_ms": new_worst,
            "new_period_queries": len(new_queries),
        }
        if label in ("vardcentral", "kommun"):
            started = time.perf_counter()
            selectors.kpis(scope=figure_scope, period=period, facts=live_facts())
            row["live_ms"] = (time.perf_counter() - started) * 1000
        result[label] = row
        say(
            f"  KPIs {label:<11} first {first:7.1f} ms, then median {median:6.1f} / p95 {p95:6.1f} ms; "
            f"a new period median {new_median:7.1f} / p95 {new_p95:7.1f} ms ({len(new_queries)} queries)"
            + (f"; live {row['live_ms']:7.1f} ms" if "live_ms" in row else "")
        )
    result["as_of"] = facts.as_of.isoformat()
    return result


def dashboard_timings(fixture: Fixture, runs: int) -> dict[str, Any]:
    """The figures dashboard page as a browser gets it (in-process, ``django.test.Client``: the view,
    the charts drawn, the template rendered), for the default period, after ``kpi_refresh``: the kommun
    as its nurse sees it (counted from the snapshot on the first request) and the region as its
    coordinator sees it (counted ahead by the worker). First request (the kommun's also pays for loading
    the templates and matplotlib into the process, ~1 s), then median / p95 / worst."""
    from django.test import Client

    result: dict[str, Any] = {}
    for label, user in (("kommun", fixture.nurse), ("region", fixture.coordinator)):
        client = Client()
        client.force_login(user)

        def page(c: Client = client) -> object:
            response = c.get("/figures/")
            if response.status_code != 200:
                raise SystemExit(f"dashboard page answered {response.status_code}")
            return response

        started = time.perf_counter()
        page()
        first = (time.perf_counter() - started) * 1000
        median, p95, worst = timings(page, runs)
        result[label] = {"first_ms": first, "median_ms": median, "p95_ms": p95, "max_ms": worst}
        say(
            f"  dashboard page {label:<7} first {first:7.1f} ms, then median {median:6.1f} / "
            f"p95 {p95:6.1f} ms"
        )
    return result


def proposal_timings(runs: int) -> dict[str, Any]:
    """bench_proposal's load + engine, for an enrolled Halland patient of the national database."""
    from agreements.engine import rules_propose_split
    from agreements.selectors import patient_situation, responsibility_inputs_load
    from bench.bench_proposal import ON, TASKS
    from directory.models import Organisation, OrganisationKind
    from patients.models import Patient

    halland = Organisation.objects.get(name="Region Halland", kind=OrganisationKind.REGION)
    patient = (
        Patient.objects.select_related("folkbokforing_kommun")
        .filter(
            folkbokforing_kommun__region=halland,
            enrolments__ends_on__isnull=True,
            housing_setting="ordinary_home",
        )
        .order_by("pk")[0]
    )
    clinic = Organisation.objects.filter(region=halland, kind=OrganisationKind.SPECIALIST_CLINIC).order_by(
        "name"
    )[0]
    situation = patient_situation(patient=patient, specialist_clinic_id=clinic.pk)

    def work() -> object:
        inputs = responsibility_inputs_load(actor=None, situation=situation, task_codes=TASKS, on=ON)
        return rules_propose_split(
            situation=situation, task_types=[inputs.task_types[c] for c in TASKS], rules=inputs.rules, on=ON
        )

    with captured() as queries:
        work()
    median, p95, _ = timings(work, runs)
    say(
        f"  proposal load+engine, 10 tasks: median {median:.2f} ms  p95 {p95:.2f} ms  "
        f"({len(queries)} queries)"
    )
    return {
        "median_ms": median,
        "p95_ms": p95,
        "queries": len(queries),
        "patient": str(patient.public_id),
        "clinic": str(clinic.public_id),
    }


def pdf_timings(fixture: Fixture, documents: int) -> dict[str, Any]:
    """Escalation notices of national cases through the real pipeline, against the no-database render."""
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from bench.bench_pdf import two_page_html
    from cases.models import ResponsibilityCase
    from documents.models import Document, DocumentKind, DocumentStatus
    from documents.services import document_render
    from documents.sources import source_for
    from hemsjukvard.pdf import pdf_from_html

    html = two_page_html()
    pipeline, _p95, _ = timings(lambda: pdf_from_html(html), max(3, documents // 2))
    source_def = source_for(DocumentKind.ESCALATION_NOTICE)
    from django.db.models import Exists, OuterRef

    printed = Document.objects.filter(kind=DocumentKind.ESCALATION_NOTICE, source_id=OuterRef("public_id"))
    # Cases never printed before, so every run renders afresh (a document is never rendered twice).
    cases = list(
        ResponsibilityCase.objects.filter(status="escalated", kommun__region=fixture.region)
        .exclude(Exists(printed))
        .order_by("-pk")[: documents + 1]
    )
    times = []
    pages = []
    for case in cases:
        source = source_def.load_for_render(source_id=case.public_id)
        document, _created = Document.objects.get_or_create(
            kind=DocumentKind.ESCALATION_NOTICE,
            source_id=case.public_id,
            source_version=source_def.version_of(source),
            language="sv",
            identity_masked=False,
            defaults={
                "patient_id": case.patient_id,
                "requested_by": fixture.nurse,
                "requested_by_organisation": fixture.kommun,
            },
        )
        if document.status != DocumentStatus.QUEUED:
            continue
        started = time.perf_counter()
        outcome = document_render(document_id=document.pk, worker="bench")
        times.append((time.perf_counter() - started) * 1000)
        document.refresh_from_db()
        pages.append(document.page_count or 0)
        assert outcome.status == DocumentStatus.READY, outcome
    warm = times[1:] or times
    median = statistics.median(warm) if warm else 0.0
    say(
        f"  PDF: escalation notice from national data median {median:.0f} ms over {len(warm)} documents "
        f"({statistics.median(pages) if pages else 0:.0f} pages); "
        "pipeline alone (2-page risk analysis, no DB) "
        f"{pipeline:.0f} ms"
    )
    return {
        "escalation_notice_median_ms": median,
        "documents": len(warm),
        "pipeline_only_ms": pipeline,
        "pages": pages,
    }
