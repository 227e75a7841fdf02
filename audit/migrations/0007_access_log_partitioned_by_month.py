"""Partition the access log by calendar month (UTC) on PostgreSQL.

The log is kept at least five years (HSLF-FS 2016:40; ``AUDIT_LOG_RETENTION_YEARS``): at national scale
100 million rows. One partition per month keeps each month's indexes small, lets a period's query read
only the months it touches, and lets a month older than the retention be archived and dropped whole
(``audit.archive``) instead of deleted row by row — which the append-only trigger refuses anyway.

What this migration does on PostgreSQL, in one transaction (a maintenance window at national scale:
``bench/README.md`` has the time it took per million rows):

* The review's and the sample's references to an entry lose their foreign-key constraint: a foreign key
  must reference a unique constraint, and on a partitioned table every unique constraint includes the
  partition key. The columns, their indexes and the ORM's relations stay (``db_constraint=False``).
* The table is rebuilt as ``PARTITION BY RANGE (at)``: the same columns, the identity continuing where
  it was, the primary key ``(id, at)``, the same indexes, foreign keys, triggers (``ENABLE ALWAYS``) and
  privileges, read from the catalogue so nothing is left behind. A row trigger on the partitioned table
  is cloned onto every partition, existing and future, so UPDATE and DELETE stay refused everywhere.
* One partition per month from the oldest entry to three months ahead, and a DEFAULT partition for a
  row whose month has no partition (the beat job failed for months; ``hemsjukvard_access_log_default_rows``
  on ``/metrics``). ``audit_accesslog_create_partition`` creates a month later (the beat task
  ``audit.tasks.create_log_partitions`` and every ``migrate``): it runs as the owner of the schema
  (SECURITY DEFINER) because the application's role has no DDL, and moves into the new month whatever
  rows of it the DEFAULT partition holds.
* Statement triggers are not cloned, so every partition gets its own TRUNCATE guard, and the row
  changes the owner's default privileges grant on a new table are revoked on it
  (``audit_accesslog_protect_partition``).
* ``audit_accesslog_drop_partition`` detaches and drops one archived month: it refuses a month that
  ends less than five years ago, or whose row count is not the archive's.
* ``audit_access_time`` is the time the database will give a new row (``audit_database_time_at``): the
  application's INSERT routes its rows by it, so the trigger never moves a row to another month
  (PostgreSQL refuses that) at midnight on the first of a month.

SQLite, the embedded demo database, keeps the log as one table: it only sees the relation's state
change.
"""

from typing import Any

from django.db import migrations, models

TABLE = "audit_accesslogentry"
MONTHS_AHEAD = 3

