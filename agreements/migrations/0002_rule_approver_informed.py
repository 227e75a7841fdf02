"""A rule may say that nobody approves its risk analysis and the kommun's MAS is informed instead.

Only the field's choices and help text change (``approver: informed`` in the agreement file); no
column changes, and every stored value stays valid.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="responsibilityrule",
            name="approver_role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("mas", "MAS (medically responsible nurse)"),
                    ("mar", "MAR (medically responsible for rehabilitation)"),
                    ("informed", "Nobody approves – the kommun's MAS is informed"),
                ],
                help_text=(
                    "Leave empty to follow the task's kind (MAR for rehabilitation, else MAS). Choose "
                    "“nobody approves” where the region performs the care and the kommun's MAS is only "
                    "informed."
                ),
                max_length=8,
                verbose_name="risk analysis approved by",
            ),
        ),
    ]
