"""``manage.py relay_outbox``: publish the pending rows of the task outbox now (after a Redis outage)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from kombu.exceptions import OperationalError as BrokerError

from hemsjukvard.outbox import outbox_pending_count, outbox_relay


class Command(BaseCommand):
    help = (
        "Publish pending outbox messages to the Celery broker. Safe to run while the beat relay runs, "
        "and any number of times: the tasks are idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="Publish at most about this many.")

    def handle(self, *args: Any, limit: int | None = None, **options: Any) -> None:
        try:
            sent = outbox_relay(limit=limit)
        except (BrokerError, OSError) as exc:
            raise CommandError(
                f"The broker does not answer ({exc}); {outbox_pending_count()} message(s) still pending."
            ) from exc
        self.stdout.write(f"Published {sent} message(s); {outbox_pending_count()} still pending.")