FUNCTIONS = """
CREATE FUNCTION audit_accesslog_partition_name(month date) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT 'audit_accesslogentry_' || to_char(month, 'YYYY_MM') $$;

-- The first instant (UTC) of the month a date is in.
CREATE FUNCTION audit_accesslog_month_start(month date) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$ SELECT date_trunc('month', month)::timestamp AT TIME ZONE 'UTC' $$;

-- The time the database will give a new row of the log (audit_database_time_at): the requested time
-- for the owner of the database, the statement's time for everyone else.
CREATE FUNCTION audit_access_time(requested timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN pg_has_role(current_user, 'pg_database_owner', 'MEMBER')
                THEN requested ELSE statement_timestamp() END
$$;

-- What a partition needs beyond the cloned row triggers: its own TRUNCATE guard (statement triggers
-- are not cloned), no row-change privileges for anyone but the owner, and the insert-only vacuum
-- setting of migration 0005 (storage parameters are per partition).
CREATE FUNCTION audit_accesslog_protect_partition(part regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    grantee text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = part AND tgname = 'audit_accesslogentry_no_truncate') THEN
        EXECUTE format('CREATE TRIGGER audit_accesslogentry_no_truncate BEFORE TRUNCATE ON %s '
                       'FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate()', part);
    END IF;
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER audit_accesslogentry_no_truncate', part);
    EXECUTE format('ALTER TABLE %s SET (autovacuum_vacuum_insert_threshold = 20000, '
                   'autovacuum_vacuum_insert_scale_factor = 0)', part);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %s FROM PUBLIC', part);
    FOR grantee IN
        SELECT DISTINCT a.grantee::regrole::text
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = part AND a.grantee NOT IN (0, c.relowner)
          AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON %s FROM %s', part, grantee);
    END LOOP;
END;
$$;

-- The month's partition, if it does not exist yet; true if it was created.
CREATE FUNCTION audit_accesslog_create_partition(month date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    low timestamptz := audit_accesslog_month_start(month);
    high timestamptz := audit_accesslog_month_start((date_trunc('month', month) + interval '1 month')::date);
    name text := audit_accesslog_partition_name(month);
    strays boolean := false;
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN false;
    END IF;
    PERFORM set_config('lock_timeout', '10s', true);
    IF to_regclass('audit_accesslogentry_default') IS NOT NULL THEN
        strays := EXISTS (SELECT FROM audit_accesslogentry_default WHERE at >= low AND at < high);
    END IF;
    IF strays THEN
        -- Rows that arrived while the month had no partition move into it. Detached, the DEFAULT
        -- partition loses its cloned triggers for the moment and gets them back when attached again.
        ALTER TABLE audit_accesslogentry DETACH PARTITION audit_accesslogentry_default;
        -- Protected before the rows arrive: their deferred foreign-key checks would forbid the ALTER.
        EXECUTE format('CREATE TABLE %I PARTITION OF audit_accesslogentry FOR VALUES FROM (%L) TO (%L)',
                       name, low, high);
        PERFORM audit_accesslog_protect_partition(name::regclass);
        EXECUTE format('INSERT INTO %I SELECT * FROM audit_accesslogentry_default WHERE at >= %L AND at < %L',
                       name, low, high);
        DELETE FROM audit_accesslogentry_default WHERE at >= low AND at < high;
        ALTER TABLE audit_accesslogentry ATTACH PARTITION audit_accesslogentry_default DEFAULT;
    ELSE
        EXECUTE format('CREATE TABLE %I PARTITION OF audit_accesslogentry FOR VALUES FROM (%L) TO (%L)',
                       name, low, high);
        PERFORM audit_accesslog_protect_partition(name::regclass);
    END IF;
    RETURN true;
END;
$$;

-- Detach and drop one month that has been archived. The floor of five years is the law's
-- (HSLF-FS 2016:40) and holds whatever the application's setting says.
CREATE FUNCTION audit_accesslog_drop_partition(month date, expected_rows bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    high timestamptz := audit_accesslog_month_start((date_trunc('month', month) + interval '1 month')::date);
    name text := audit_accesslog_partition_name(month);
    found bigint;
BEGIN
    IF high > audit_accesslog_month_start((now() AT TIME ZONE 'UTC' - interval '5 years')::date) THEN
        RAISE EXCEPTION 'the access log of % must be kept five years (HSLF-FS 2016:40)', to_char(month, 'YYYY-MM')
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (
        SELECT FROM pg_inherits WHERE inhparent = 'audit_accesslogentry'::regclass AND inhrelid = to_regclass(name)
    ) THEN
        RAISE EXCEPTION 'the access log has no partition %', name USING ERRCODE = 'undefined_table';
    END IF;
    PERFORM set_config('lock_timeout', '10s', true);
    EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', name);
    EXECUTE format('SELECT count(*) FROM %I', name) INTO found;
    IF found <> expected_rows THEN
        RAISE EXCEPTION 'partition % has % rows, its archive %', name, found, expected_rows
            USING ERRCODE = 'data_exception';
    END IF;
    EXECUTE format('ALTER TABLE audit_accesslogentry DETACH PARTITION %I', name);
    EXECUTE format('DROP TABLE %I', name);
END;
$$;

REVOKE EXECUTE ON FUNCTION audit_accesslog_protect_partition(regclass) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION audit_accesslog_create_partition(date) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION audit_accesslog_drop_partition(date, bigint) FROM PUBLIC;
"""

# Whoever may write the log (the application's role) may create the months ahead and drop an archived
# month through the functions above; deploy/db-roles.sql grants the same.
GRANT_TO_WRITERS = """
DO $$
DECLARE
    grantee text;
BEGIN
    FOR grantee IN
        SELECT DISTINCT a.grantee::regrole::text
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'audit_accesslogentry'::regclass AND a.grantee NOT IN (0, c.relowner)
          AND a.privilege_type = 'INSERT'
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION audit_accesslog_create_partition(date), '
                       'audit_accesslog_drop_partition(date, bigint) TO %s', grantee);
    END LOOP;
END
$$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION audit_accesslog_drop_partition(date, bigint);
DROP FUNCTION audit_accesslog_create_partition(date);
DROP FUNCTION audit_accesslog_protect_partition(regclass);
DROP FUNCTION audit_access_time(timestamptz);
DROP FUNCTION audit_accesslog_month_start(date);
DROP FUNCTION audit_accesslog_partition_name(date);
"""

REVOKE_ALL = """
DO $$
DECLARE
    grantee text;
BEGIN
    REVOKE ALL ON audit_accesslogentry FROM PUBLIC;
    FOR grantee IN
        SELECT DISTINCT a.grantee::regrole::text
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'audit_accesslogentry'::regclass AND a.grantee NOT IN (0, c.relowner)
    LOOP
        EXECUTE format('REVOKE ALL ON audit_accesslogentry FROM %s', grantee);
    END LOOP;
END
$$;
"""

