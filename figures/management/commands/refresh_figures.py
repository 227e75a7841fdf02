"""``manage.py refresh_figures``: bring the key figures' snapshot up to date now (``figures.facts``).

What the beat task does every 15 minutes; for operators, e.g. right after a deployment or a restore.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from figures.dashboard import dashboard_warm
from figures.facts import facts_refresh


class Command(BaseCommand):
    help = "Refresh the snapshot the key figures are counted from."

    def handle(self, *args: Any, **options: Any) -> None:
        result = facts_refresh(then=dashboard_warm)
        if result is None:
            self.stdout.write("Another refresh is running; it brings the figures up to date.")
            return
        rows = ", ".join(f"{name} {count:,}" for name, count in result.rows.items())
        self.stdout.write(
            f"Figures as of {timezone.localtime(result.as_of):%Y-%m-%d %H:%M:%S}: {rows}; "
            f"{result.written:,} rows written in {result.seconds:.1f} s; the country's key figures and "
            f"the regions' dashboards for the last 365 days counted in {result.warm_seconds:.1f} s."
        )
