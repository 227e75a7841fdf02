"""A region's setup on loopback: PgBouncer, two gunicorn instances behind nginx, two Celery workers.

Built by ``bench.proxy_stack`` from the files in ``deploy/`` on the test database and a throwaway Redis;
stopped after the test. Skipped only where nginx or PgBouncer is not installed (``bin/setup`` installs
both, so CI runs it).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.proxy_stack import Stack, missing_binaries, stack
from tests.processes import test_db_url
from tests.resilience.conftest import RedisServer, free_port


@dataclass
class Region:
    stack: Stack
    redis: RedisServer
    mail_dir: Path

    @property
    def proxy(self) -> str:
        return self.stack.proxy_url

    @property
    def webs(self) -> list[str]:
        return self.stack.web_urls

    def mails(self) -> list[str]:
        """Every e-mail the workers sent (the file backend writes each connection's mails to a file)."""
        separator = "\n" + "-" * 79 + "\n"
        messages = []
        for path in sorted(self.mail_dir.glob("*")):
            messages += [m for m in path.read_text(errors="replace").split(separator) if m.strip()]
        return messages


@pytest.fixture
def region(tmp_path: Path, transactional_db: None) -> Iterator[Region]:
    missing = missing_binaries()
    if missing:
        pytest.skip(f"not installed here: {', '.join(missing)} (Debian packages; bin/setup installs them)")
    redis_server = RedisServer(port=free_port(), workdir=tmp_path)
    redis_server.start()
    with stack() as setup:
        try:
            pgbouncer = setup.start_pgbouncer(pool_size=6)
            database = test_db_url().replace(":5432/", f":{pgbouncer}/")
            assert f":{pgbouncer}/" in database, database
            mail_dir = setup.workdir / "mail"
            mail_dir.mkdir()
            env = {
                **os.environ,
                "HEMSJUKVARD_ENV": "test",
                "DEBUG": "false",
                "DATABASE_URL": database,
                "DATABASE_POOLED": "true",
                "CELERY_BROKER_URL": redis_server.url(0),
                "CACHE_URL": redis_server.url(1),
                # One prefix for every instance: rate-limit counters are the region's, not an instance's.
                "CACHE_KEY_PREFIX": f"scaleout-{uuid.uuid4().hex}",
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "TRUSTED_PROXIES": "127.0.0.1",
                "API_RATE_LIMIT_USER": "1000000/min",
                "API_RATE_LIMIT_AUTH_TOKEN": "5/min",
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": str(mail_dir),
                "LOG_LEVEL": "WARNING",
            }
            env.pop("DATABASE_REPLICA_URL", None)
            for _ in range(2):
                setup.start_web(env, workers=2, threads=2)
            setup.start_proxy()
            setup.start_worker(env, name="w1", beat=True)
            setup.start_worker(env, name="w2")
            yield Region(stack=setup, redis=redis_server, mail_dir=mail_dir)
        except BaseException:
            print(setup.logs())
            raise
        finally:
            redis_server.stop()
