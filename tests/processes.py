"""Real processes for tests: a Celery worker on the test database, started and stopped by the test.

Used by the documents worker tests (on the test Redis) and the resilience tests (on a throwaway Redis).

Queues: production routes tasks to the queues ``default``, ``documents`` and ``webhooks``
(``CELERY_TASK_ROUTES``). A test names a queue of its own (runs share the test Redis) and gets each
production queue under that name: ``default`` is the name itself, the others ``<name>.documents`` and
``<name>.webhooks``. The test process routes its tasks so (``route_to_test_queues``), and a worker
started here consumes all of them and routes the tasks it sends itself the same way (``tests.worker_app``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
# The test queue name, for the worker's app (tests/worker_app.py).
TEST_QUEUE_ENV = "HEMSJUKVARD_TEST_QUEUE"


@dataclass
class WorkerHandle:
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children): no chance to requeue anything."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def test_db_url() -> str:
    """The pytest-django test database, as a DATABASE_URL for the processes started here."""
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def reset_broker_pools(app: object) -> None:
    """Forget pooled broker connections, so the next send uses the broker URL configured now."""
    from kombu import pools

    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()  # closes and forgets kombu's process-wide pools; new ones are made on demand


def test_queue_names(queue: str) -> dict[str, str]:
    """Each production queue (the default one and every routed one) → its name in the test ``queue``."""
    default = settings.CELERY_TASK_DEFAULT_QUEUE
    production = {default, *(route["queue"] for route in settings.CELERY_TASK_ROUTES.values())}
    return {name: queue if name == default else f"{queue}.{name}" for name in sorted(production)}


def use_routes(app: Any, *, default_queue: str, routes: dict[str, Any]) -> None:
    """Change where ``app`` sends tasks. Through ``conf.update``: the one change that makes Celery forget
    the routes it has already worked out (setting the attribute does not)."""
    app.conf.update(task_default_queue=default_queue, task_routes=routes)


def route_to_test_queues(app: Any, queue: str) -> None:
    """Route ``app``'s tasks as production does, to the test ``queue``'s own queues."""
    names = test_queue_names(queue)
    use_routes(
        app,
        default_queue=names[settings.CELERY_TASK_DEFAULT_QUEUE],
        routes={
            task: {**route, "queue": names[route["queue"]]}
            for task, route in settings.CELERY_TASK_ROUTES.items()
        },
    )


def start_celery_worker(
    *, name: str, queue: str, env: dict[str, str], log: Path, beat: bool = False
) -> WorkerHandle:
    """One prefork worker (one child) on every queue of the test ``queue``, in its own process group;
    returns once it is ready. ``beat``: the worker runs the beat schedule too (its sweeps)."""
    beat_args = ["-B", "-s", str(log.with_suffix(".beat-schedule"))] if beat else []
    process = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "tests.worker_app",
            "worker",
            "--pool=prefork",
            "-c",
            "1",
            "-Q",
            ",".join(test_queue_names(queue).values()),
            "-n",
            f"{name}-{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            *beat_args,
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env={**env, TEST_QUEUE_ENV: queue},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    handle = WorkerHandle(process=process, log=log)
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            handle.stop()
            raise RuntimeError(f"worker {name} did not start:\n{handle.output()}")
        time.sleep(0.2)
    return handle
