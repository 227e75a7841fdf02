"""Every case has its number from now on: required, unique, and taken from the counter when opened."""

from django.db import migrations, models

import cases.numbering


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_number_existing_cases"),
    ]

    operations = [
        # Required and unique first, without the default: a default here would be taken once from the
        # counter to fill empty rows (there are none after 0010) and leave a gap in the sequence.
        migrations.AlterField(
            model_name="responsibilitycase",
            name="number",
            field=models.CharField(editable=False, max_length=32, unique=True, verbose_name="case number"),
        ),
        migrations.AlterField(
            model_name="responsibilitycase",
            name="number",
            field=models.CharField(
                default=cases.numbering.next_case_number,
                editable=False,
                max_length=32,
                unique=True,
                verbose_name="case number",
            ),
        ),
    ]
