"""Make a case's history append-only in the database itself.

The timeline (``CaseEvent``), the parties' positions, escalation decisions, risk-analysis hazards and
measures, signatures and MAS/MAR decisions are personal and dated records: once written they are never
changed or deleted, corrections are new rows. As for the access log (audit 0002), PostgreSQL triggers
refuse UPDATE and DELETE row by row; SQLite (the development default) gets equivalent triggers.
"""

from django.db import migrations

TABLES = [
    "cases_caseevent",
    "cases_position",
    "cases_escalationdecision",
    "cases_hazard",
    "cases_measure",
    "cases_signature",
    "cases_analysisdecision",
]

POSTGRES_FUNCTION_UP = """
CREATE FUNCTION cases_history_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case history is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
POSTGRES_TRIGGER_UP = """
CREATE TRIGGER {table}_no_update_delete
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION cases_history_refuse_change();
"""
POSTGRES_TRIGGER_DOWN = "DROP TRIGGER {table}_no_update_delete ON {table};"
POSTGRES_FUNCTION_DOWN = "DROP FUNCTION cases_history_refuse_change();"

SQLITE_UP = [
    """CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
       BEGIN SELECT RAISE(ABORT, 'case history is append-only: UPDATE is not allowed'); END;""",
    """CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, 'case history is append-only: DELETE is not allowed'); END;""",
]
SQLITE_DOWN = ["DROP TRIGGER {table}_no_update;", "DROP TRIGGER {table}_no_delete;"]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION_UP, params=None)
        for table in TABLES:
            schema_editor.execute(POSTGRES_TRIGGER_UP.format(table=table), params=None)
    elif vendor == "sqlite":
        for table in TABLES:
            for statement in SQLITE_UP:
                schema_editor.execute(statement.format(table=table))


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(POSTGRES_TRIGGER_DOWN.format(table=table), params=None)
        schema_editor.execute(POSTGRES_FUNCTION_DOWN, params=None)
    elif vendor == "sqlite":
        for table in TABLES:
            for statement in SQLITE_DOWN:
                schema_editor.execute(statement.format(table=table))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_responsibility_cases")]

    operations = [migrations.RunPython(forwards, backwards)]
