"""Every scale-and-speed benchmark in one run (not a test: it prints figures and asserts nothing).

    bench/run_all.sh [--scale 1.0] [--generate] [--duration 15]

1. Makes sure the national-scale database exists (``bench/generate_national.py``; at ``--scale`` below 1
   a separate small database is generated afresh each run, the national one only with ``--generate``)
   and migrates it.
2. In-process (Django, production settings): query counts of the case list at 25 and 100 rows (and of the
   plain baseline), the dashboard KPIs for a kommun, the largest region and the whole country, the rule
   proposal (load + engine) and PDF rendering of escalation notices from national data, and
   ``EXPLAIN (ANALYZE, BUFFERS)`` of the hot paths' SQL, written to ``bench/results/``.
3. Over HTTP: two gunicorns configured by ``deploy/gunicorn.conf.py`` with ``HEMSJUKVARD_ENV=production``
   on loopback (``bench.settings_bench``: one as in production plus the baseline endpoint, one with the
   access log turned off), driven by ``wrk`` (``bench/wrk_api.lua``): each pair of a ratio is measured
   in the same run, alternating, and every run is bounded in time and in requests.

Results: a table on stdout and ``bench/results/run-<scale>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Where the figures go; the test suite's smoke run points this elsewhere.
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or ROOT / "bench" / "results")
SERVER = "postgres://postgres@127.0.0.1:5432"
PORTS = {"on": 18731, "off": 18732}
TARGETS = {"list_ratio": 2.0, "list_p95_ms": 100.0, "kpi_p95_ms": 1000.0, "log_cost": 0.10}


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def database_url(scale: float) -> str:
    if scale >= 1.0:
        return f"{SERVER}/hsv_national"
    return f"{SERVER}/hsv_national_{str(scale).replace('.', '_')}"


def production_env(url: str) -> dict[str, str]:
    """Production settings on loopback: a local secret, the bench database, no TLS redirect."""
    env = dict(os.environ)
    env.update(
        HEMSJUKVARD_ENV="production",
        DJANGO_SETTINGS_MODULE="bench.settings_bench",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=url,
        SECURE_SSL_REDIRECT="false",
        # The per-user rate limit (120/min) would answer 429 to a load test; everything else as deployed.
        API_RATE_LIMIT_USER="100000000/min",
        API_RATE_LIMIT_CLIENT="100000000/min",
        # The benchmark's people get tokens with a password, an exception production allows only when
        # asked for; there is no identity provider on loopback.
        PASSWORD_LOGIN="true",  # noqa: S106 (a switch, not a password)
        ALLOW_PASSWORD_LOGIN_IN_PRODUCTION="true",  # noqa: S106 (a switch, not a password)
        LOG_LEVEL="WARNING",
    )
    return env


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


# --- Query plans -----------------------------------------------------------------------------------------


def explain(sql: str) -> tuple[str, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    total = next((float(line.split()[2]) for line in lines if line.startswith("Execution Time")), 0.0)
    return "\n".join(lines), total


def hot_path_plans(fixture: Fixture, out: Path, *, only: tuple[str, ...] = ()) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT of the hot requests, the plans in ``out``."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {fixture.tokens['nurse']}")
    coordinator = Client(HTTP_AUTHORIZATION=f"Bearer {fixture.tokens['coordinator']}")
    requests = {
        "case list (25, nurse, filtered)": (client, "/api/v1/cases", {"status": fixture.list_status}),
        "case detail": (client, f"/api/v1/cases/{fixture.case_id}", {}),
        "case timeline": (client, f"/api/v1/cases/{fixture.case_id}/timeline", {}),
        "patient search: personnummer": (client, "/api/v1/patients", {"search": fixture.personnummer}),
        "patient search: name": (client, "/api/v1/patients", {"search": fixture.name_query}),
        "KPIs: kommun": (client, "/api/v1/figures/kpis", {}),
        "KPIs: region": (coordinator, "/api/v1/figures/kpis", {}),
    }
    summary: dict[str, Any] = {}
    with out.open("w") as handle:
        for label, (who, path, params) in requests.items():
            if only and label not in only:
                continue
            who.get(path, params)
            with captured() as queries:
                response = who.get(path, params)
            assert response.status_code == 200, (label, response.content[:300])
            rows = []
            for query in queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    rows.append({"sql": sql[:80], "ms": float(query["time"]) * 1000, "plan": "(write)"})
                    continue
                plan, ms = explain(sql)
                first = plan.splitlines()[0].split("  (cost")[0].strip()
                rows.append({"sql": sql[:160], "ms": ms, "plan": first})
                handle.write(f"### {label}\n{sql}\n\n{plan}\n\n")
            rows.sort(key=lambda r: -r["ms"])
            summary[label] = {"queries": len(queries), "slowest": rows[:4]}
    return summary


# --- HTTP load ---------------------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, name: str, port: int, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.port = port
        env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}")
        self.handle = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn {self.name} exited; see its log")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"gunicorn {self.name} did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.handle.close()


def wrk(
    port: int,
    paths: list[str],
    token: str,
    *,
    duration: int,
    connections: int,
    method: str = "GET",
    body: str | None = None,
    max_requests: int = 100_000,
) -> dict[str, Any]:
    env = dict(
        os.environ,
        BENCH_TOKEN=token,
        BENCH_PATHS="|".join(paths),
        BENCH_METHOD=method,
        BENCH_MAX_REQUESTS=str(max_requests),
    )
    if body is not None:
        env["BENCH_BODY"] = body
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "wrk_api.lua"),
        f"http://127.0.0.1:{port}",
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    return {
        "rps": data["requests"] / seconds if seconds else 0.0,
        "requests": data["requests"],
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": data["non2xx"] + data["socket_errors"],
    }


def alternate(runs: dict[str, Callable[[], dict[str, Any]]], rounds: int) -> dict[str, dict[str, Any]]:
    """Run each measurement ``rounds`` times in turn (A B A B ...) and combine: the ratio's two sides
    see the same machine state. Throughput is the mean, p95 the worst round's."""
    collected: dict[str, list[dict[str, Any]]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            collected[name].append(run())
    combined = {}
    for name, results in collected.items():
        combined[name] = {
            "rps": statistics.mean(r["rps"] for r in results),
            "requests": sum(r["requests"] for r in results),
            "p50_ms": statistics.median(r["p50_ms"] for r in results),
            "p95_ms": max(r["p95_ms"] for r in results),
            "errors": sum(r["errors"] for r in results),
        }
        c = combined[name]
        c["load_average"] = os.getloadavg()[0]
        say(
            f"  {name:<34} {c['rps']:8.1f} req/s  p50 {c['p50_ms']:7.1f} ms  "
            f"p95 {c['p95_ms']:7.1f} ms  errors {c['errors']}  (load average {c['load_average']:.1f})"
        )
    return combined


def load_benchmarks(
    fixture: Fixture,
    proposal: dict[str, Any],
    env: dict[str, str],
    duration: int,
    connections: int,
    *,
    case_list_only: bool = False,
) -> dict[str, Any]:
    RESULTS.mkdir(exist_ok=True)
    servers = {
        "on": Gunicorn("on", PORTS["on"], env, RESULTS / "gunicorn-on.log"),
        "off": Gunicorn("off", PORTS["off"], dict(env, BENCH_ACCESS_LOG="off"), RESULTS / "gunicorn-off.log"),
    }
    try:
        for server in servers.values():
            server.wait_ready()
        nurse = fixture.tokens["nurse"]
        on, off = PORTS["on"], PORTS["off"]
        listing = f"/api/v1/cases?status={fixture.list_status}&page_size=25"
        plain = f"/bench/v1/plain-cases?status={fixture.list_status}&page_size=25"
        # Warm every worker (imports, connections, caches) before anything is counted.
        for port in (on, off):
            wrk(port, [listing, plain], nurse, duration=3, connections=connections)

        def run(port: int, paths: list[str], token: str = nurse, **kw: Any) -> Callable[[], dict[str, Any]]:
            return lambda: wrk(
                port, paths, token, duration=duration, connections=kw.pop("connections", connections), **kw
            )

        results: dict[str, Any] = {}
        say("case list (25 rows) against the plain ModelSerializer viewset")
        results["case_list"] = alternate(
            {"case list API": run(on, [listing]), "plain viewset": run(on, [plain])}, 2
        )
        say("access log on against off, same endpoint (case list, 25 rows)")
        results["access_log"] = alternate(
            {
                "case list, access log on": run(on, [listing]),
                "case list, access log off": run(off, [listing]),
            },
            2,
        )
        if case_list_only:
            return results
        say("case detail, timeline, patient search")
        results["reads"] = alternate(
            {
                "case detail": run(on, [f"/api/v1/cases/{fixture.case_id}"]),
                "case timeline": run(on, [f"/api/v1/cases/{fixture.case_id}/timeline"]),
                "patient search: personnummer": run(on, [f"/api/v1/patients?search={fixture.personnummer}"]),
                "patient search: name": run(
                    on, [f"/api/v1/patients?search={fixture.name_query.replace(' ', '+')}"]
                ),
            },
            1,
        )
        say("dashboard KPIs over HTTP (2 connections)")
        results["kpis"] = alternate(
            {
                "KPIs: kommun": run(on, ["/api/v1/figures/kpis"], connections=2),
                "KPIs: region": run(
                    on, ["/api/v1/figures/kpis"], fixture.tokens["coordinator"], connections=2
                ),
            },
            1,
        )
        say("rule proposal over HTTP")
        body = json.dumps(
            {
                "patient": proposal["patient"],
                "task_codes": __import__("bench.bench_proposal", fromlist=["TASKS"]).TASKS,
                "on": "2025-06-02",
                "specialist_clinic": proposal["clinic"],
            }
        )
        results["proposal"] = alternate(
            {
                "proposal API (10 tasks)": run(
                    on,
                    ["/api/v1/responsibility/proposals"],
                    proposal["token"],
                    method="POST",
                    body=body,
                )
            },
            1,
        )
        return results
    finally:
        for server in servers.values():
            server.stop()


# --- Main ------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def case_list_only(
    args: argparse.Namespace,
    fixture: Fixture,
    report: dict[str, Any],
    env: dict[str, str],
    duration: int,
    started: float,
) -> None:
    """The rest of a ``--case-list-only`` run: the case list's plans, its two HTTP benchmarks, a summary."""
    from django.db import connection

    RESULTS.mkdir(exist_ok=True)
    plans = RESULTS / f"plans-{args.scale}-case-list.txt"
    report["plans"] = hot_path_plans(fixture, plans, only=("case list (25, nurse, filtered)", "case detail"))
    say(f"query plans written to {plans}")
    connection.close()
    counts, in_process = report["query_counts"], report["access_log_in_process"]
    print()
    print(f"== Case list and access log at scale {args.scale} ({report['database']})")
    print(
        f"case list in-process: median {counts['real_median_ms']} ms, p95 {counts['real_p95_ms']} ms "
        f"(target p95 <= 100 ms): {verdict(counts['real_p95_ms'] <= 100)}"
    )
    print(
        f"access log cost in-process: {in_process['cost'] * 100:.1f} % (target <= 10 %): "
        f"{verdict(in_process['cost'] <= 0.10)}"
    )
    if not args.in_process_only:
        report["http"] = load_benchmarks(fixture, {}, env, duration, args.connections, case_list_only=True)
        http = report["http"]
        real, plain = http["case_list"]["case list API"], http["case_list"]["plain viewset"]
        on, off = (
            http["access_log"]["case list, access log on"],
            http["access_log"]["case list, access log off"],
        )
        ratio = real["rps"] / plain["rps"] if plain["rps"] else 0.0
        cost = 1 - on["rps"] / off["rps"] if off["rps"] else 0.0
        print(f"case list / plain viewset throughput: {ratio:.2f}x (target >= 2x): {verdict(ratio >= 2)}")
        p95 = real["p95_ms"]
        print(f"case list p95 over HTTP: {p95:.1f} ms (target <= 100 ms): {verdict(p95 <= 100)}")
        print(f"access log cost over HTTP: {cost * 100:.1f} % (target <= 10 %): {verdict(cost <= 0.10)}")
        report["summary"] = {"list_ratio": ratio, "list_p95_ms": real["p95_ms"], "log_cost": cost}
    out = RESULTS / f"run-{args.scale}-case-list{'-in-process' if args.in_process_only else ''}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"(details: {out}; {time.perf_counter() - started:.0f} s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Scale and speed benchmarks (issue 9).")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--generate", action="store_true", help="re-generate the national database")
    parser.add_argument("--duration", type=int, default=0, help="seconds per load run (default 15, smoke 2)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--in-process-only", action="store_true", help="skip the HTTP load runs")
    parser.add_argument(
        "--case-list-only",
        action="store_true",
        help="only the case list and the access log on/off: in-process, their plans and (unless "
        "--in-process-only) their two HTTP benchmarks; migrates only the audit app",
    )
    args = parser.parse_args(argv)
    smoke = args.scale < 0.05
    duration = args.duration or (2 if smoke else 15)
    if not args.in_process_only and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    started = time.perf_counter()
    ensure_database(args.scale, generate=args.generate)
    url = database_url(args.scale)
    env = production_env(url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    # The partial run leaves other apps' migrations to a full run (they may be someone's work in progress).
    call_command(*(("migrate", "audit") if args.case_list_only else ("migrate",)), verbosity=0)
    # Pages are rendered with production's hashed static files: they need their manifest.
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patients_patient")
    fixture = Fixture()
    say(
        f"{url.rsplit('/', 1)[-1]}: nurse {fixture.nurse.username} of {fixture.kommun.name} "
        f"({fixture.kommun_cases:,} cases), region {fixture.region.name}"
    )
    report: dict[str, Any] = {
        "scale": args.scale,
        "database": url.rsplit("/", 1)[-1],
        "at": datetime.datetime.now().isoformat(),
    }
    report["query_counts"] = case_list_query_counts(fixture)
    say(f"case list queries: {report['query_counts']}")
    report["access_log_in_process"] = access_log_in_process(
        fixture, rounds=2 if smoke else 4, requests=10 if smoke else 30
    )
    if args.case_list_only:
        case_list_only(args, fixture, report, env, duration, started)
        return
    report["kpis_refresh"] = kpi_refresh()
    report["kpis_in_process"] = kpi_timings(fixture, runs=3 if smoke else 5)
    report["dashboard_in_process"] = dashboard_timings(fixture, runs=3 if smoke else 10)
    proposal = proposal_timings(runs=30 if smoke else 300)
    from directory.authentication import token_issue
    from directory.models import Membership

    halland_nursing = (
        Membership.objects.filter(organisation__name="Varbergs kommun", role="nurse")
        .select_related("user")
        .order_by("pk")[0]
    )
    proposal["token"] = token_issue(user=halland_nursing.user, membership=halland_nursing)[0]
    report["proposal_in_process"] = {k: v for k, v in proposal.items() if k != "token"}
    report["pdf"] = pdf_timings(fixture, documents=3 if smoke else 10)
    RESULTS.mkdir(exist_ok=True)
    plans = RESULTS / f"plans-{args.scale}.txt"
    report["plans"] = hot_path_plans(fixture, plans)
    say(f"query plans written to {plans}")
    connection.close()
    if args.in_process_only:
        (RESULTS / f"run-{args.scale}-in-process.json").write_text(json.dumps(report, indent=2, default=str))
        return
    report["http"] = load_benchmarks(fixture, proposal, env, duration, args.connections)

    http = report["http"]
    real, plain = http["case_list"]["case list API"], http["case_list"]["plain viewset"]
    ratio = real["rps"] / plain["rps"] if plain["rps"] else 0.0
    log_on, log_off = (
        http["access_log"]["case list, access log on"],
        http["access_log"]["case list, access log off"],
    )
    cost = 1 - log_on["rps"] / log_off["rps"] if log_off["rps"] else 0.0
    counts = report["query_counts"]
    kpi = {**http["kpis"]}
    print()
    print(f"== Results at scale {args.scale} ({report['database']}), {time.perf_counter() - started:.0f} s")
    print(f"case list / plain viewset throughput: {ratio:.2f}x (target >= 2x): {verdict(ratio >= 2)}")
    print(f"case list p95: {real['p95_ms']:.1f} ms (target <= 100 ms): {verdict(real['p95_ms'] <= 100)}")
    same = counts["real_25"] == counts["real_100"]
    print(
        f"case list queries 25 rows / 100 rows: {counts['real_25']} / {counts['real_100']} (plain: "
        f"{counts['plain_25']} / {counts['plain_100']}): {verdict(same)}"
    )
    print(f"access log cost: {cost * 100:.1f} % of throughput (target <= 10 %): {verdict(cost <= 0.10)}")
    for label, row in kpi.items():
        if not row["requests"]:
            print(
                f"{label}: no response finished within a {duration} s run (target <= 1000 ms): MISSES target"
            )
            continue
        print(
            f"{label} p95 over HTTP: {row['p95_ms']:.0f} ms (target <= 1000 ms): "
            f"{verdict(row['p95_ms'] <= 1000)}"
        )
    refresh = report["kpis_refresh"]
    print(
        f"KPI snapshot refresh: {refresh['refresh_s']:.1f} s ({refresh['rows_written']:,} rows written), "
        f"country's key figures and regions' dashboards counted ahead in {refresh['count_ahead_s']:.1f} s"
    )
    for label, row in report["kpis_in_process"].items():
        if not isinstance(row, dict):
            continue
        print(
            f"KPIs {label} in-process, default period: first {row['first_ms']:.0f} ms, median "
            f"{row['median_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms; a new period: median "
            f"{row['new_period_median_ms']:.0f} ms, p95 {row['new_period_p95_ms']:.0f} ms "
            f"(target p95 <= 1000 ms): {verdict(max(row['p95_ms'], row['new_period_p95_ms']) <= 1000)}"
        )
    for label, row in report["dashboard_in_process"].items():
        print(
            f"Dashboard page {label} in-process, default period: first {row['first_ms']:.0f} ms, median "
            f"{row['median_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms (target <= 1000 ms): "
            f"{verdict(max(row['first_ms'], row['p95_ms']) <= 1000)}"
        )
    errors = sum(r["errors"] for group in http.values() for r in group.values())
    print(f"HTTP errors (non-2xx or socket) across all runs: {errors}")
    report["summary"] = {
        "list_ratio": ratio,
        "list_p95_ms": real["p95_ms"],
        "log_cost": cost,
        "errors": errors,
    }
    out = RESULTS / f"run-{args.scale}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"(details: {out})")


if __name__ == "__main__":
    main()
