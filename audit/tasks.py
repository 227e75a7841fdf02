"""Periodic work on the access log. Thin: the service does the work and is idempotent per week."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import sampling


@shared_task(
    name="audit.tasks.sample_access_log",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def sample_access_log() -> int:
    return sampling.sample_previous_week()
