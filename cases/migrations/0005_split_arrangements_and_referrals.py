"""A task's split records the law's exception to a hard rule (the kommun engaging a physician at the
region's expense), with a note, and a position may propose it; the kommun's nurses are notified of a
case the vårdcentral opens before enrolment.

Adding columns rewrites no row, so the append-only trigger on positions (UPDATE/DELETE refused) is not
touched.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_caseevent_api_client'),
    ]

    operations = [
        migrations.AddField(
            model_name='casetask',
            name='arrangement',
            field=models.CharField(blank=True, choices=[('', 'No arrangement'), ('kommun_engages_physician', "The kommun engages a physician at the region's expense")], max_length=32, verbose_name='arrangement'),
        ),
        migrations.AddField(
            model_name='casetask',
            name='arrangement_note',
            field=models.TextField(blank=True, verbose_name='arrangement: note'),
        ),
        migrations.AddField(
            model_name='position',
            name='proposed_arrangement',
            field=models.CharField(blank=True, choices=[('', 'No arrangement'), ('kommun_engages_physician', "The kommun engages a physician at the region's expense")], max_length=32, verbose_name='arrangement proposed'),
        ),
        migrations.AddField(
            model_name='position',
            name='proposed_arrangement_note',
            field=models.TextField(blank=True, verbose_name='arrangement proposed: note'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('deadline_passed', 'Deadline passed'), ('mas_informed', 'MAS informed of a risk analysis'), ('case_referred', 'A case opened by the vårdcentral before enrolment')], max_length=32, verbose_name='kind'),
        ),
    ]
