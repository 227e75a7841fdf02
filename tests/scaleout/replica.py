"""A real streaming replica of the test's PostgreSQL cluster, for tests of the read-replica router.

``pg_basebackup -R`` copies the running cluster (the test database with it) into a temporary directory,
and that copy is started as a hot standby with the cluster's own version of ``pg_ctl`` on a free port.
As root, the copy and the server run as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.resilience.conftest import free_port

# Settings a hot standby must hold at least as high as its primary, or it will not start.
AT_LEAST_PRIMARY = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


STANDBY_READY_SECONDS = 240


class ReplicaUnavailableError(Exception):
    """Why no replica can be made here (the test is skipped with it)."""


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class Replica:
    port: int
    directory: Path
    bin_dir: Path

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def connect(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        )

    def answers(self) -> bool:
        try:
            with self.connect() as conn:
                return bool(conn.execute("SELECT pg_is_in_recovery()").fetchone()[0])
        except psycopg.Error:
            return False

    def wait_caught_up(self, primary_port: int = 5432, timeout: float = 60) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        with psycopg.connect(
            host="127.0.0.1", port=primary_port, user="postgres", autocommit=True
        ) as primary:
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        while True:
            with self.connect() as conn:
                done = conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]
            if done:
                return
            if time.monotonic() > deadline:
                raise AssertionError("the replica did not catch up")
            time.sleep(0.1)

    def execute(self, sql: str) -> None:
        with self.connect() as conn:
            conn.execute(sql)

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(
                [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]
            ),
            capture_output=True,
            timeout=60,
            check=False,
        )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def replica_start(primary_port: int = 5432) -> Replica:
    """Copy the cluster on 127.0.0.1:``primary_port`` and start the copy as a hot standby."""
    try:
        primary = psycopg.connect(host="127.0.0.1", port=primary_port, user="postgres", autocommit=True)
    except psycopg.Error as error:
        raise ReplicaUnavailableError(f"no primary on port {primary_port}: {error}") from error
    with primary:
        settings = {
            name: str(primary.execute(f"SHOW {name}").fetchone()[0])
            for name in ("wal_level", "server_version_num", *AT_LEAST_PRIMARY)
        }
    if settings["wal_level"] not in ("replica", "logical") or settings["max_wal_senders"] == "0":
        raise ReplicaUnavailableError(
            f"the primary cannot stream (wal_level={settings['wal_level']}, "
            f"max_wal_senders={settings['max_wal_senders']})"
        )
    bin_dir = Path(f"/usr/lib/postgresql/{int(settings['server_version_num']) // 10000}/bin")
    if not (bin_dir / "pg_ctl").exists() or not (bin_dir / "pg_basebackup").exists():
        raise ReplicaUnavailableError(f"no pg_ctl/pg_basebackup in {bin_dir}")
    directory = Path(tempfile.mkdtemp(prefix="hsv-replica-"))
    directory.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    replica = Replica(port=free_port(), directory=directory, bin_dir=bin_dir)
    copy = subprocess.run(
        _as_postgres(
            [
                str(bin_dir / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(primary_port),
                "-U",
                "postgres",
                "-D",
                str(replica.data),
                "-R",
                "--checkpoint=fast",
                "--no-sync",
            ]
        ),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if copy.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        if "pg_hba.conf" in copy.stderr:
            raise ReplicaUnavailableError(
                "the primary refuses replication connections: add "
                '"host replication all 127.0.0.1/32 trust" to its pg_hba.conf (.ci/run does)'
            )
        raise AssertionError(f"pg_basebackup failed: {copy.stderr}")
    # Debian keeps postgresql.conf and pg_hba.conf outside the data directory: the copy gets its own.
    conf = [
        "listen_addresses = '127.0.0.1'",
        f"port = {replica.port}",
        f"unix_socket_directories = '{directory}'",
        "hot_standby = on",
        "fsync = off",
        *(f"{name} = {settings[name]}" for name in AT_LEAST_PRIMARY),
    ]
    (replica.data / "postgresql.conf").write_text("\n".join(conf) + "\n")
    (replica.data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    for name in ("postgresql.conf", "pg_hba.conf"):
        if os.geteuid() == 0:
            shutil.chown(replica.data / name, "postgres", "postgres")
    started = subprocess.run(
        _as_postgres(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(replica.data),
                "-l",
                str(directory / "replica.log"),
                "-W",
                "start",
            ]
        ),
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    # A hot standby accepts reads once the primary has logged a moment without an overflowing
    # transaction (every 15 s while it is busy); a primary shared with long tests may take a while.
    deadline = time.monotonic() + STANDBY_READY_SECONDS
    while started.returncode == 0 and not replica.answers() and time.monotonic() < deadline:
        time.sleep(0.5)
    if started.returncode != 0 or not replica.answers():
        log = (directory / "replica.log").read_text(errors="replace")[-3000:]
        replica.remove()
        raise AssertionError(f"the replica did not start: {started.stderr}\n{log}")
    return replica
