"""Case events name the API client through which a person acted (``X-On-Behalf-Of``).

Adding a column rewrites no row, so the append-only trigger (UPDATE/DELETE refused) is not touched.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_risk_analysis_mas_informed'),
    ]

    operations = [
        migrations.AddField(
            model_name='caseevent',
            name='api_client',
            field=models.CharField(blank=True, help_text='The integration through which the person acted, if not in the browser or by own token.', max_length=200, verbose_name='via API client'),
        ),
    ]
