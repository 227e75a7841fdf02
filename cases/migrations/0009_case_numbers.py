"""Human case numbers: the counter, and the number on every case (HSV-2026-000123).

Three steps, each in its own transaction on PostgreSQL: the column is added empty, the existing cases
are numbered in the order they were opened, and only then is the column required and unique, with new
cases numbered by ``cases.numbering.next_case_number``.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_recommendation_notification"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseNumberCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=32, unique=True, verbose_name="name")),
                ("value", models.PositiveBigIntegerField(default=0, verbose_name="value")),
            ],
            options={
                "verbose_name": "case number counter",
                "verbose_name_plural": "case number counters",
            },
        ),
        migrations.AddField(
            model_name="responsibilitycase",
            name="number",
            field=models.CharField(editable=False, max_length=32, null=True, verbose_name="case number"),
        ),
    ]
