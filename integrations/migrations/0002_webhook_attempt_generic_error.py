"""Attempts recorded before webhooks kept to public receivers say how each failed ("Connection refused",
"timed out", "Name or service not known"): read back by the subscriber, a map of what listens where on
the installation's network. They now all say ``unreachable``, as every new attempt without an answer does
(``integrations.webhooks.UNREACHABLE``)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

UNREACHABLE = "unreachable"


def generic_errors(apps: Any, schema_editor: Any) -> None:
    attempt = apps.get_model("integrations", "WebhookAttempt")
    attempt.objects.exclude(error="").exclude(error=UNREACHABLE).update(error=UNREACHABLE)


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_initial")]

    operations = [migrations.RunPython(generic_errors, migrations.RunPython.noop, elidable=True)]
