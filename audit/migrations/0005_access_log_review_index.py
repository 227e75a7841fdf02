"""Replace the plain ``at`` index of the access log by one that covers the review.

The review of a kommun's log counts and classifies every entry of a period (up to 92 days: 1.8 M rows at
national scale) by its organisation, patient and user, and the unusual-volume flag groups the reads by
user, role and day. With a plain index on ``at`` each of those entries was read from the table (random
heap pages, 3–4 s for a quarter); with those columns in the index the period is an index-only scan.

The old index is dropped only after the new one exists, both without blocking writes (the log is written
on every read of patient data). ``at`` only grows, so each insert touches the rightmost leaf page of
this index as it did of the old one: the write path keeps the same number of index pages. Sizes and
plans: audit/README.md, "The review at national scale".
"""

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

OLD_AT_INDEX = "audit_accesslogentry_at_94f1fe6b"
OLD_AT_INDEX_ON = 'ON "audit_accesslogentry" ("at")'


def _postgresql(schema_editor: Any) -> bool:
    return bool(schema_editor.connection.vendor == "postgresql")


class AddIndexWithoutBlocking(AddIndexConcurrently):
    """CONCURRENTLY on PostgreSQL; a plain index elsewhere (the demo's SQLite, which has no writers to
    block and ignores the included columns)."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class PostgreSQLOnly(migrations.RunSQL):
    """Storage settings that only PostgreSQL has."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class DropOldIndex(migrations.RunSQL):
    """DROP INDEX CONCURRENTLY on PostgreSQL, a plain DROP INDEX elsewhere."""

    def __init__(self) -> None:
        super().__init__(
            sql=f'DROP INDEX CONCURRENTLY IF EXISTS "{OLD_AT_INDEX}"',
            reverse_sql=f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{OLD_AT_INDEX}" {OLD_AT_INDEX_ON}',
        )

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _postgresql(schema_editor):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{OLD_AT_INDEX}"')

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if _postgresql(schema_editor):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{OLD_AT_INDEX}" ON "audit_accesslogentry" ("at")'
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("audit", "0004_access_log_lean_indexes")]

    operations = [
        AddIndexWithoutBlocking(
            model_name="accesslogentry",
            index=models.Index(
                fields=["at"],
                include=["organisation", "patient", "user", "action", "role"],
                name="audit_log_at_review_idx",
            ),
        ),
        # An index-only scan reads the table for every page the visibility map does not mark
        # all-visible, and by default an insert-only table is vacuumed only after 20 % of its size in
        # new rows (4 M at national scale: months) — exactly the recent entries a review looks at.
        # Vacuuming after every 20,000 new rows keeps the map current; such a vacuum visits only the
        # pages written since the last one.
        PostgreSQLOnly(
            sql="ALTER TABLE audit_accesslogentry SET (autovacuum_vacuum_insert_threshold = 20000, "
            "autovacuum_vacuum_insert_scale_factor = 0)",
            reverse_sql="ALTER TABLE audit_accesslogentry RESET (autovacuum_vacuum_insert_threshold, "
            "autovacuum_vacuum_insert_scale_factor)",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accesslogentry",
                    name="at",
                    field=models.DateTimeField(auto_now_add=True, verbose_name="time"),
                ),
            ],
            database_operations=[DropOldIndex()],
        ),
    ]
