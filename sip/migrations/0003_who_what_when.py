"""The SIP says who, what and when: each insats's start, frequency and reporting, and whether it is
health care (HSL) or social services (SoL); the named contacts (huvudansvar's phone, fast vårdkontakt,
fast läkarkontakt); each participant's attendance, phone and e-mail; socialtjänst's biståndshandläggare;
and the record of who received the plan (append-only, like the plan's other history).

``present`` said "yes" for everyone unless a client sent otherwise: only a recorded "no" is carried over
(as attendance "no"); the rest become "not recorded". ``contact`` becomes ``phone``.
"""

import importlib

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


CARRY_OVER_ABSENCE = """
ALTER TABLE sip_sipparticipant DISABLE TRIGGER sip_sipparticipant_finalised_immutable;
UPDATE sip_sipparticipant SET attendance = 'no' WHERE present = false;
ALTER TABLE sip_sipparticipant ENABLE TRIGGER sip_sipparticipant_finalised_immutable;
"""
DISTRIBUTION_APPEND_ONLY = """
CREATE TRIGGER sip_sipdistribution_no_update_delete
    BEFORE UPDATE OR DELETE ON sip_sipdistribution
    FOR EACH ROW EXECUTE FUNCTION sip_history_refuse_change();
"""


_IMMUTABLE = importlib.import_module("sip.migrations.0002_finalised_versions_immutable")


def sqlite_triggers_off(apps, schema_editor):
    # SQLite rebuilds a table to add a column (new table, copy, drop, rename); a trigger of another table
    # that names it (the finalised-version checks of 0002) would break the rename. Off for the rebuild,
    # on again at the end of this migration; PostgreSQL alters tables in place and keeps its triggers.
    if schema_editor.connection.vendor == "sqlite":
        _IMMUTABLE.backwards(apps, schema_editor)


def sqlite_triggers_on(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _IMMUTABLE.forwards(apps, schema_editor)


def carry_over_absence(apps, schema_editor):
    # The triggers of 0002 keep finalised rows from changing; this is the same fact in a new column.
    # PostgreSQL only: SQLite (the embedded development default) keeps "not recorded".
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CARRY_OVER_ABSENCE)


def distribution_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DISTRIBUTION_APPEND_ONLY)
    elif schema_editor.connection.vendor == "sqlite":
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER sip_sipdistribution_no_{op.lower()} BEFORE {op} ON sip_sipdistribution "
                "BEGIN SELECT RAISE(ABORT, 'SIP history is append-only'); END;"
            )


