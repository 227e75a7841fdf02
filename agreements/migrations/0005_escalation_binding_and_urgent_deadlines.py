"""Each escalation level says whether its decision binds or recommends; urgent cases get shorter deadlines."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("agreements", "0004_law_settings_and_dated_hard_rules")]

    operations = [
        migrations.AddField(
            model_name="agreementversion",
            name="urgent_review_deadline_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="review deadline, urgent cases (days)"
            ),
        ),
        migrations.AddField(
            model_name="agreementversion",
            name="urgent_approval_deadline_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="approval deadline, urgent cases (days)"
            ),
        ),
        migrations.AddField(
            model_name="escalationlevel",
            name="urgent_deadline_days",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="deadline, urgent cases (days)"
            ),
        ),
        migrations.AddField(
            model_name="escalationlevel",
            name="binding",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "Whether the body's decision binds the parties; otherwise it is a recommendation that "
                    "takes effect when both parties accept it."
                ),
                verbose_name="decision binds",
            ),
        ),
    ]
