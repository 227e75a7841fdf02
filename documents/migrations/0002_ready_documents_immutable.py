"""A ready document never changes, and its PDF is never changed or deleted — in the database itself.

PostgreSQL triggers refuse an UPDATE of a ``documents_document`` row whose status is ``ready`` and any
UPDATE or DELETE of ``documents_documentcontent``; SQLite (the development default) gets the same.
"""

from django.db import migrations

POSTGRES_UP = [
    """
CREATE FUNCTION documents_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a ready document never changes: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""",
    """
CREATE TRIGGER documents_document_ready_no_update
    BEFORE UPDATE OR DELETE ON documents_document
    FOR EACH ROW WHEN (OLD.status = 'ready') EXECUTE FUNCTION documents_refuse_change();
""",
    """
CREATE TRIGGER documents_documentcontent_no_update_delete
    BEFORE UPDATE OR DELETE ON documents_documentcontent
    FOR EACH ROW EXECUTE FUNCTION documents_refuse_change();
""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER documents_documentcontent_no_update_delete ON documents_documentcontent;",
    "DROP TRIGGER documents_document_ready_no_update ON documents_document;",
    "DROP FUNCTION documents_refuse_change();",
]
SQLITE_UP = [
    """CREATE TRIGGER documents_document_ready_no_update BEFORE UPDATE ON documents_document
       WHEN OLD.status = 'ready'
       BEGIN SELECT RAISE(ABORT, 'a ready document never changes'); END;""",
    """CREATE TRIGGER documents_document_ready_no_delete BEFORE DELETE ON documents_document
       WHEN OLD.status = 'ready'
       BEGIN SELECT RAISE(ABORT, 'a ready document never changes'); END;""",
    """CREATE TRIGGER documents_documentcontent_no_update BEFORE UPDATE ON documents_documentcontent
       BEGIN SELECT RAISE(ABORT, 'a ready document never changes'); END;""",
    """CREATE TRIGGER documents_documentcontent_no_delete BEFORE DELETE ON documents_documentcontent
       BEGIN SELECT RAISE(ABORT, 'a ready document never changes'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER documents_document_ready_no_update;",
    "DROP TRIGGER documents_document_ready_no_delete;",
    "DROP TRIGGER documents_documentcontent_no_update;",
    "DROP TRIGGER documents_documentcontent_no_delete;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
