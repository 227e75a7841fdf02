"""The default deployment's two database roles, end to end against a real PostgreSQL server.

What `docker compose up` does on an empty volume, in a throwaway database: deploy/db-roles.sh makes the
owner and the application's role, `manage.py migrate` runs as the owner (as the `migrate` service does),
and then the application's role, which web, worker and beat connect as, tries every way around the
access log's append-only rule. The server is the one PGHOST/PGPORT/PGUSER name (a superuser), by
default 127.0.0.1:5432 as postgres.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
DB_ROLES = ROOT / "deploy" / "db-roles.sh"
APPEND_ONLY = ("audit_accesslogentry", "audit_accesslogreview", "audit_accesslogextract")

_MISSING = [tool for tool in ("bash", "psql", "createdb", "dropdb") if shutil.which(tool) is None]
pytestmark = pytest.mark.skipif(bool(_MISSING), reason=f"PostgreSQL client tools missing: {_MISSING}")


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PGDATABASE")}
    env.setdefault("PGHOST", "127.0.0.1")
    env.setdefault("PGPORT", "5432")
    env.setdefault("PGUSER", "postgres")
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@dataclass(frozen=True)
class Deployment:
    database: str
    owner: str
    owner_password: str
    app: str
    app_password: str

    def url(self, role: str, password: str) -> str:
        env = server_env()
        return f"postgresql://{role}:{password}@{env['PGHOST']}:{env['PGPORT']}/{self.database}"

    def connect(self, role: str) -> psycopg.Connection[Any]:
        password = self.owner_password if role == self.owner else self.app_password
        return psycopg.connect(self.url(role, password), autocommit=True)

    def roles_env(self) -> dict[str, str]:
        return {
            **server_env(),
            "PGDATABASE": self.database,
            "DB_OWNER_USER": self.owner,
            "DB_OWNER_PASSWORD": self.owner_password,
            "DB_APP_USER": self.app,
            "DB_APP_PASSWORD": self.app_password,
        }


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    """An empty database given its roles, then migrated by the owner: the compose setup's first start."""
    name = f"hsj_test_roles_{secrets.token_hex(4)}"
    made = Deployment(
        database=name,
        owner=f"{name}_owner",
        owner_password=secrets.token_hex(12),
        app=f"{name}_app",
        app_password=secrets.token_hex(12),
    )
    env = server_env()
    try:
        created = run(["createdb", name], env)
        assert created.returncode == 0, created.stderr
        roles = run([str(DB_ROLES)], made.roles_env())
        assert roles.returncode == 0, roles.stderr
        migrate_env = {
            **os.environ,
            "HEMSJUKVARD_ENV": "test",
            "DATABASE_URL": made.url(made.owner, made.owner_password),
        }
        migrated = run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput"], migrate_env, timeout=600
        )
        assert migrated.returncode == 0, migrated.stderr
        yield made
    finally:
        run(["dropdb", "--if-exists", "--force", name], env)
        for role in (made.app, made.owner):
            run(["psql", "-X", "-d", "postgres", "-c", f'DROP ROLE IF EXISTS "{role}"'], env)


def refused(connection: psycopg.Connection[Any], sql: str) -> str:
    with pytest.raises(psycopg.Error) as error:
        connection.execute(sql)
    return str(error.value)


def test_the_owner_owns_everything_and_is_no_superuser(deployment: Deployment) -> None:
    with deployment.connect(deployment.owner) as owner:
        row = owner.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert row == (False, False, False)
        others = owner.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v') "
            "AND c.relowner <> current_user::regrole"
        ).fetchall()
        assert others == []
        assert "permission denied" in refused(owner, "SET session_replication_role = replica")


