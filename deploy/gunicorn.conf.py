"""Gunicorn settings for the ``web`` container, read from the environment (see ``.env.example``).

    gunicorn --config deploy/gunicorn.conf.py hemsjukvard.wsgi:application

Every value can be changed without rebuilding the image; an empty variable means the default.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from pathlib import Path


def _env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value}")
    return value


def _env_str(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def available_cores() -> int:
    """The cores this container may use: its CPU set, lowered to its CFS quota (``cpus:``)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return max(cores, 1)


# Every worker thread keeps its own database connection (CONN_MAX_AGE), so the default stops at 9
# workers: 9 x 2 threads stay well inside PostgreSQL's default max_connections of 100, next to the
# Celery worker's connections.
MAX_DEFAULT_WORKERS = 9

wsgi_app = "hemsjukvard.wsgi:application"
proc_name = "hemsjukvard"
# Inside the container; compose publishes the port. Listening on every interface of the container
# is what makes it reachable from the compose network at all.
bind = [_env_str("GUNICORN_BIND", "0.0.0.0:8000")]


def _control_socket_for(addresses: list[str]) -> str:
    """A control socket path of this instance's own, named after what it listens on (which no other
    instance on the host can listen on at the same time), in gunicorn's own directory for them."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    directory = Path(runtime) if runtime and Path(runtime).is_dir() else Path.home() / ".gunicorn"
    name = re.sub(r"[^A-Za-z0-9.-]+", "_", "+".join(addresses)).strip("_")
    if len(name) > 40:  # a Unix socket path must stay short (108 bytes on Linux)
        name = hashlib.sha256(name.encode()).hexdigest()[:16]
    return str(directory / f"gunicorn-{name}.ctl")


# The control socket of gunicornc (gunicorn 25.1+). Its default path is the same for every instance
# of the user on a host ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl): a second instance
# would take it over and its shutdown remove it, leaving the first one without. Each has its own:
#   gunicornc -s ~/.gunicorn/gunicorn-0.0.0.0_8000.ctl -c "show workers"
control_socket = _env_str("GUNICORN_CONTROL_SOCKET", _control_socket_for(bind))

workers = _env_int("GUNICORN_WORKERS", min(2 * available_cores() + 1, MAX_DEFAULT_WORKERS), 1)
threads = _env_int("GUNICORN_THREADS", 2, 1)
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this (seconds) gets its worker killed and restarted.
timeout = _env_int("GUNICORN_TIMEOUT", 60, 1)
# On SIGTERM (docker compose stop), requests in flight get this long to finish; compose's
# stop_grace_period for web is longer.
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30, 1)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5, 1)

# Workers are replaced after this many requests (plus a random jitter, so they don't all restart at
# once), which bounds any slow memory growth.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Workers start warm: the application (Django, every app, the URLconf and its views) is loaded once in
# the master before it forks, so a new or recycled worker's first request pays no imports (it cost 1.3-3 s
# of CPU per worker). ``when_ready`` loads the URLconf and closes any database connection the master
# opened, so no worker inherits one. GUNICORN_PRELOAD=false loads the application in each worker.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").strip().lower() not in ("0", "false", "no")

# The heartbeat file on tmpfs: on an overlay filesystem it can stall workers.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108

# Logs go to stdout/stderr, where docker collects them (docker compose logs web).
accesslog = "-"
errorlog = "-"
loglevel = _env_str("LOG_LEVEL", "info").lower()
# The path without its query string, and no Referer: query strings carry search terms such as
# personnummer (?search=...), which must not end up in the access log.
access_log_format = '%(h)s %({x-forwarded-for}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

# Addresses of the TLS-terminating proxy in front, trusted for its X-Forwarded-Proto (wsgi.url_scheme).
# Comma-separated addresses or networks, e.g. the compose network's gateway 172.18.0.1 or 172.16.0.0/12.
forwarded_allow_ips = _env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# PROXY protocol (off, v1, v2 or auto): with it, REMOTE_ADDR (the client address that the audit log
# stores) is the real client's instead of the proxy's (X-Forwarded-For does not change REMOTE_ADDR).
# Only for a proxy that sends it (HAProxy, nginx's stream module, Traefik TCP); accepted only from
# PROXY_ALLOW_IPS.
proxy_protocol = _env_str("GUNICORN_PROXY_PROTOCOL", "off")
proxy_allow_ips = _env_str("PROXY_ALLOW_IPS", "127.0.0.1,::1")


def child_exit(server: object, worker: object) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, every worker process writes its counters there; a dead
    worker's live gauges are removed so a scrape does not count them (hemsjukvard.observability)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined,no-untyped-call]


def when_ready(server: object) -> None:
    if not preload_app:
        return
    from django.apps import apps

    if not apps.ready:  # not the Django application (a test's plain WSGI app)
        return
    from django.conf import settings
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (imports every view module before the fork)
    for code, _name in settings.LANGUAGES:  # the translation catalogues, parsed once
        with translation.override(code):
            translation.gettext("Cases")
    for name in ("base.html", "registration/login.html", "portal/home.html", "cases/case_detail.html"):
        get_template(name)  # the cached loader keeps them compiled
    connections.close_all()


def worker_exit(server: object, worker: object) -> None:
    logger = getattr(server, "log", None)
    if logger is not None:
        logger.info("Worker %s exited (recycled after max_requests, or stopped)", getattr(worker, "pid", "?"))
