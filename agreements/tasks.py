"""Agreement tasks run by the worker's beat."""

from __future__ import annotations

from celery import shared_task

from . import scheduling


@shared_task(name="agreements.tasks.start_scheduled_versions")
def start_scheduled_versions() -> int:
    """Hourly: versions put in force ahead of their first day come into force on it."""
    return scheduling.agreement_versions_start()
