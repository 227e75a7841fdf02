"""A region's production setup on one machine: PgBouncer, web instances, nginx and Celery workers.

    PostgreSQL ← PgBouncer (transaction pooling) ← N gunicorn instances ← nginx ← clients
                                                 ← M Celery workers (one with beat)

Every process is started here on loopback, on a free port, from the configuration files in ``deploy/``
(``deploy/pgbouncer.ini`` and ``deploy/nginx.conf`` rendered from their templates, gunicorn with
``deploy/gunicorn.conf.py``), in its own process group, and stopped by ``Stack.close``. Nothing needs a
root-only path: nginx runs with ``-p <dir>`` and PgBouncer with its own ini and auth file in a
temporary directory. Used by ``tests/scaleout`` (a small size, in CI) and ``bench/scaleout.py``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DEPLOY = ROOT / "deploy"
# The production queues (hemsjukvard.settings.CELERY_TASK_ROUTES and the default one).
QUEUES = ("default", "documents", "webhooks", "notifications")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def render(template: Path, values: Mapping[str, str]) -> str:
    """``template`` with every ``${NAME}`` filled in; nginx's own (lower-case) variables stay."""
    text = string.Template(template.read_text()).safe_substitute(values)
    missing = sorted(set(re.findall(r"\$\{([A-Z_]+)\}", text)))
    if missing:
        raise ValueError(f"{template.name}: no value for {', '.join(missing)}")
    return text


def missing_binaries() -> list[str]:
    """The programs this setup needs that are not installed (Debian packages nginx and pgbouncer)."""
    return [name for name in ("nginx", "pgbouncer") if not _which(name)]


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/sbin")


