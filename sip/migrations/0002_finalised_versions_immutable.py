"""Make finalised SIP versions and the plan's history immutable in the database itself.

A finalised ``SipVersion`` row, and every insats, measure, participant and contact path of it, can no
longer be updated, deleted or added to: the triggers below refuse it row by row, so not even a mistaken
``QuerySet.update()`` or a shell session can change a plan that was handed to the person. Drafts stay
free to change. Consent withdrawals, follow-ups and events are append-only. SQLite (the embedded
development default) gets equivalent triggers.
"""

from django.db import migrations

CHILD_TABLES = ["sip_sipinsats", "sip_sipothermeasure", "sip_sipparticipant", "sip_sipcontactpath"]
APPEND_ONLY_TABLES = ["sip_sipevent", "sip_consentwithdrawal", "sip_sipfollowup"]

POSTGRES_UP = """
CREATE FUNCTION sip_version_refuse_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'finalised' THEN
        RAISE EXCEPTION 'a finalised SIP version is immutable: % is not allowed', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER sip_sipversion_finalised_immutable
    BEFORE UPDATE OR DELETE ON sip_sipversion
    FOR EACH ROW EXECUTE FUNCTION sip_version_refuse_change();

CREATE FUNCTION sip_version_row_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
        SELECT 1 FROM sip_sipversion WHERE id = OLD.version_id AND status = 'finalised'
    ) THEN
        RAISE EXCEPTION 'a finalised SIP version is immutable: % on % is not allowed', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
        SELECT 1 FROM sip_sipversion WHERE id = NEW.version_id AND status = 'finalised'
    ) THEN
        RAISE EXCEPTION 'a finalised SIP version is immutable: % on % is not allowed', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION sip_history_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'SIP history is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
POSTGRES_CHILD_UP = """
CREATE TRIGGER {table}_finalised_immutable
    BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION sip_version_row_refuse_change();
"""
POSTGRES_APPEND_ONLY_UP = """
CREATE TRIGGER {table}_no_update_delete
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION sip_history_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER sip_sipversion_finalised_immutable ON sip_sipversion;
DROP FUNCTION sip_version_refuse_change();
"""
POSTGRES_CHILD_DOWN = "DROP TRIGGER {table}_finalised_immutable ON {table};"
POSTGRES_APPEND_ONLY_DOWN = "DROP TRIGGER {table}_no_update_delete ON {table};"
POSTGRES_FUNCTIONS_DOWN = """
DROP FUNCTION sip_version_row_refuse_change();
DROP FUNCTION sip_history_refuse_change();
"""

_FINALISED = "(SELECT status FROM sip_sipversion WHERE id = {row}.version_id) = 'finalised'"
SQLITE_UP = [
    """CREATE TRIGGER sip_sipversion_no_update BEFORE UPDATE ON sip_sipversion
       WHEN OLD.status = 'finalised'
       BEGIN SELECT RAISE(ABORT, 'a finalised SIP version is immutable: UPDATE is not allowed'); END;""",
    """CREATE TRIGGER sip_sipversion_no_delete BEFORE DELETE ON sip_sipversion
       WHEN OLD.status = 'finalised'
       BEGIN SELECT RAISE(ABORT, 'a finalised SIP version is immutable: DELETE is not allowed'); END;""",
]
SQLITE_CHILD_UP = [
    "CREATE TRIGGER {table}_no_insert BEFORE INSERT ON {table} WHEN "
    + _FINALISED.format(row="NEW")
    + " BEGIN SELECT RAISE(ABORT, 'a finalised SIP version is immutable: INSERT is not allowed'); END;",
    "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} WHEN "
    + _FINALISED.format(row="OLD")
    + " OR "
    + _FINALISED.format(row="NEW")
    + " BEGIN SELECT RAISE(ABORT, 'a finalised SIP version is immutable: UPDATE is not allowed'); END;",
    "CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} WHEN "
    + _FINALISED.format(row="OLD")
    + " BEGIN SELECT RAISE(ABORT, 'a finalised SIP version is immutable: DELETE is not allowed'); END;",
]
SQLITE_APPEND_ONLY_UP = [
    """CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
       BEGIN SELECT RAISE(ABORT, 'SIP history is append-only: UPDATE is not allowed'); END;""",
    """CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, 'SIP history is append-only: DELETE is not allowed'); END;""",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
        for table in CHILD_TABLES:
            schema_editor.execute(POSTGRES_CHILD_UP.format(table=table), params=None)
        for table in APPEND_ONLY_TABLES:
            schema_editor.execute(POSTGRES_APPEND_ONLY_UP.format(table=table), params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)
        for table in CHILD_TABLES:
            for statement in SQLITE_CHILD_UP:
                schema_editor.execute(statement.format(table=table))
        for table in APPEND_ONLY_TABLES:
            for statement in SQLITE_APPEND_ONLY_UP:
                schema_editor.execute(statement.format(table=table))


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in CHILD_TABLES:
            schema_editor.execute(POSTGRES_CHILD_DOWN.format(table=table), params=None)
        for table in APPEND_ONLY_TABLES:
            schema_editor.execute(POSTGRES_APPEND_ONLY_DOWN.format(table=table), params=None)
        schema_editor.execute(POSTGRES_DOWN, params=None)
        schema_editor.execute(POSTGRES_FUNCTIONS_DOWN, params=None)
    elif vendor == "sqlite":
        for name in ("sip_sipversion_no_update", "sip_sipversion_no_delete"):
            schema_editor.execute(f"DROP TRIGGER {name};")
        for table in CHILD_TABLES:
            for suffix in ("no_insert", "no_update", "no_delete"):
                schema_editor.execute(f"DROP TRIGGER {table}_{suffix};")
        for table in APPEND_ONLY_TABLES:
            for suffix in ("no_update", "no_delete"):
                schema_editor.execute(f"DROP TRIGGER {table}_{suffix};")


class Migration(migrations.Migration):
    dependencies = [("sip", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
