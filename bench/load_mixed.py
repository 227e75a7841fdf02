"""Mixed load: concurrent nurses, GPs and MAS against gunicorn as in production (not a test: it prints).

    .venv/bin/python bench/load_mixed.py [--users 50] [--duration 60] [--database hsv_load] [--reseed]

1. Makes sure the PostgreSQL database ``--database`` exists, is migrated and holds the demo world
   (``seed_demo --patients 1000 --cases 60``; ``--reseed`` drops and seeds it afresh).
2. Issues one bearer token per demo user of the roles nurse, GP and MAS (through Django, in-process).
3. Starts gunicorn with ``deploy/gunicorn.conf.py`` and ``HEMSJUKVARD_ENV=production`` on 127.0.0.1
   (``--url`` uses a running server instead). The per-user rate limit is raised: at 120/min it would
   answer a load test with 429s; everything else is as deployed.
4. ``--users`` threads, each a person of one of those roles (round-robin), loop for ``--duration``
   seconds without think time over: list cases, read a case, read its timeline, list patients.
5. Prints throughput, errors by status and p50/p95/p99 per request kind; exits 1 on any error.

``run_load`` is also used by ``tests/resilience/test_load_smoke.py`` (10 users, 5 seconds).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = ROOT / ".venv" / "bin" / "python"
ROLES = ("nurse", "gp", "mas")


@dataclass
class Report:
    users: int
    duration: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def error_count(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 400 or status == 0)

    def percentile(self, values: list[float], q: float) -> float:
        if len(values) < 2:
            return values[0] if values else 0.0
        return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]

    def p95(self) -> float:
        return self.percentile([v for vs in self.latencies.values() for v in vs], 95)

    def table(self) -> str:
        lines = [
            f"{self.users} users, {self.duration:.0f} s: {self.requests} requests, "
            f"{self.requests / self.duration:.1f} req/s, {self.error_count} errors {dict(self.statuses)}",
            f"{'request':<16}{'n':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}",
        ]
        everything = [v for vs in self.latencies.values() for v in vs]
        for kind, values in [*sorted(self.latencies.items()), ("all", everything)]:
            lines.append(
                f"{kind:<16}{len(values):>8}"
                + "".join(f"{self.percentile(values, q) * 1000:>10.1f}" for q in (50, 95, 99))
            )
        return "\n".join(lines)


def _get(url: str, token: str) -> tuple[int, bytes]:
    assert url.startswith(("http://127.0.0.1", "http://localhost"))
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback http
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:
        return 0, str(error).encode()


def run_load(*, base_url: str, tokens: dict[str, list[str]], users: int, duration: float) -> Report:
    """``users`` threads, round-robin over the roles in ``tokens``, for ``duration`` seconds."""
    report = Report(users=users, duration=duration)
    lock = threading.Lock()
    deadline = time.monotonic() + duration
    people = [(role, tokens[role][i % len(tokens[role])]) for i, role in enumerate(ROLES * users)][:users]

    def record(kind: str, started: float, status: int, body: bytes) -> None:
        elapsed = time.monotonic() - started
        with lock:
            report.latencies[kind].append(elapsed)
            report.statuses[status] += 1
            if (status >= 400 or status == 0) and len(report.errors) < 20:
                report.errors.append(f"{kind} {status}: {body[:200]!r}")

    def person(role: str, token: str, seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            started = time.monotonic()
            status, body = _get(f"{base_url}/api/v1/cases?page_size=25", token)
            record("list cases", started, status, body)
            ids = [c["id"] for c in json.loads(body).get("results", [])] if status == 200 else []
            if ids:
                case = rng.choice(ids)
                started = time.monotonic()
                status, body = _get(f"{base_url}/api/v1/cases/{case}", token)
                record("read case", started, status, body)
                started = time.monotonic()
                status, body = _get(f"{base_url}/api/v1/cases/{case}/timeline", token)
                record("read timeline", started, status, body)
            if role != "gp" or rng.random() < 0.5:
                started = time.monotonic()
                status, body = _get(f"{base_url}/api/v1/patients?page_size=25", token)
                record("list patients", started, status, body)

    threads = [
        threading.Thread(target=person, args=(role, token, n), daemon=True)
        for n, (role, token) in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 60)
    return report


# --- Setting up: database, tokens, gunicorn ------------------------------------------------------------


def production_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HEMSJUKVARD_ENV="production",
        DJANGO_SETTINGS_MODULE="hemsjukvard.settings",
        SECRET_KEY=env.get("LOAD_SECRET_KEY") or secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        SECURE_SSL_REDIRECT="false",
        API_RATE_LIMIT_USER="100000000/min",
        API_RATE_LIMIT_CLIENT="100000000/min",
        CACHE_KEY_PREFIX=f"load-{secrets.token_hex(4)}",
        # People get tokens with a password here: no identity provider on loopback.
        PASSWORD_LOGIN="true",  # noqa: S106 (a switch, not a password)
        ALLOW_PASSWORD_LOGIN_IN_PRODUCTION="true",  # noqa: S106 (a switch, not a password)
        LOG_LEVEL="WARNING",
    )
    return env


def ensure_database(name: str, *, reseed: bool, env: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    manage = [str(PYTHON), "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    if reseed or not exists:
        print("seeding the demo world (1000 patients, 60 cases)…", flush=True)
        seed = [*manage, "seed_demo", "--patients", "1000", "--cases", "60"]
        # The demo app exists only outside production: the world is seeded with development settings
        # on the same database (tasks in-process), then served with production's.
        seed_env = {**env, "HEMSJUKVARD_ENV": "development", "CELERY_TASK_ALWAYS_EAGER": "true"}
        subprocess.run(seed, cwd=ROOT, env=seed_env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def issue_tokens(env: dict[str, str]) -> dict[str, list[str]]:
    """One bearer token per active demo user of each role, made by Django in a child process."""
    code = (
        "import django, json; django.setup()\n"
        "from directory.models import Membership\n"
        "from directory.authentication import token_issue\n"
        "out = {}\n"
        f"for role in {ROLES!r}:\n"
        "    held = {m.user_id: m for m in Membership.objects.active()"
        ".filter(role=role, user__is_active=True, organisation__is_active=True)"
        ".select_related('user').order_by('-pk')}\n"
        "    out[role] = [token_issue(user=m.user, membership=m)[0] for _, m in sorted(held.items())[:40]]\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own code
        [str(PYTHON), "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    tokens: dict[str, list[str]] = json.loads(result.stdout.strip().splitlines()[-1])
    missing = [role for role in ROLES if not tokens.get(role)]
    if missing:
        raise SystemExit(f"no demo users with the role(s) {missing}: seed the database (--reseed)")
    return tokens


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def gunicorn(env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    log = Path(tempfile.gettempdir()) / f"load_mixed-gunicorn-{port}.log"
    print(f"gunicorn log: {log}", flush=True)
    process = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--config",
            "deploy/gunicorn.conf.py",
            "hemsjukvard.wsgi:application",
        ],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        # gunicorn's access log would drown the figures: it goes to a file.
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--database", default="hsv_load")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--url", help="a running server instead of starting gunicorn here")
    args = parser.parse_args()

    env = production_env(f"postgres://postgres@127.0.0.1:5432/{args.database}")
    ensure_database(args.database, reseed=args.reseed, env=env)
    tokens = issue_tokens(env)
    workers = env.get("GUNICORN_WORKERS") or "default (2 x cores + 1, at most 9)"
    print(f"gunicorn workers: {workers}, threads: {env.get('GUNICORN_THREADS', '2')}", flush=True)
    server = contextlib.nullcontext(args.url) if args.url else gunicorn(env)
    with server as base_url:
        assert base_url is not None
        run_load(base_url=base_url, tokens=tokens, users=min(5, args.users), duration=3)  # warm up
        report = run_load(base_url=base_url, tokens=tokens, users=args.users, duration=args.duration)
    print(report.table())
    for error in report.errors:
        print("  ", error)
    return 1 if report.error_count else 0


if __name__ == "__main__":
    raise SystemExit(main())
