"""Real processes for tests: a Celery worker on the test database, started and stopped by the test.

Used by the documents worker tests (on the test Redis) and the resilience tests (on a throwaway Redis).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


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


def start_celery_worker(*, name: str, queue: str, env: dict[str, str], log: Path) -> WorkerHandle:
    """One prefork worker (one child) on ``queue`` in its own process group; returns once it is ready."""
    process = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "hemsjukvard",
            "worker",
            "--pool=prefork",
            "-c",
            "1",
            "-Q",
            queue,
            "-n",
            f"{name}-{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
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
