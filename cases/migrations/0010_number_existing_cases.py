"""Gives every existing case its number, in the order the cases were opened (see 0009)."""

from django.db import migrations

import cases.numbering


def number_existing_cases(apps, schema_editor):
    from django.conf import settings
    from django.utils import timezone

    case_model = apps.get_model("cases", "ResponsibilityCase")
    counter_model = apps.get_model("cases", "CaseNumberCounter")
    db = schema_editor.connection.alias
    counter, _ = counter_model.objects.using(db).get_or_create(name=cases.numbering.COUNTER)
    unnumbered = case_model.objects.using(db).filter(number__isnull=True).order_by("created_at", "pk")
    for case in unnumbered.only("pk", "created_at").iterator(chunk_size=500):
        counter.value += 1
        year = timezone.localtime(case.created_at).year
        number = cases.numbering.format_case_number(counter.value, year, settings.CASE_NUMBER_PREFIX)
        case_model.objects.using(db).filter(pk=case.pk).update(number=number)
    counter.save(update_fields=["value"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_case_numbers"),
    ]

    operations = [
        migrations.RunPython(number_existing_cases, migrations.RunPython.noop),
    ]
