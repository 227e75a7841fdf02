"""deploy/backup.sh and deploy/restore.sh against a real PostgreSQL server.

Each test makes its own throwaway databases (random names) and drops them afterwards. The server is
the one PGHOST/PGPORT/PGUSER name, by default 127.0.0.1:5432 as postgres; PGPASSWORD is honoured.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "deploy" / "backup.sh"
RESTORE = ROOT / "deploy" / "restore.sh"

_MISSING = [
    tool
    for tool in ("bash", "psql", "createdb", "dropdb", "pg_dump", "pg_restore")
    if shutil.which(tool) is None
]
pytestmark = pytest.mark.skipif(
    bool(_MISSING), reason=f"PostgreSQL client tools missing: {', '.join(_MISSING)}"
)

SEED_SQL = """
CREATE TABLE entry (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    label text NOT NULL,
    note text,
    payload bytea
);
CREATE FUNCTION entry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER entry_no_update_delete BEFORE UPDATE OR DELETE ON entry
    FOR EACH ROW EXECUTE FUNCTION entry_refuse_change();
INSERT INTO entry (label, note, payload)
SELECT 'rad ' || g,
       CASE WHEN g % 3 = 0 THEN NULL ELSE 'hemsjukvård åäö ÅÄÖ ' || g END,
       decode(md5(g::text), 'hex')
FROM generate_series(1, 250) AS g;
"""

ROWS_SQL = "SELECT id, at, label, note, encode(payload, 'hex') FROM entry ORDER BY id"


def server_env() -> dict[str, str]:
    """The environment for the scripts and tools: the test server, and no application database."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("PGDATABASE", None)
    env.setdefault("PGHOST", "127.0.0.1")
    env.setdefault("PGPORT", "5432")
    env.setdefault("PGUSER", "postgres")
    env["PGCONNECT_TIMEOUT"] = env.get("PGCONNECT_TIMEOUT", "10")
    return env


def run(args: list[str | Path], env: dict[str, str] | None = None, **kwargs):
    return subprocess.run(
        [str(arg) for arg in args],
        env=env if env is not None else server_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **kwargs,
    )


def psql(database: str, sql: str, env: dict[str, str] | None = None) -> str:
    result = run(
        [
            "psql",
            "--no-psqlrc",
            "--no-align",
            "--tuples-only",
            "--set=ON_ERROR_STOP=1",
            f"--dbname={database}",
            f"--command={sql}",
        ],
        env=env,
    )
    assert result.returncode == 0, result.stderr
    return str(result.stdout)


def table_exists(database: str) -> bool:
    return psql(database, "SELECT to_regclass('public.entry') IS NOT NULL").strip() == "t"


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """A seeded source database and an empty target database, both dropped afterwards."""
    suffix = secrets.token_hex(4)
    source, target = f"hsj_test_backup_src_{suffix}", f"hsj_test_backup_dst_{suffix}"
    try:
        for name in (source, target):
            created = run(["createdb", name])
            assert created.returncode == 0, f"cannot create {name}: {created.stderr}"
        psql(source, SEED_SQL)
        yield source, target
    finally:
        for name in (source, target):
            run(["dropdb", "--if-exists", "--force", name])


def backup(directory: Path, *args: str, env: dict[str, str] | None = None) -> Path:
    result = run([BACKUP, directory, *args], env=env)
    assert result.returncode == 0, result.stderr
    dump = Path(result.stdout.strip())
    assert dump.is_file()
    return dump


