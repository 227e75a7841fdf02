"""Every case opened before a legal basis was asked for gets the historic basis, clearly labelled, so
that the parties keep reading it as they did; a new case records its own basis."""

from django.db import migrations

HISTORIC_TEXT = "Registrerat före rättslig grund krävdes"


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "ResponsibilityCase")
    SharingBasis = apps.get_model("consent", "SharingBasis")
    without = Case.objects.exclude(pk__in=SharingBasis.objects.values("case_id")).values_list("pk", flat=True)
    SharingBasis.objects.bulk_create(
        [SharingBasis(case_id=pk, kind="historic", ground_text=HISTORIC_TEXT) for pk in without.iterator()],
        batch_size=2000,
    )


def backwards(apps, schema_editor):
    apps.get_model("consent", "SharingBasis").objects.filter(kind="historic").delete()


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_legal_basis_objections_sparrar")]

    operations = [migrations.RunPython(forwards, backwards)]