# The tables that referenced an entry by a foreign key, and the constraint as migration 0003 made it.
REFERENCING = ("audit_accesslogreview", "audit_accesslogsampleitem")


def _fetch(cursor: Any, sql: str, params: Any = None) -> list[Any]:
    cursor.execute(sql, params)
    return list(cursor.fetchall())


def _rebuild(schema_editor: Any, *, partitioned: bool) -> None:
    """Rebuild the log as a partitioned table (or back as a plain one) with everything it had."""
    def execute(sql: str, params: Any = None) -> None:
        schema_editor.execute(sql, params)

    with schema_editor.connection.cursor() as cursor:
        oid = f"'{TABLE}'::regclass"
        indexes = _fetch(
            cursor, f"SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = {oid} AND NOT indisprimary"
        )
        foreign_keys = _fetch(
            cursor,
            f"SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = {oid} AND contype = 'f'",
        )
        triggers = _fetch(
            cursor,
            f"SELECT tgname, pg_get_triggerdef(oid), tgenabled FROM pg_trigger "
            f"WHERE tgrelid = {oid} AND NOT tgisinternal AND tgparentid = 0",
        )
        grants = _fetch(
            cursor,
            f"SELECT a.grantee::regrole::text, a.privilege_type FROM pg_class c, aclexplode(c.relacl) a "
            f"WHERE c.oid = {oid} AND a.grantee NOT IN (0, c.relowner)",
        )
        [(sequence,)] = _fetch(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        [(last_value, is_called)] = _fetch(cursor, f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
        [(oldest,)] = _fetch(cursor, f"SELECT min(at) FROM {TABLE}")  # noqa: S608

    execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_old")
    partition_by = " PARTITION BY RANGE (at)" if partitioned else ""
    execute(f"CREATE TABLE {TABLE} (LIKE {TABLE}_old INCLUDING DEFAULTS INCLUDING IDENTITY){partition_by}")
    if partitioned:
        execute(
            f"SELECT audit_accesslog_create_partition(month::date) FROM generate_series("
            f"date_trunc('month', least(%s, now()) AT TIME ZONE 'UTC'), "
            f"date_trunc('month', now() AT TIME ZONE 'UTC') + interval '{MONTHS_AHEAD} months', "
            f"interval '1 month') AS month",
            [oldest],
        )
        execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        execute(f"SELECT audit_accesslog_protect_partition('{TABLE}_default'::regclass)")
    execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_old")  # noqa: S608
    execute(f"DROP TABLE {TABLE}_old")
    with schema_editor.connection.cursor() as cursor:
        [(new_sequence,)] = _fetch(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {sequence.split('.')[-1]}")
    execute(f"SELECT setval('{sequence}', %s, %s)", [last_value, is_called])

    primary_key = "(id, at)" if partitioned else "(id)"
    execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY {primary_key}")
    for (definition,) in indexes:
        execute(definition.replace(" ON ONLY ", " ON "))
    for name, definition in foreign_keys:
        execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
    for name, definition, enabled in triggers:
        execute(definition)
        if enabled == "A":
            execute(f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER {name}")
    # Exactly the privileges the table had: not what the owner's default privileges give a new table
    # (row changes, which the log must not grant).
    execute(REVOKE_ALL)
    for grantee, privilege in grants:
        execute(f"GRANT {privilege} ON {TABLE} TO {grantee}")
    if not partitioned:
        execute(
            f"ALTER TABLE {TABLE} SET (autovacuum_vacuum_insert_threshold = 20000, "
            "autovacuum_vacuum_insert_scale_factor = 0)"
        )
    execute(f"ANALYZE {TABLE}")


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in REFERENCING:
        with schema_editor.connection.cursor() as cursor:
            names = _fetch(
                cursor,
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND confrelid = %s::regclass AND contype = 'f'",
                [table, TABLE],
            )
        for (name,) in names:
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}", None)
    schema_editor.execute(FUNCTIONS, None)
    _rebuild(schema_editor, partitioned=True)
    schema_editor.execute(GRANT_TO_WRITERS, None)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    _rebuild(schema_editor, partitioned=False)
    schema_editor.execute(DROP_FUNCTIONS, None)
    for table in REFERENCING:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_entry_id_fk_audit_accesslogentry_id "
            f"FOREIGN KEY (entry_id) REFERENCES {TABLE} (id) DEFERRABLE INITIALLY DEFERRED",
            None,
        )


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_append_only_reviews_extracts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accesslogreview",
                    name="entry",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="reviews",
                        to="audit.accesslogentry",
                        verbose_name="log entry",
                    ),
                ),
                migrations.AlterField(
                    model_name="accesslogsampleitem",
                    name="entry",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="+",
                        to="audit.accesslogentry",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