def test_the_application_role_may_read_and_write_rows_only(deployment: Deployment) -> None:
    with deployment.connect(deployment.app) as app:
        rows = app.execute(
            "SELECT c.relname, has_table_privilege(c.oid, 'SELECT'), has_table_privilege(c.oid, 'INSERT'), "
            "has_table_privilege(c.oid, 'UPDATE'), has_table_privilege(c.oid, 'DELETE'), "
            "has_table_privilege(c.oid, 'TRUNCATE'), has_table_privilege(c.oid, 'TRIGGER'), "
            "pg_has_role(c.relowner, 'MEMBER') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
        ).fetchall()
        assert len(rows) > 50
        for table, select, insert, update, delete, truncate, trigger, owns in rows:
            # The access log's monthly partitions are as append-only as the log (audit migration 0007).
            append_only = table in APPEND_ONLY or table.startswith("audit_accesslogentry_")
            assert (select, insert) == (True, True), table
            assert (update, delete) == (not append_only, not append_only), table
            assert (truncate, trigger, owns) == (False, False, False), table
        # Every migration's table is granted, the ones made after the roles by default privileges.
        assert {"audit_accesslogentry", "django_migrations", "hemsjukvard_outboxmessage"} <= {
            r[0] for r in rows
        }


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_the_application_role_cannot_step_around_the_append_only_rule(
    deployment: Deployment, table: str
) -> None:
    with deployment.connect(deployment.app) as app:
        for sql in (
            f"UPDATE {table} SET id = id",  # noqa: S608 (fixed table names)
            f"DELETE FROM {table}",  # noqa: S608
            f"TRUNCATE {table}",
            f"TRUNCATE {table} CASCADE",
            f"ALTER TABLE {table} DISABLE TRIGGER ALL",
            f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_update_delete",
            f"DROP TRIGGER {table}_no_update_delete ON {table}",
            f"DROP TABLE {table}",
            f"ALTER TABLE {table} RENAME TO {table}_old",
            "SET session_replication_role = replica",
            "CREATE TABLE public.shadow (id int)",
        ):
            message = refused(app, sql)
            assert "permission denied" in message or "must be owner" in message, (sql, message)


def test_a_back_dated_row_gets_the_databases_time(deployment: Deployment) -> None:
    """The database sets the time of the application's row. The log is partitioned by month (audit
    migration 0007), and a row cannot be moved to another month by that trigger: a time in another month
    is refused, one in this month is replaced, and the application's own INSERT routes its rows by the
    time the database will give them (``audit_access_time``)."""
    insert = (
        "INSERT INTO audit_accesslogentry (at, user_label, api_client, role, organisation_label, "
        "record_type, record_id, action, outcome, purpose, reason) "
        "VALUES ({at}, 'nurse', '', '', '', 'patient', '', 'read', 'granted', 'care_relationship', '') "
        "RETURNING at"
    )
    with deployment.connect(deployment.app) as app:
        (now,) = app.execute("SELECT statement_timestamp()").fetchone() or (None,)
        assert now is not None
        assert "another partition" in refused(app, insert.format(at="'2001-01-01T00:00:00Z'"))
        this_month = "date_trunc('month', statement_timestamp() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
        for at in (this_month, "audit_access_time('2001-01-01T00:00:00Z')"):
            (stored,) = app.execute(insert.format(at=at)).fetchone() or (None,)
            assert stored is not None
            assert stored >= now, at
        assert app.execute("SELECT count(*) FROM audit_accesslogentry WHERE at < %s", [now]).fetchone() == (
            0,
        )


def test_the_roles_script_can_run_again(deployment: Deployment) -> None:
    again = run([str(DB_ROLES)], deployment.roles_env())
    assert again.returncode == 0, again.stderr
    with deployment.connect(deployment.app) as app:
        assert "permission denied" in refused(app, "UPDATE audit_accesslogentry SET reason = ''")
        assert app.execute("SELECT count(*) FROM django_migrations").fetchone() != (0,)


def test_the_script_refuses_one_role_for_both(deployment: Deployment) -> None:
    env = {**deployment.roles_env(), "DB_APP_USER": deployment.owner}
    result = run([str(DB_ROLES)], env)
    assert result.returncode != 0
    assert "two different roles" in result.stderr
