"""Throughput of one and of two web instances behind nginx, through PgBouncer (not a test: it prints).

    .venv/bin/python bench/scaleout.py [--users 30] [--duration 30] [--workers 3] [--database hsv_load]

The setup of ``tests/scaleout`` at a larger size (``bench.proxy_stack``: deploy/pgbouncer.ini in
transaction pooling, deploy/nginx.conf, deploy/gunicorn.conf.py) with production settings, on the
demo world of ``bench/load_mixed.py`` (1,000 patients, 60 cases; seeded once into ``--database``):

1. one instance of ``--workers`` gunicorn workers, asked directly (no proxy, no PgBouncer);
2. the same instance behind nginx, through PgBouncer;
3. two such instances behind nginx, through PgBouncer.

Each run is ``--users`` threads over the mixed read load of ``bench/load_mixed.py`` (list cases, read a
case and its timeline, list patients) for ``--duration`` seconds after a short warm-up. Prints requests
per second, p50/p95 and errors for each, and PgBouncer's server connections against its clients.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_mixed import Report, ensure_database, issue_tokens, production_env, run_load  # noqa: E402
from bench.proxy_stack import missing_binaries, stack  # noqa: E402


def _run(label: str, url: str, tokens: dict[str, list[str]], users: int, duration: float) -> Report:
    run_load(base_url=url, tokens=tokens, users=min(5, users), duration=3)  # warm the workers up
    report = run_load(base_url=url, tokens=tokens, users=users, duration=duration)
    everything = [v for vs in report.latencies.values() for v in vs]
    print(
        f"{label:<34}{report.requests / duration:>8.1f} req/s"
        f"{report.percentile(everything, 50) * 1000:>9.0f} ms p50"
        f"{report.percentile(everything, 95) * 1000:>9.0f} ms p95"
        f"{report.error_count:>6} errors",
        flush=True,
    )
    for error in report.errors[:5]:
        print("   ", error)
    return report


def _server_connections(database: str) -> int:
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as admin:
        row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [database]).fetchone()
    return int(row[0]) if row else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per instance")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--pool-size", type=int, default=10, help="PgBouncer's server connections")
    parser.add_argument("--database", default="hsv_load")
    args = parser.parse_args()
    missing = missing_binaries()
    if missing:
        raise SystemExit(f"install the Debian packages {' '.join(missing)} first")

    env = production_env(f"postgres://postgres@127.0.0.1:5432/{args.database}")
    ensure_database(args.database, reseed=False, env=env)
    tokens = issue_tokens(env)
    print(
        f"{args.users} users, {args.duration:.0f} s per run; {args.workers} gunicorn workers x "
        f"{args.threads} threads per instance; PgBouncer pool {args.pool_size}",
        flush=True,
    )
    errors = 0
    sizes = {"workers": args.workers, "threads": args.threads}
    with stack() as direct:
        url = direct.start_web(env, **sizes)
        errors += _run("1 instance, direct", url, tokens, args.users, args.duration).error_count
    for instances in (1, 2):
        with stack() as setup:
            pgbouncer = setup.start_pgbouncer(pool_size=args.pool_size)
            pooled = {
                **env,
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pgbouncer}/{args.database}",
                "DATABASE_POOLED": "true",
                "TRUSTED_PROXIES": "127.0.0.1",
            }
            for _ in range(instances):
                setup.start_web(pooled, **sizes)
            proxy = setup.start_proxy(worker_processes="1")
            label = f"{instances} instance{'s' if instances > 1 else ''}, nginx + PgBouncer"
            started = time.monotonic()
            report = _run(label, proxy, tokens, args.users, args.duration)
            errors += report.error_count
            clients = instances * args.workers * args.threads
            print(
                f"{'':<34}PostgreSQL backends on {args.database}: {_server_connections(args.database)} "
                f"(PgBouncer's pool {args.pool_size}; up to {clients} application threads) "
                f"after {time.monotonic() - started:.0f} s",
                flush=True,
            )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
