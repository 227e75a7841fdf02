"""What every part of the benchmark run shares: where results go, the databases, production settings."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
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