def restore(dump: Path, *args: str, env: dict[str, str] | None = None) -> None:
    result = run([RESTORE, "--yes", dump, *args], env=env, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr


def test_scripts_are_executable_bash_with_strict_mode():
    for script in (BACKUP, RESTORE):
        text = script.read_text()
        assert text.startswith("#!/usr/bin/env bash\n")
        assert "set -euo pipefail" in text
        assert script.stat().st_mode & stat.S_IXUSR, f"{script.name} is not executable"


def test_backup_and_restore_reproduce_the_database(databases, tmp_path):
    source, target = databases
    directory = tmp_path / "backups" / "nightly"  # created by the script

    dump = backup(directory, source)

    assert dump.parent == directory
    assert re.fullmatch(rf"{source}_\d{{8}}T\d{{6}}Z\.dump", dump.name), dump.name
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600, "the dump must be readable by its owner only"
    assert [p.name for p in directory.iterdir()] == [dump.name], "no partial files are left behind"
    assert dump.read_bytes()[:5] == b"PGDMP", "custom format"

    restore(dump, target)

    assert psql(target, ROWS_SQL) == psql(source, ROWS_SQL)
    assert psql(target, "SELECT count(*) FROM entry").strip() == "250"
    # The sequence continues where the source's did, and the append-only trigger came along.
    assert psql(target, "SELECT last_value FROM entry_id_seq") == psql(
        source, "SELECT last_value FROM entry_id_seq"
    )
    refused = run(
        [
            "psql",
            "--no-psqlrc",
            f"--dbname={target}",
            "--set=ON_ERROR_STOP=1",
            "--command=DELETE FROM entry WHERE id = 1",
        ]
    )
    assert refused.returncode != 0
    assert "append-only: DELETE is not allowed" in refused.stderr


def test_restore_replaces_what_the_target_holds(databases, tmp_path):
    source, target = databases
    dump = backup(tmp_path, source)
    restore(dump, target)
    psql(target, "INSERT INTO entry (label) VALUES ('after the backup')")
    psql(target, "DROP TRIGGER entry_no_update_delete ON entry")
    psql(target, "UPDATE entry SET label = 'changed' WHERE id = 2")

    restore(dump, target)  # --clean --if-exists over existing objects

    assert psql(target, ROWS_SQL) == psql(source, ROWS_SQL)
    assert (
        psql(target, "SELECT count(*) FROM pg_trigger WHERE tgname = 'entry_no_update_delete'").strip() == "1"
    )


def test_database_url_selects_the_server_and_a_name_argument_the_database(databases, tmp_path):
    source, target = databases
    env = server_env()
    host, port, user = env.pop("PGHOST"), env.pop("PGPORT"), env.pop("PGUSER")
    if host.startswith("/"):  # a socket directory
        base = f"postgresql://{user}@:{port}/{{}}?host={host}&connect_timeout=10"
    else:
        host = f"[{host}]" if ":" in host else host
        base = f"postgresql://{user}@{host}:{port}/{{}}?connect_timeout=10"

    # Like the application: DATABASE_URL alone, in the spelling django-environ also accepts.
    env["DATABASE_URL"] = base.format(source).replace("postgresql://", "postgres://", 1)
    dump = backup(tmp_path, env=env)
    assert dump.name.startswith(f"{source}_")

    # DATABASE_URL names the source; the argument redirects the restore to the target only.
    restore(dump, target, env=env)
    assert psql(target, ROWS_SQL) == psql(source, ROWS_SQL)

    # A full URI as the argument wins over DATABASE_URL.
    psql(target, "DROP TABLE entry; DROP FUNCTION entry_refuse_change()")
    env["DATABASE_URL"] = base.format(f"hsj_test_no_such_database_{secrets.token_hex(4)}")
    restore(dump, base.format(target), env=env)
    assert psql(target, ROWS_SQL) == psql(source, ROWS_SQL)


def test_restore_asks_before_replacing_and_refuses_off_a_terminal(databases, tmp_path):
    source, target = databases
    dump = backup(tmp_path, source)

    result = run([RESTORE, dump, target], stdin=subprocess.DEVNULL)

    assert result.returncode != 0
    assert "--yes" in result.stderr
    assert not table_exists(target), "nothing may change without confirmation"


def test_restore_rejects_a_file_that_is_not_a_dump(databases, tmp_path):
    _, target = databases
    bogus = tmp_path / "bogus.dump"
    bogus.write_text("not a dump\n")

    result = run([RESTORE, "--yes", bogus, target], stdin=subprocess.DEVNULL)

    assert result.returncode != 0
    assert not table_exists(target)


def test_restore_into_a_missing_database_fails_clearly(tmp_path, databases):
    source, _ = databases
    dump = backup(tmp_path, source)

    result = run(
        [RESTORE, "--yes", dump, f"hsj_test_missing_{secrets.token_hex(4)}"], stdin=subprocess.DEVNULL
    )

    assert result.returncode != 0
    assert "createdb" in result.stderr


def test_failed_backup_leaves_no_file(tmp_path):
    result = run([BACKUP, tmp_path, f"hsj_test_missing_{secrets.token_hex(4)}"])

    assert result.returncode != 0
    assert "cannot connect" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("script", [BACKUP, RESTORE], ids=["backup", "restore"])
def test_usage(script):
    helped = run([script, "--help"])
    assert helped.returncode == 0
    assert helped.stdout.startswith("Usage: ")
    assert "DATABASE_URL" in helped.stdout
    assert "PGHOST" in helped.stdout

    bare = run([script])
    assert bare.returncode == 2
    assert "Usage: " in bare.stderr

    unknown = run([script, "--no-such-option", "x"])
    assert unknown.returncode != 0
    assert "unknown option" in unknown.stderr
