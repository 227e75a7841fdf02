"""The facts the rest of the dashboard is counted from: the cases' vårdöverskjutning flags, one row per
task of a submitted case and one per status move (``figures.facts``).

The snapshot taken before this migration lacks them, so it is forgotten: the figures are counted live
until the next refresh (at most a quarter of an hour, or ``manage.py refresh_figures`` at once).
"""

import django.db.models.deletion
from django.db import migrations, models


def forget_snapshot(apps, schema_editor):
    apps.get_model("figures", "FiguresSnapshot").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0001_initial'),
        ('figures', '0003_kpi_facts'),
    ]

    operations = [
        migrations.RunPython(forget_snapshot, migrations.RunPython.noop),
        migrations.AddField(
            model_name='casefact',
            name='competence_needed',
            field=models.BooleanField(default=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='casefact',
            name='increased_other_costs',
            field=models.BooleanField(default=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='casefact',
            name='increased_staff_time',
            field=models.BooleanField(default=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='casefact',
            name='patient_safety_risk',
            field=models.BooleanField(default=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='casefact',
            name='shift_planning',
            field=models.CharField(default='unknown', max_length=16),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='figuressnapshot',
            name='status_moves',
            field=models.PositiveIntegerField(default=0, verbose_name='status moves'),
        ),
        migrations.AddField(
            model_name='figuressnapshot',
            name='tasks',
            field=models.PositiveIntegerField(default=0, verbose_name='tasks'),
        ),
        migrations.CreateModel(
            name='StatusMoveFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('patient_id', models.BigIntegerField()),
                ('kommun_id', models.BigIntegerField()),
                ('vardcentral_id', models.BigIntegerField(null=True)),
                ('region_id', models.BigIntegerField(null=True)),
                ('event_id', models.BigIntegerField(unique=True)),
                ('case_id', models.BigIntegerField()),
                ('to_status', models.CharField(max_length=32)),
                ('at', models.DateTimeField()),
            ],
            options={
                'indexes': [models.Index(fields=['kommun_id', 'at'], include=('case_id', 'patient_id', 'to_status'), name='figures_mf_kommun_at'), models.Index(fields=['vardcentral_id', 'at'], include=('case_id', 'patient_id', 'to_status'), name='figures_mf_vc_at'), models.Index(fields=['region_id', 'at'], include=('case_id', 'patient_id', 'to_status'), name='figures_mf_region_at'), models.Index(fields=['at'], include=('case_id', 'patient_id', 'to_status'), name='figures_mf_at')],
            },
        ),
        migrations.CreateModel(
            name='TaskFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('patient_id', models.BigIntegerField()),
                ('kommun_id', models.BigIntegerField()),
                ('vardcentral_id', models.BigIntegerField(null=True)),
                ('region_id', models.BigIntegerField(null=True)),
                ('case_id', models.BigIntegerField()),
                ('submitted_at', models.DateTimeField(null=True)),
                ('increased_staff_time', models.BooleanField()),
                ('increased_other_costs', models.BooleanField()),
                ('competence_needed', models.BooleanField()),
                ('patient_safety_risk', models.BooleanField()),
                ('shift_planning', models.CharField(max_length=16)),
                ('task_id', models.BigIntegerField(unique=True)),
                ('task_type', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agreements.caretasktype')),
            ],
            options={
                'indexes': [models.Index(fields=['kommun_id', 'submitted_at'], include=('case_id', 'patient_id', 'increased_staff_time', 'increased_other_costs', 'competence_needed', 'patient_safety_risk', 'shift_planning', 'task_type_id'), name='figures_tf_kommun_submitted'), models.Index(fields=['vardcentral_id', 'submitted_at'], include=('case_id', 'patient_id', 'increased_staff_time', 'increased_other_costs', 'competence_needed', 'patient_safety_risk', 'shift_planning', 'task_type_id'), name='figures_tf_vc_submitted'), models.Index(fields=['region_id', 'submitted_at'], include=('case_id', 'patient_id', 'increased_staff_time', 'increased_other_costs', 'competence_needed', 'patient_safety_risk', 'shift_planning', 'task_type_id'), name='figures_tf_region_submitted'), models.Index(fields=['submitted_at'], include=('case_id', 'patient_id', 'increased_staff_time', 'increased_other_costs', 'competence_needed', 'patient_safety_risk', 'shift_planning', 'task_type_id'), name='figures_tf_submitted')],
            },
        ),
    ]