@dataclass
class Process:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:] if self.log.exists() else ""

    def stop(self, timeout: float = 30) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def _spawn(name: str, args: list[str], *, env: Mapping[str, str], log: Path, cwd: Path = ROOT) -> Process:
    process = subprocess.Popen(  # noqa: S603 - our own programs and configuration
        args,
        cwd=cwd,
        env=dict(env),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Process(name=name, process=process, log=log)


def _started(handle: Process, ready: Callable[[], bool], *, timeout: float = 60) -> Process:
    def check() -> bool:
        if not handle.alive():
            raise RuntimeError(f"{handle.name} exited:\n{handle.output()}")
        return ready()

    try:
        wait_for(check, timeout=timeout, what=handle.name)
    except BaseException:
        handle.stop()
        raise
    return handle


@dataclass
class Stack:
    """The processes of one setup; ``close`` stops them, the proxy first and PgBouncer last."""

    workdir: Path
    pgbouncer_port: int = 0
    proxy_url: str = ""
    web_urls: list[str] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)
    _own_workdir: bool = False

    def close(self) -> None:
        for handle in reversed(self.processes):
            handle.stop()
        self.processes.clear()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def logs(self) -> str:
        return "\n".join(f"--- {h.name}\n{h.output()}" for h in self.processes)

    # --- PgBouncer ---------------------------------------------------------------------------------

    def start_pgbouncer(
        self, *, server_port: int = 5432, user: str = "postgres", pool_size: int = 10, max_clients: int = 400
    ) -> int:
        """PgBouncer in transaction pooling mode in front of PostgreSQL on 127.0.0.1:``server_port``,
        letting ``user`` in without a password (PostgreSQL trusts loopback here). Returns its port."""
        directory = self.workdir / "pgbouncer"
        directory.mkdir(mode=0o755, exist_ok=True)
        auth = directory / "userlist.txt"
        auth.write_text(f'"{user}" ""\n')
        port = free_port()
        ini = directory / "pgbouncer.ini"
        ini.write_text(
            render(
                DEPLOY / "pgbouncer.ini",
                {
                    "PGBOUNCER_SERVER_HOST": "127.0.0.1",
                    "PGBOUNCER_SERVER_PORT": str(server_port),
                    "PGBOUNCER_LISTEN_ADDR": "127.0.0.1",
                    "PGBOUNCER_LISTEN_PORT": str(port),
                    "PGBOUNCER_AUTH_TYPE": "trust",
                    "PGBOUNCER_AUTH_FILE": str(auth),
                    "PGBOUNCER_MAX_CLIENT_CONN": str(max_clients),
                    "PGBOUNCER_POOL_SIZE": str(pool_size),
                },
            )
        )
        for path in (ini, auth):
            path.chmod(0o644)
        args = [_which("pgbouncer") or "pgbouncer"]
        if os.geteuid() == 0:
            # PgBouncer will not run as root: it reads its files, then becomes the postgres user.
            args += ["-u", "postgres"]
        handle = _spawn("pgbouncer", [*args, str(ini)], env=os.environ, log=directory / "pgbouncer.log")
        self.processes.append(_started(handle, lambda: port_open(port), timeout=20))
        self.pgbouncer_port = port
        return port

    # --- Web instances -----------------------------------------------------------------------------

    def start_web(self, env: Mapping[str, str], *, workers: int = 2, threads: int = 2) -> str:
        """One gunicorn instance (deploy/gunicorn.conf.py) with ``env``; returns its URL."""
        index = len(self.web_urls) + 1
        port = free_port()
        full_env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_THREADS": str(threads),
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_MAX_REQUESTS_JITTER": "0",
            "PYTHONUNBUFFERED": "1",
        }
        handle = _spawn(
            f"web{index}",
            [str(BIN / "gunicorn"), "--config", "deploy/gunicorn.conf.py", "hemsjukvard.wsgi:application"],
            env=full_env,
            log=self.workdir / f"web{index}.log",
        )
        self.processes.append(_started(handle, lambda: port_open(port)))
        url = f"http://127.0.0.1:{port}"
        self.web_urls.append(url)
        return url

    # --- nginx -------------------------------------------------------------------------------------

    def start_proxy(self, upstreams: list[str] | None = None, *, worker_processes: str = "1") -> str:
        """nginx (deploy/nginx.conf) balancing over ``upstreams`` (default: every web instance)."""
        prefix = self.workdir / "nginx"
        prefix.mkdir(mode=0o755, exist_ok=True)
        port = free_port()
        servers = [url.removeprefix("http://") for url in (upstreams or self.web_urls)]
        conf = prefix / "nginx.conf"
        conf.write_text(
            render(
                DEPLOY / "nginx.conf",
                {
                    "NGINX_PREFIX": str(prefix),
                    "NGINX_LISTEN": f"127.0.0.1:{port}",
                    "NGINX_UPSTREAM_SERVERS": " ".join(f"server {s};" for s in servers),
                    "NGINX_WORKER_PROCESSES": worker_processes,
                },
            )
        )
        handle = _spawn(
            "nginx",
            [
                _which("nginx") or "nginx",
                "-p",
                str(prefix),
                "-c",
                str(conf),
                "-e",
                str(prefix / "error.log"),
                "-g",
                "daemon off;",
            ],
            env=os.environ,
            log=prefix / "nginx.out",
        )
        self.processes.append(_started(handle, lambda: port_open(port), timeout=20))
        self.proxy_url = f"http://127.0.0.1:{port}"
        return self.proxy_url

    def proxy_access_log(self) -> list[str]:
        path = self.workdir / "nginx" / "access.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    # --- Celery workers ----------------------------------------------------------------------------

    def start_worker(
        self, env: Mapping[str, str], *, name: str, beat: bool = False, concurrency: int = 1
    ) -> None:
        """A Celery worker of the production app on every production queue (``beat``: it runs the beat
        schedule too, as one process of a region's setup does); returns once it is ready."""
        log = self.workdir / f"worker-{name}.log"
        beat_args = ["-B", "-s", str(self.workdir / f"beat-{name}")] if beat else []
        handle = _spawn(
            f"worker-{name}",
            [
                str(BIN / "celery"),
                "-A",
                "hemsjukvard",
                "worker",
                "--pool=prefork",
                "-c",
                str(concurrency),
                "-Q",
                ",".join(QUEUES),
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                *beat_args,
                "-l",
                "INFO",
            ],
            env={**env, "PYTHONUNBUFFERED": "1"},
            log=log,
        )
        self.processes.append(_started(handle, lambda: "ready." in handle.output()))


def stack_workdir() -> tuple[Path, bool]:
    """A directory every process here may read, PgBouncer's user included (pytest's own are 0700)."""
    directory = Path(tempfile.mkdtemp(prefix="hsv-stack-"))
    directory.chmod(0o755)
    return directory, True


@contextlib.contextmanager
def stack() -> Iterator[Stack]:
    directory, own = stack_workdir()
    setup = Stack(workdir=directory, _own_workdir=own)
    try:
        yield setup
    finally:
        setup.close()
