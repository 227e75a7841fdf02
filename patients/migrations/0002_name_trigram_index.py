"""Trigram indexes for the patient search by name (PostgreSQL only; a no-op elsewhere).

``patients.selectors.patient_list`` searches names with ``icontains``, which Django writes on PostgreSQL
as ``UPPER("given_name"::text) LIKE UPPER('%word%')``. A ``LIKE '%…%'`` can only use an index through
pg_trgm, and only an index on the very expression the query uses: so the indexes are on
``UPPER(given_name)`` and ``UPPER(family_name)`` with ``gin_trgm_ops``, not on the bare columns (a GIN
index on the bare column is not used for that query; see bench/README.md for the plans).

The indexes are database-only (not in the model state): SQLite, which ``bin/demo`` runs on, has neither
pg_trgm nor GIN, and the model's ``Meta.indexes`` must stay valid there.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# (index, column). Written as SQL: GinIndex(OpClass(Upper(...))) renders as "((UPPER(col) gin_trgm_ops))",
# which PostgreSQL refuses; this is exactly what GinIndex(opclasses=["gin_trgm_ops"]) would make, on
# the expression instead of the bare column.
INDEXES = (
    ("patient_given_name_trgm", "given_name"),
    ("patient_family_name_trgm", "family_name"),
)


class PostgresOnlyIndexes(migrations.operations.base.Operation):
    """Add ``INDEXES`` to the patient table on PostgreSQL; nothing on other databases or in the state."""

    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, column in INDEXES:
            schema_editor.execute(
                f'CREATE INDEX "{name}" ON "patients_patient" USING gin (UPPER("{column}") gin_trgm_ops)'
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, _column in INDEXES:
            schema_editor.execute(f'DROP INDEX "{name}"')

    def describe(self):
        return "Trigram GIN indexes on UPPER(given_name) and UPPER(family_name) (PostgreSQL only)"

    @property
    def migration_name_fragment(self):
        return "name_trigram_index"


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0001_initial"),
    ]

    operations = [
        # CreateExtension does nothing on databases other than PostgreSQL by itself.
        TrigramExtension(),
        PostgresOnlyIndexes(),
    ]
