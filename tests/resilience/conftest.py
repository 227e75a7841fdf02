"""Fixtures that really break things, on loopback: a throwaway Redis, a real worker, a gunicorn server.

Every process started here is a child of the test, bound to 127.0.0.1 on a free port, bounded by
timeouts, and stopped afterwards. Tests that use them commit their data (``transactional_db``) so
the other processes see it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.processes import (
    BIN,
    ROOT,
    WorkerHandle,
    reset_broker_pools,
    start_celery_worker,
    test_db_url,
    use_routes,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(check: Callable[[], bool], *, timeout: float, what: str, step: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(step)


# --- A throwaway Redis --------------------------------------------------------------------------


@dataclass
class RedisServer:
    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_timeout=5)

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_until(self._answers, timeout=15, what=f"redis on port {self.port}")

    def stop(self) -> None:
        """Stop it the hard way (SIGKILL): what it held in memory is gone, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        wait_until(lambda: not self._answers(), timeout=10, what="redis to go away")

    def messages(self, queue: str) -> list[dict[str, Any]]:
        """The task messages waiting in ``queue``: task name, task id and keyword arguments."""
        found = []
        for raw in self.client().lrange(queue, 0, -1):
            envelope = json.loads(raw)
            _args, kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
            found.append(
                {"task": envelope["headers"]["task"], "id": envelope["headers"]["id"], "kwargs": kwargs}
            )
        return found


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(port=free_port(), workdir=tmp_path)
    server.start()
    yield server
    server.stop()


@dataclass
class Broker:
    redis: RedisServer
    queue: str

    @property
    def url(self) -> str:
        return self.redis.url(0)


@pytest.fixture
def broker(redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[Broker]:
    """Point this process's Celery app, /healthz and the cache at the throwaway Redis, as production
    shares one Redis between the queue (database 0) and the rate-limit cache (database 1)."""
    from hemsjukvard import outbox
    from hemsjukvard.celery import app

    url = redis_server.url(0)
    # The Redis is this test's own. The worker consumes this queue as its default one, and the
    # documents and webhooks queues under it (tests.processes), so tasks it sends itself (the outbox
    # relay) land where it listens.
    queue = "celery"
    # Celery reads CELERY_BROKER_URL from the environment before its configuration, so both change.
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    saved_routes = {"default_queue": app.conf.task_default_queue, "routes": app.conf.task_routes}
    app.conf.broker_url = url
    # Every task this process sends (documents and webhooks too) lands in the one queue the tests
    # inspect.
    use_routes(app, default_queue=queue, routes={})
    app.conf.task_always_eager = False
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url(1),
            "KEY_PREFIX": f"resilience-{uuid.uuid4().hex}",
        }
    }
    reset_broker_pools(app)
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)
    yield Broker(redis=redis_server, queue=queue)
    app.conf.broker_url, app.conf.task_always_eager = saved
    use_routes(app, **saved_routes)
    reset_broker_pools(app)


# --- A real worker on that broker ---------------------------------------------------------------


@pytest.fixture
def run_worker(
    broker: Broker, tmp_path: Path, transactional_db: None
) -> Iterator[Callable[..., WorkerHandle]]:
    started: list[WorkerHandle] = []

    def start(name: str = "w1", **extra_env: str) -> WorkerHandle:
        env = {
            **os.environ,
            "HEMSJUKVARD_ENV": "test",
            "DATABASE_URL": test_db_url(),
            "CELERY_BROKER_URL": broker.url,
            "CACHE_URL": broker.redis.url(1),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        handle = start_celery_worker(
            name=name, queue=broker.queue, env=env, log=tmp_path / f"worker-{name}.log"
        )
        started.append(handle)
        return handle

    yield start
    for handle in started:
        handle.stop()


# --- gunicorn on the test database ----------------------------------------------------------------


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def worker_pids(self) -> set[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in children.read_text().split()}

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


@contextlib.contextmanager
def start_gunicorn(
    tmp_path: Path, *, workers: int = 2, threads: int = 1, **extra_env: str
) -> Iterator[Server]:
    """gunicorn as in production (deploy/gunicorn.conf.py), but on loopback and the test database."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "HEMSJUKVARD_ENV": "test",
        "DEBUG": "false",
        "DATABASE_URL": test_db_url(),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_MAX_REQUESTS_JITTER": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # Rate-limit counters of this server only (they live in Redis, which outlives test runs).
        "CACHE_KEY_PREFIX": f"resilience-{uuid.uuid4().hex}",
        **extra_env,
    }
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "hemsjukvard.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(url=f"http://127.0.0.1:{port}", process=process, log=log)

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{server.output()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    try:
        wait_until(answers, timeout=60, what="gunicorn")
        wait_until(lambda: len(server.worker_pids()) == workers, timeout=60, what="gunicorn workers")
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
