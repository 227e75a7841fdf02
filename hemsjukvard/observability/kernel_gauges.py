"""The kernel's own gauges: the outbox backlog and its age, and the depth of each Celery queue."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from .metrics import Sample, gauge_source


def _outbox_backlog() -> Iterator[Sample]:
    from hemsjukvard.models import OutboxMessage

    pending = OutboxMessage.objects.filter(sent_at__isnull=True)
    yield Sample(float(pending.count()))


def _outbox_oldest_age() -> Iterator[Sample]:
    from hemsjukvard.models import OutboxMessage

    oldest = OutboxMessage.objects.filter(sent_at__isnull=True).aggregate(at=Min("created_at"))["at"]
    yield Sample((timezone.now() - oldest).total_seconds() if oldest else 0.0)


def queue_names() -> list[str]:
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return sorted({settings.CELERY_TASK_DEFAULT_QUEUE, *routed})


def _queue_depth() -> Iterator[Sample]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        for name in queue_names():
            yield Sample(float(client.llen(name)), {"queue": name})
    finally:
        client.close()


def register() -> None:
    gauge_source(
        "hemsjukvard_outbox_pending", "Tasks written to the outbox and not yet sent.", _outbox_backlog
    )
    gauge_source(
        "hemsjukvard_outbox_oldest_pending_seconds",
        "Age of the oldest task not yet sent (0 when none waits).",
        _outbox_oldest_age,
    )
    gauge_source(
        "hemsjukvard_queue_depth", "Messages waiting in each Celery queue.", _queue_depth, ("queue",)
    )
