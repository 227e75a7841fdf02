"""Idempotency records keep only the answered record's id: no stored answer holds personal data."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import migrations, models


def keep_only_the_id(apps: Any, schema_editor: Any) -> None:
    Record = apps.get_model("hemsjukvard", "IdempotencyRecord")
    for record in Record.objects.exclude(response_body=None).iterator():
        body = record.response_body
        try:
            record.answered_id = uuid.UUID(str(body.get("id"))) if isinstance(body, dict) else None
        except ValueError:
            record.answered_id = None
        record.save(update_fields=["answered_id"])


class Migration(migrations.Migration):
    dependencies = [("hemsjukvard", "0002_task_outbox")]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="answered_id",
            field=models.UUIDField(blank=True, null=True, verbose_name="answered record"),
        ),
        migrations.RunPython(keep_only_the_id, migrations.RunPython.noop),
        migrations.RemoveField(model_name="idempotencyrecord", name="response_body"),
    ]
