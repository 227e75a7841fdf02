"""Make the access log append-only in the database itself.

On PostgreSQL a trigger refuses UPDATE and DELETE row by row, so not even a mistaken
``QuerySet.update()`` or a shell session can rewrite history. TRUNCATE is left to privileges: it needs
table ownership, which the application's database role should not have in a hardened deployment
(deploy/README.md), and test isolation relies on it. SQLite (the embedded development default) gets equivalent triggers.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE FUNCTION audit_accesslogentry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_accesslogentry_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION audit_accesslogentry_refuse_change();
"""

POSTGRES_DOWN = """
DROP TRIGGER audit_accesslogentry_no_update_delete ON audit_accesslogentry;
DROP FUNCTION audit_accesslogentry_refuse_change();
"""

SQLITE_UP = [
    """CREATE TRIGGER audit_accesslogentry_no_update BEFORE UPDATE ON audit_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only: UPDATE is not allowed'); END;""",
    """CREATE TRIGGER audit_accesslogentry_no_delete BEFORE DELETE ON audit_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'the access log is append-only: DELETE is not allowed'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER audit_accesslogentry_no_update;",
    "DROP TRIGGER audit_accesslogentry_no_delete;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
