"""The access log, its reviews and its extracts: append-only, timed by the database, for every role.

Migration 0002 refused UPDATE and DELETE on the log. That left ways around it, closed here on PostgreSQL:

* **The MAS's review notes and the patients' extracts** could be edited or deleted (and with them the
  record that a review found something). They get the same row triggers as the log.
* **TRUNCATE** empties a table without firing row triggers. A statement trigger now refuses it on all
  three tables, to every role but a superuser (who can remove any trigger anyway; the test suite empties
  the database between tests as one). The application's role has no TRUNCATE privilege either
  (deploy/README.md, "Database roles").
* **``session_replication_role = replica``** silences ordinary triggers. These fire ``ALWAYS``. (Setting
  it needs a superuser in the first place.)
* **Back-dated rows.** The application wrote the time of an access itself. The database now sets
  ``at`` (and the review's ``at``, the extract's ``created_at``) on INSERT to the statement's time,
  whatever the client sent, for every role but the owner of the database (which owns these tables in
  the deployment) and superusers: the application's role can no longer write a row into the past. The
  owner (restores, the benchmark's generator and the test suite, which plant history on purpose) keeps
  its value: it could disable the trigger anyway. A ``BEFORE INSERT`` trigger rather than a column
  default, because a default is only used when the client sends no value.

Disabling a trigger or dropping a table needs ownership, which the application's role does not have
in the default deployment (docker-compose.yml, deploy/db-roles.sh). SQLite, the embedded development
database, gets the row triggers for reviews and extracts; it has no TRUNCATE and no roles.
"""

from typing import Any

from django.db import migrations

# Table, and the column holding its time of insertion.
APPEND_ONLY = (
    ("audit_accesslogentry", "at"),
    ("audit_accesslogreview", "at"),
    ("audit_accesslogextract", "created_at"),
)

POSTGRES_FUNCTIONS = """
CREATE FUNCTION audit_refuse_row_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION '% is append-only: TRUNCATE is not allowed', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- The owner of the database (pg_database_owner; a superuser is a member of every role) keeps the time
-- it writes. Asked without a catalogue query, so the check costs microseconds per row: the log is
-- written on every read of patient data.
CREATE FUNCTION audit_database_time_at() RETURNS trigger AS $$
BEGIN
    IF NOT pg_has_role(current_user, 'pg_database_owner', 'MEMBER') THEN
        NEW.at := statement_timestamp();
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION audit_database_time_created_at() RETURNS trigger AS $$
BEGIN
    IF NOT pg_has_role(current_user, 'pg_database_owner', 'MEMBER') THEN
        NEW.created_at := statement_timestamp();
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

REVOKE_ROW_CHANGES = """
DO $$
DECLARE
    grantee text;
BEGIN
    REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC;
    FOR grantee IN
        SELECT DISTINCT a.grantee::regrole::text
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = '{table}'::regclass AND a.grantee NOT IN (0, c.relowner)
          AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM %s', grantee);
    END LOOP;
END
$$;
"""


def _postgres_up() -> list[str]:
    statements = [POSTGRES_FUNCTIONS]
    for table, time_column in APPEND_ONLY:
        if table != "audit_accesslogentry":  # 0002 made its row trigger
            statements.append(
                f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_refuse_row_change();"
            )
        statements += [
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();",
            f"CREATE TRIGGER {table}_database_time BEFORE INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION audit_database_time_{time_column}();",
        ]
        for trigger in ("no_update_delete", "no_truncate", "database_time"):
            statements.append(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_{trigger};")
        # Belt and braces: whoever was granted row changes on these tables (the application's role,
        # through the owner's default privileges) loses them.
        statements.append(REVOKE_ROW_CHANGES.replace("{table}", table))
    return statements


def _postgres_down() -> list[str]:
    statements = []
    for table, _column in APPEND_ONLY:
        statements += [
            f"DROP TRIGGER {table}_database_time ON {table};",
            f"DROP TRIGGER {table}_no_truncate ON {table};",
        ]
        if table == "audit_accesslogentry":
            statements.append(f"ALTER TABLE {table} ENABLE TRIGGER {table}_no_update_delete;")
        else:
            statements.append(f"DROP TRIGGER {table}_no_update_delete ON {table};")
    statements += [
        "DROP FUNCTION audit_database_time_at();",
        "DROP FUNCTION audit_database_time_created_at();",
        "DROP FUNCTION audit_refuse_truncate();",
        "DROP FUNCTION audit_refuse_row_change();",
    ]
    return statements


def _sqlite_up() -> list[str]:
    statements = []
    for table, _column in APPEND_ONLY[1:]:
        for operation in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} is not allowed'); END;"
            )
    return statements


def _sqlite_down() -> list[str]:
    return [
        f"DROP TRIGGER {table}_no_{operation};"
        for table, _column in APPEND_ONLY[1:]
        for operation in ("update", "delete")
    ]


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = _postgres_up() if vendor == "postgresql" else _sqlite_up() if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = _postgres_down() if vendor == "postgresql" else _sqlite_down() if vendor == "sqlite" else []
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_access_log_review_index")]

    operations = [migrations.RunPython(forwards, backwards)]
