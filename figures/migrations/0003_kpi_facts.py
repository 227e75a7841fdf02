"""The fact tables the key figures are counted from, and the time of their last refresh.

Filled and kept up to date by ``figures.facts.facts_refresh`` (a beat task every 15 minutes); empty
until the first refresh, and the figures are counted live until then.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0001_initial'),
        ('figures', '0002_figures_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('case_id', models.BigIntegerField(unique=True)),
                ('patient_id', models.BigIntegerField()),
                ('kommun_id', models.BigIntegerField()),
                ('vardcentral_id', models.BigIntegerField(null=True)),
                ('region_id', models.BigIntegerField(null=True)),
                ('status', models.CharField(max_length=32)),
                ('trigger', models.CharField(max_length=32)),
                ('due_at', models.DateTimeField(null=True)),
                ('submitted_at', models.DateTimeField(null=True)),
                ('agreed_at', models.DateTimeField(null=True)),
                ('disputed', models.BooleanField()),
                ('escalated_to', models.PositiveSmallIntegerField(null=True)),
                ('readmitted', models.BooleanField()),
            ],
            options={
                'indexes': [models.Index(fields=['kommun_id', 'submitted_at'], name='figures_cf_kommun_submitted'), models.Index(fields=['vardcentral_id', 'submitted_at'], name='figures_cf_vc_submitted'), models.Index(fields=['region_id', 'submitted_at'], name='figures_cf_region_submitted'), models.Index(fields=['submitted_at'], name='figures_cf_submitted'), models.Index(fields=['kommun_id', 'agreed_at'], name='figures_cf_kommun_agreed'), models.Index(fields=['vardcentral_id', 'agreed_at'], name='figures_cf_vc_agreed'), models.Index(fields=['region_id', 'agreed_at'], name='figures_cf_region_agreed'), models.Index(fields=['agreed_at'], name='figures_cf_agreed')],
            },
        ),
        migrations.CreateModel(
            name='FiguresSnapshot',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('as_of', models.DateTimeField(verbose_name='figures as of')),
                ('refresh_seconds', models.FloatField(verbose_name='refresh took (s)')),
                ('cases', models.PositiveIntegerField(verbose_name='cases')),
                ('stints', models.PositiveIntegerField(verbose_name='escalation stints')),
                ('unclear_tasks', models.PositiveIntegerField(verbose_name='unclear tasks')),
                ('rows_written', models.PositiveIntegerField(verbose_name='rows written by the last refresh')),
            ],
            options={
                'verbose_name': 'figures snapshot',
                'verbose_name_plural': 'figures snapshots',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='figures_snapshot_single_row')],
            },
        ),
        migrations.CreateModel(
            name='StintFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.BigIntegerField(unique=True)),
                ('patient_id', models.BigIntegerField()),
                ('kommun_id', models.BigIntegerField()),
                ('vardcentral_id', models.BigIntegerField(null=True)),
                ('region_id', models.BigIntegerField(null=True)),
                ('level', models.PositiveSmallIntegerField(null=True)),
                ('started_at', models.DateTimeField()),
                ('ended_at', models.DateTimeField(null=True)),
            ],
            options={
                'indexes': [models.Index(fields=['kommun_id', 'ended_at'], name='figures_sf_kommun_ended'), models.Index(fields=['vardcentral_id', 'ended_at'], name='figures_sf_vc_ended'), models.Index(fields=['region_id', 'ended_at'], name='figures_sf_region_ended'), models.Index(fields=['ended_at'], name='figures_sf_ended')],
            },
        ),
        migrations.CreateModel(
            name='UnclearTaskFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('task_id', models.BigIntegerField(unique=True)),
                ('patient_id', models.BigIntegerField()),
                ('kommun_id', models.BigIntegerField()),
                ('vardcentral_id', models.BigIntegerField(null=True)),
                ('region_id', models.BigIntegerField(null=True)),
                ('submitted_at', models.DateTimeField(null=True)),
                ('undecided', models.BooleanField()),
                ('task_type', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='agreements.caretasktype')),
            ],
            options={
                'indexes': [models.Index(fields=['kommun_id', 'submitted_at'], name='figures_uf_kommun_submitted'), models.Index(fields=['vardcentral_id', 'submitted_at'], name='figures_uf_vc_submitted'), models.Index(fields=['region_id', 'submitted_at'], name='figures_uf_region_submitted'), models.Index(fields=['submitted_at'], name='figures_uf_submitted')],
            },
        ),
    ]