def drop_distribution_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER sip_sipdistribution_no_update_delete ON sip_sipdistribution;")
    elif schema_editor.connection.vendor == "sqlite":
        for op in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER sip_sipdistribution_no_{op};")


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0005_bistandshandlaggare_role'),
        ('sip', '0002_finalised_versions_immutable'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(sqlite_triggers_off, sqlite_triggers_on),
        migrations.RenameField(model_name='sipparticipant', old_name='contact', new_name='phone'),
        migrations.AddField(
            model_name='sip',
            name='bistandshandlaggare',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='biståndshandläggare'),
        ),
        migrations.AddField(
            model_name='sipinsats',
            name='basis',
            field=models.CharField(choices=[('hsl', 'Health care (HSL)'), ('sol', 'Social services (SoL)')], default='hsl', max_length=8, verbose_name='given under'),
        ),
        migrations.AddField(
            model_name='sipinsats',
            name='frequency',
            field=models.CharField(blank=True, max_length=200, verbose_name='how often or for how long'),
        ),
        migrations.AddField(
            model_name='sipinsats',
            name='reported_by',
            field=models.CharField(blank=True, max_length=200, verbose_name='results reported by'),
        ),
        migrations.AddField(
            model_name='sipinsats',
            name='reported_to',
            field=models.CharField(blank=True, max_length=200, verbose_name='results reported to'),
        ),
        migrations.AddField(
            model_name='sipinsats',
            name='starts_on',
            field=models.DateField(blank=True, null=True, verbose_name='starts on'),
        ),
        migrations.AddField(
            model_name='sipparticipant',
            name='attendance',
            field=models.CharField(blank=True, choices=[('yes', 'Yes'), ('remote', 'Yes, by phone or video'), ('no', 'No')], help_text='Empty: not recorded.', max_length=8, verbose_name='attended'),
        ),
        migrations.RunPython(carry_over_absence, migrations.RunPython.noop),
        migrations.RemoveField(model_name='sipparticipant', name='present'),
        migrations.AddField(
            model_name='sipparticipant',
            name='email',
            field=models.EmailField(blank=True, max_length=254, verbose_name='e-mail'),
        ),
        migrations.AlterField(
            model_name='sipparticipant',
            name='phone',
            field=models.CharField(blank=True, max_length=200, verbose_name='phone'),
        ),
        migrations.AddField(
            model_name='sipversion',
            name='fast_lakarkontakt_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='fast läkarkontakt'),
        ),
        migrations.AddField(
            model_name='sipversion',
            name='fast_lakarkontakt_phone',
            field=models.CharField(blank=True, max_length=64, verbose_name="fast läkarkontakt's phone"),
        ),
        migrations.AddField(
            model_name='sipversion',
            name='fast_lakarkontakt_unit',
            field=models.CharField(blank=True, max_length=200, verbose_name="fast läkarkontakt's unit"),
        ),
        migrations.AddField(
            model_name='sipversion',
            name='fast_vardkontakt_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='fast vårdkontakt'),
        ),
        migrations.AddField(
            model_name='sipversion',
            name='fast_vardkontakt_phone',
            field=models.CharField(blank=True, max_length=64, verbose_name="fast vårdkontakt's phone"),
        ),
        migrations.AddField(
            model_name='sipversion',
            name='fast_vardkontakt_unit',
            field=models.CharField(blank=True, max_length=200, verbose_name="fast vårdkontakt's unit"),
        ),
        migrations.AddField(
            model_name='sipversion',
            name='huvudansvar_phone',
            field=models.CharField(blank=True, max_length=64, verbose_name='phone to the named person'),
        ),
        migrations.AlterField(
            model_name='sipevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Plan started'), ('draft_changed', 'Draft changed'), ('finalised', 'Version finalised'), ('new_version', 'New version started'), ('consent_withdrawn', 'Consent withdrawn'), ('followed_up', 'Followed up'), ('closed', 'Plan closed'), ('distributed', 'Plan handed out or sent')], max_length=32, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='sipevent',
            name='role',
            field=models.CharField(max_length=32, verbose_name='role'),
        ),
        migrations.CreateModel(
            name='SipDistribution',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                ('recipient_kind', models.CharField(choices=[('person', 'The person themself'), ('representative', "The person's representative"), ('participant', 'A participant')], max_length=16, verbose_name='received by')),
                ('recipient_name', models.CharField(max_length=200, verbose_name="recipient's name")),
                ('method', models.CharField(choices=[('by_hand', 'Handed over'), ('post', 'By post'), ('email', 'By e-mail'), ('1177', 'Through 1177')], max_length=16, verbose_name='how')),
                ('given_on', models.DateField(verbose_name='given or sent on')),
                ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='recorded at')),
                ('given_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='given or sent by')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.organisation', verbose_name='organisation')),
                ('sip', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='distributions', to='sip.sip', verbose_name='SIP')),
                ('version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='distributions', to='sip.sipversion', verbose_name='SIP version')),
            ],
            options={
                'verbose_name': 'SIP handed out',
                'verbose_name_plural': 'SIP handed out',
                'ordering': ['sip', 'given_on', 'pk'],
            },
        ),
        migrations.RunPython(distribution_append_only, drop_distribution_append_only),
        migrations.RunPython(sqlite_triggers_on, sqlite_triggers_off),
    ]
