"""A risk analysis that needs no approval: signed, the kommun's MAS informed, shown on the timeline.

New choices only (an analysis status, a timeline event kind and a notification kind); the columns are
unchanged and every stored row stays valid.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_history_append_only"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Case opened"),
                    ("updated", "Draft changed"),
                    ("transition", "Status changed"),
                    ("accepted", "Tasks accepted"),
                    ("disputed", "Tasks disputed"),
                    ("position", "Position stated"),
                    ("escalated", "Escalated"),
                    ("decided", "Decided"),
                    ("analysis_created", "Risk analysis written"),
                    ("analysis_signed", "Risk analysis signed"),
                    ("analysis_approved", "Risk analysis approved"),
                    ("analysis_rejected", "Risk analysis rejected"),
                    ("mas_informed", "MAS informed"),
                    ("withdrawn", "Withdrawn"),
                    ("comment", "Comment"),
                    ("reminder", "Deadline passed: reminder sent"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("deadline_passed", "Deadline passed"),
                    ("mas_informed", "MAS informed of a risk analysis"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="riskanalysis",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("signed", "Signed"),
                    ("approved", "Approved"),
                    ("mas_informed", "Signed, MAS informed (no approval needed)"),
                    ("rejected", "Rejected"),
                    ("superseded", "Superseded"),
                ],
                default="draft",
                max_length=16,
                verbose_name="status",
            ),
        ),
    ]
