"""The administration's history: one append-only row per change of a user, membership, API token or client.

As for the access log (audit 0002), the database itself refuses UPDATE and DELETE of a row: on PostgreSQL
a trigger, on SQLite (the embedded development default) equivalent triggers. TRUNCATE is left to
privileges (deploy/README.md), and test isolation relies on it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


POSTGRES_UP = """
CREATE FUNCTION directory_adminevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'administration events are append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER directory_adminevent_no_update_delete
    BEFORE UPDATE OR DELETE ON directory_adminevent
    FOR EACH ROW EXECUTE FUNCTION directory_adminevent_refuse_change();
"""

POSTGRES_DOWN = """
DROP TRIGGER directory_adminevent_no_update_delete ON directory_adminevent;
DROP FUNCTION directory_adminevent_refuse_change();
"""

SQLITE_UP = [
    """CREATE TRIGGER directory_adminevent_no_update BEFORE UPDATE ON directory_adminevent
       BEGIN SELECT RAISE(ABORT, 'administration events are append-only: UPDATE is not allowed'); END;""",
    """CREATE TRIGGER directory_adminevent_no_delete BEFORE DELETE ON directory_adminevent
       BEGIN SELECT RAISE(ABORT, 'administration events are append-only: DELETE is not allowed'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER directory_adminevent_no_update;",
    "DROP TRIGGER directory_adminevent_no_delete;",
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

    dependencies = [
        ('directory', '0002_api_token_membership_and_password_marker'),
    ]

    operations = [
        migrations.CreateModel(
            name='AdminEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='time')),
                ('actor_label', models.CharField(max_length=200, verbose_name='changed by, as shown')),
                ('as_superuser', models.BooleanField(default=False, verbose_name='as superuser')),
                ('acting_membership', models.UUIDField(blank=True, null=True, verbose_name='administrator membership')),
                ('acting_organisation_label', models.CharField(blank=True, max_length=200, verbose_name='acting for, as shown')),
                ('action', models.CharField(choices=[('created', 'Created'), ('changed', 'Changed'), ('deleted', 'Deleted'), ('password_link_sent', 'Password link sent'), ('revoked', 'Revoked'), ('secret_rotated', 'Secret rotated')], max_length=32, verbose_name='action')),
                ('object_type', models.CharField(max_length=32, verbose_name='record type')),
                ('object_id', models.CharField(max_length=64, verbose_name='record id')),
                ('object_label', models.CharField(max_length=200, verbose_name='record, as shown')),
                ('changes', models.JSONField(blank=True, default=dict, verbose_name='changes')),
                ('client_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='client address')),
                ('acting_organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation', verbose_name='acting for organisation')),
                ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by')),
                ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation', verbose_name='organisation concerned')),
            ],
            options={
                'verbose_name': 'administration event',
                'verbose_name_plural': 'administration events',
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['object_type', 'object_id'], name='admin_event_object_idx')],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
