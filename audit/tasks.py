"""Periodic work on the access log. Thin: the service does the work and is idempotent per week; each
notification e-mail is claimed before it is sent, so a repeated e-mail task sends nothing twice."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import archive, partitions, sampling


@shared_task(
    name="audit.tasks.sample_access_log",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def sample_access_log() -> int:
    return sampling.sample_previous_week()


@shared_task(
    name="audit.tasks.sample_notifications_email",
    autoretry_for=(OperationalError, InterfaceError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def sample_notifications_email(sample_id: int) -> int:
    return sampling.notifications_email(sample_id=sample_id)


@shared_task(
    name="audit.tasks.create_log_partitions",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def create_log_partitions() -> list[str]:
    """The access log's partitions for this month and the months ahead (AUDIT_LOG_PARTITIONS_AHEAD)."""
    return partitions.ensure_partitions()


@shared_task(
    name="audit.tasks.archive_log_partitions",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def archive_log_partitions() -> list[str]:
    """Archive, verify, then drop every month older than the retention (audit.archive)."""
    return [manifest.partition for manifest in archive.archive_due()]
