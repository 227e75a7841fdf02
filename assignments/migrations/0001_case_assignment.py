"""Case hand-overs: one append-only row each. As for the administration's history (directory 0003), the
database itself refuses UPDATE and DELETE of a row: on PostgreSQL a trigger, on SQLite equivalent triggers.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


POSTGRES_UP = """
CREATE FUNCTION assignments_caseassignment_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case hand-overs are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assignments_caseassignment_no_update_delete
    BEFORE UPDATE OR DELETE ON assignments_caseassignment
    FOR EACH ROW EXECUTE FUNCTION assignments_caseassignment_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER assignments_caseassignment_no_update_delete ON assignments_caseassignment;
DROP FUNCTION assignments_caseassignment_refuse_change();
"""
SQLITE_UP = [
    """CREATE TRIGGER assignments_caseassignment_no_update BEFORE UPDATE ON assignments_caseassignment
       BEGIN SELECT RAISE(ABORT, 'case hand-overs are append-only: UPDATE is not allowed'); END;""",
    """CREATE TRIGGER assignments_caseassignment_no_delete BEFORE DELETE ON assignments_caseassignment
       BEGIN SELECT RAISE(ABORT, 'case hand-overs are append-only: DELETE is not allowed'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER assignments_caseassignment_no_update;",
    "DROP TRIGGER assignments_caseassignment_no_delete;",
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

    initial = True

    dependencies = [
        ('cases', '0013_handed_over_kinds'),
        ('directory', '0005_team'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                ('assigned_by_role', models.CharField(blank=True, max_length=16, verbose_name='role')),
                ('api_client', models.CharField(blank=True, max_length=200, verbose_name='via API client')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='time')),
                ('note', models.TextField(blank=True, max_length=500, verbose_name='note')),
                ('assigned_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='handed over by')),
                ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='case_assignments', to=settings.AUTH_USER_MODEL, verbose_name='handler')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='cases.responsibilitycase', verbose_name='case')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation', verbose_name='organisation')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='case_assignments', to='directory.team', verbose_name='team')),
            ],
            options={
                'verbose_name': 'case hand-over',
                'verbose_name_plural': 'case hand-overs',
                'ordering': ['pk'],
                'indexes': [models.Index(fields=['case', 'organisation', 'id'], name='case_assignment_current_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('assignee__isnull', True), ('team__isnull', True), _connector='OR'), name='case_assignment_person_or_team')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
