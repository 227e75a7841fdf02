"""Every agreement row that the API reads and writes gets a revision, the ETag's marker (as cases and
SIPs have): the services raise it with each write and check, under the row's lock, the revision the
caller read. Existing rows start at 1; no data changes."""

from django.db import migrations, models


def _revision() -> models.PositiveIntegerField:
    return models.PositiveIntegerField(default=1, editable=False, verbose_name="revision")


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0002_rule_approver_informed"),
    ]

    operations = [
        migrations.AddField(model_name="agreement", name="revision", field=_revision()),
        migrations.AddField(model_name="agreementversion", name="revision", field=_revision()),
        migrations.AddField(model_name="caretasktype", name="revision", field=_revision()),
        migrations.AddField(model_name="responsibilityrule", name="revision", field=_revision()),
        migrations.AddField(model_name="section", name="revision", field=_revision()),
    ]
