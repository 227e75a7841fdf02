"""Settings the law leaves to the agreement, and the law's hard rules as dated data.

* Agreement versions get tröskelprincipen as a setting (on by default: what every version applied
  before, less the part that overrode the specialist's prescription), who takes the kommun's part of a
  specialised task under it, whether the vårdcentral may open a case before enrolment, and the dates
  and words of prop. 2025/26:19 (MAR required; "hälso- och sjukvård i hemmet").
* ``HardRule`` records when "physician care is never the kommun's" is in force: from the day HSL
  (2017:30) came into force, open-ended, with the kommun's fallback of engaging a physician at the
  region's expense. Going back, the row is removed; the check then holds the law as it stands.
"""

import datetime
import uuid
from django.db import migrations, models


PHYSICIAN_RULE = {
    "code": "physician_care_not_kommun",
    "citation": "HSL 12 kap. 3 §",
    "statement": (
        "Kommunens ansvar för hälso- och sjukvård omfattar inte sådan hälso- och sjukvård som meddelas "
        "av läkare (HSL 12 kap. 3 §, 14 kap. 1 §)."
    ),
    "fallback_citation": "HSL 16 kap. 1 §",
    "valid_from": datetime.date(2017, 4, 1),
}


def record_physician_rule(apps, schema_editor):
    HardRule = apps.get_model("agreements", "HardRule")
    if not HardRule.objects.filter(code=PHYSICIAN_RULE["code"]).exists():
        HardRule.objects.create(**PHYSICIAN_RULE)


def remove_physician_rule(apps, schema_editor):
    HardRule = apps.get_model("agreements", "HardRule")
    HardRule.objects.filter(code=PHYSICIAN_RULE["code"], valid_from=PHYSICIAN_RULE["valid_from"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0003_revisions'),
    ]

    operations = [
        migrations.AddField(
            model_name='agreementversion',
            name='cases_before_enrolment',
            field=models.BooleanField(default=False, help_text="Whether the patient's listed vårdcentral may open a case for a patient not (yet) enrolled, for the kommun's nurses to complete: the planning before a decision on enrolment.", verbose_name='cases before enrolment'),
        ),
        migrations.AddField(
            model_name='agreementversion',
            name='home_care_term',
            field=models.CharField(blank=True, help_text='The term the law uses from the date below, e.g. “hälso- och sjukvård i hemmet”. Leave empty to keep “hemsjukvård”.', max_length=100, verbose_name='term for home health care'),
        ),
        migrations.AddField(
            model_name='agreementversion',
            name='home_care_term_from',
            field=models.DateField(blank=True, null=True, verbose_name='term used from'),
        ),
        migrations.AddField(
            model_name='agreementversion',
            name='mar_required_citation',
            field=models.CharField(blank=True, help_text='The source of the requirement, e.g. prop. 2025/26:19.', max_length=200, verbose_name='MAR required by'),
        ),
        migrations.AddField(
            model_name='agreementversion',
            name='mar_required_from',
            field=models.DateField(blank=True, help_text='From this date every kommun party must have a MAR; a vacant post is shown as a compliance warning. Leave empty where the agreement does not require one.', null=True, verbose_name='MAR required from'),
        ),
        migrations.AddField(
            model_name='agreementversion',
            name='threshold_principle',
            field=models.BooleanField(default=True, help_text="For a patient in an ordinary home without an enrolment, the kommun's part of each task goes to the region; who orders and follows up stays as the rule says (HSL 12 kap. 2 §, 14 kap. 1 § leave this to the agreement).", verbose_name='apply tröskelprincipen'),
        ),
        migrations.AddField(
            model_name='agreementversion',
            name='threshold_specialised_performer',
            field=models.CharField(choices=[('listed_vardcentral', "The patient's listed vårdcentral"), ('ordering_party', "The unit that orders the task (the specialist's unit)")], default='listed_vardcentral', help_text="Who takes the kommun's part of a specialised task for a patient who is not enrolled. The kommun's part of a primary-care task always goes to the listed vårdcentral.", max_length=32, verbose_name='under tröskelprincipen, a specialised task is performed by'),
        ),
        migrations.CreateModel(
            name='HardRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public id')),
                ('code', models.CharField(choices=[('physician_care_not_kommun', "Physician care is never the kommun's")], max_length=64, verbose_name='rule')),
                ('citation', models.CharField(help_text='Where the law says it, e.g. HSL 12 kap. 3 §.', max_length=200, verbose_name='citation')),
                ('statement', models.TextField(blank=True, help_text='E.g. Kommunens ansvar omfattar inte hälso- och sjukvård som meddelas av läkare.', verbose_name='what the law says')),
                ('fallback_citation', models.CharField(blank=True, help_text="Where the law provides an exception a case may record, e.g. HSL 16 kap. 1 § (the kommun engages a physician at the region's expense). Empty: no exception.", max_length=200, verbose_name='fallback in the law')),
                ('valid_from', models.DateField(verbose_name='in force from')),
                ('valid_to', models.DateField(blank=True, null=True, verbose_name='in force to')),
            ],
            options={
                'verbose_name': 'hard rule of the law',
                'verbose_name_plural': 'hard rules of the law',
                'ordering': ['code', 'valid_from'],
                'constraints': [models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='hard_rule_valid_to_after_from'), models.UniqueConstraint(fields=('code', 'valid_from'), name='hard_rule_one_start_per_day')],
            },
        ),
        migrations.RunPython(record_physician_rule, remove_physician_rule),
    ]
