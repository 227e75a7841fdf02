"""Indexes for the dashboard's KPIs at national scale (PostgreSQL only; a no-op elsewhere).

The figures read the cases' tables by scope and period: "cases of these kommuner submitted (or agreed) in
these 365 days", "has this case ever been disputed / escalated to level L", "unclear tasks of these
cases", "another discharge case of the same patient within 30 days". With a million cases and 6.6
million timeline events each of those was a sequential scan (bench/README.md has the plans). The indexes
below turn them into index-only range scans and small partial-index probes. They live here, not in
``cases``, because only the figures need them; the rows they cover are few (partial indexes) except the
scope indexes, which carry the columns the KPIs read (``INCLUDE``) so no heap page is visited.

Database-only, like ``patients`` 0002: not in any model's state, so SQLite (``bin/demo``) never sees them.
"""

from django.db import migrations

INDEXES = {
    # Cases of a kommun (or, through its kommuner, a region): with the columns the KPIs read and the id
    # they join on, so that scope + period is an index-only range scan instead of one heap page per case
    # (a kommun's cases are spread over the whole table).
    "figures_case_kommun": (
        "cases_responsibilitycase (kommun_id, submitted_at) "
        "INCLUDE (id, patient_id, vardcentral_id, agreed_at, trigger, status, due_at)"
    ),
    "figures_case_vardcentral": (
        "cases_responsibilitycase (vardcentral_id, submitted_at) "
        "INCLUDE (id, patient_id, kommun_id, agreed_at, trigger, status, due_at)"
    ),
    "figures_case_kommun_agreed": (
        "cases_responsibilitycase (kommun_id, agreed_at) INCLUDE (id, patient_id, submitted_at) "
        "WHERE agreed_at IS NOT NULL"
    ),
    "figures_case_vardcentral_agreed": (
        "cases_responsibilitycase (vardcentral_id, agreed_at) INCLUDE (id, patient_id, submitted_at) "
        "WHERE agreed_at IS NOT NULL"
    ),
    # Readmission: the same patient's next discharge-triggered case.
    "figures_case_discharge_patient": (
        "cases_responsibilitycase (patient_id, submitted_at) WHERE trigger = 'discharge'"
    ),
    # Timeline facts the KPIs test per case: disputed, escalated (with the level), and what ends a stint.
    "figures_event_disputed": "cases_caseevent (case_id) WHERE to_status = 'disputed'",
    "figures_event_escalated": "cases_caseevent (case_id, id) INCLUDE (at, payload) WHERE kind = 'escalated'",
    "figures_event_stint_end": (
        "cases_caseevent (case_id, id) INCLUDE (at) WHERE kind IN ('escalated', 'decided', 'withdrawn')"
    ),
    # Unclear tasks per task type.
    "figures_task_unclear": (
        "cases_casetask (case_id) INCLUDE (task_type_id, review_state) WHERE proposal_status = 'unclear'"
    ),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON {definition}')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0001_figures_report"),
        ("cases", "0002_history_append_only"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
