"""Health endpoints for load balancers, compose and operators.

* ``/livez``: the process is alive and answers (no dependency is asked), for restarts;
* ``/readyz``: the instance can serve people: 200 while the database answers, even when Redis (the
  broker or the rate-limit cache) is down, because the outbox holds the work and the rate limits let
  requests through; the parts that are down are named under ``degraded``;
* ``/healthz``: every part, each named, 503 when any part is down, for monitoring.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

Check = Callable[[], tuple[bool, str]]


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return False, exc.__class__.__name__
    return True, "ok"


def _check_broker() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "in-process (no broker)"
    from hemsjukvard.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return False, exc.__class__.__name__
    return True, "ok"


def _check_cache() -> tuple[bool, str]:
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        return True, "in-process"
    try:
        # A read that reaches the server; a miss is as good as a hit.
        cache.get("healthz-probe")
    except Exception as exc:
        return False, exc.__class__.__name__
    return True, "ok"


CHECKS: dict[str, Check] = {
    "database": _check_database,
    "broker": _check_broker,
    "cache": _check_cache,
}
# Without these the instance cannot serve anyone; without the others it serves, degraded.
REQUIRED = ("database",)


def _run() -> tuple[dict[str, dict[str, object]], list[str], float]:
    started = time.monotonic()
    parts: dict[str, dict[str, object]] = {}
    down: list[str] = []
    for name, check in CHECKS.items():
        ok, detail = check()
        parts[name] = {"ok": ok, "detail": detail}
        if not ok:
            down.append(name)
    return parts, down, round((time.monotonic() - started) * 1000, 1)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    parts, down, elapsed = _run()
    return JsonResponse(
        {"status": "ok" if not down else "unavailable", **parts, "down": down, "elapsed_ms": elapsed},
        status=200 if not down else 503,
    )


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    parts, down, elapsed = _run()
    missing = [name for name in down if name in REQUIRED]
    return JsonResponse(
        {
            "status": "ready" if not missing else "unavailable",
            **parts,
            "down": missing,
            "degraded": [name for name in down if name not in REQUIRED],
            "elapsed_ms": elapsed,
        },
        status=200 if not missing else 503,
    )


@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "alive"})
