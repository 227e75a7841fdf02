"""Periodic housekeeping of the API's own records, and the relay of the task outbox."""

from __future__ import annotations

from celery import shared_task

from hemsjukvard.api.idempotency import idempotency_purge_expired
from hemsjukvard.outbox import outbox_purge_sent, outbox_relay


@shared_task
def purge_idempotency_records() -> int:
    return idempotency_purge_expired()


@shared_task(name="hemsjukvard.tasks.relay_outbox")
def relay_outbox() -> int:
    """Publish outbox rows the fast path could not (Redis was down). Safe to overlap with itself."""
    return outbox_relay()


@shared_task(name="hemsjukvard.tasks.purge_outbox")
def purge_outbox() -> int:
    return outbox_purge_sent()
