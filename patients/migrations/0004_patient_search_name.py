"""The patient's name folded for search (``patients.search``), filled for the patients already there, and
the trigram index the search uses on PostgreSQL.

The search compares ``search_name LIKE '%word%'`` (Django's ``contains``), so one GIN ``gin_trgm_ops``
index on the bare column serves it. The two indexes on ``UPPER(given_name)`` and ``UPPER(family_name)``
(0002) served the ``icontains`` search this replaces and are dropped. Like 0002, the index is
database-only and PostgreSQL-only: SQLite (the demo) has neither pg_trgm nor GIN.
"""

import unicodedata

from django.db import migrations, models

_SPELLED_OUT = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})
BATCH = 2000


def _fold(text):
    # A copy of patients.search.fold as it is today: a migration must not change when the module does.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.translate(_SPELLED_OUT).split())


def fill_search_names(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    rows = Patient.objects.order_by("pk").only("pk", "given_name", "family_name")
    batch = []
    for patient in rows.iterator(chunk_size=BATCH):
        patient.search_name = _fold(f"{patient.given_name} {patient.family_name}")
        batch.append(patient)
        if len(batch) >= BATCH:
            Patient.objects.bulk_update(batch, ["search_name"])
            batch = []
    if batch:
        Patient.objects.bulk_update(batch, ["search_name"])


class SearchNameIndex(migrations.operations.base.Operation):
    """On PostgreSQL: the trigram index on ``search_name`` in place of 0002's two; nothing elsewhere."""

    reduces_to_sql = True
    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute('DROP INDEX IF EXISTS "patient_given_name_trgm"')
        schema_editor.execute('DROP INDEX IF EXISTS "patient_family_name_trgm"')
        schema_editor.execute(
            'CREATE INDEX "patient_search_name_trgm" ON "patients_patient" USING gin ("search_name" gin_trgm_ops)'
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute('DROP INDEX IF EXISTS "patient_search_name_trgm"')
        for name, column in (("patient_given_name_trgm", "given_name"), ("patient_family_name_trgm", "family_name")):
            schema_editor.execute(
                f'CREATE INDEX "{name}" ON "patients_patient" USING gin (UPPER("{column}") gin_trgm_ops)'
            )

    def describe(self):
        return "Trigram GIN index on search_name in place of those on UPPER(given_name), UPPER(family_name)"

    @property
    def migration_name_fragment(self):
        return "search_name_trigram_index"


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0003_protected_identity_change"),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="search_name",
            field=models.CharField(
                blank=True, db_default="", editable=False, max_length=201, verbose_name="name as searched"
            ),
        ),
        migrations.RunPython(fill_search_names, migrations.RunPython.noop),
        SearchNameIndex(),
    ]
