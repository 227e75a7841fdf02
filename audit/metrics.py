"""The access log's gauges for ``/metrics``: rows written in the last five minutes (the insert rate), and
rows in the DEFAULT partition (written while their month had no partition: the beat job
``audit.tasks.create_log_partitions`` has not run for months; alarm on anything above 0)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils import timezone

from hemsjukvard.observability.metrics import Sample, gauge_source

from .models import AccessLogEntry
from .partitions import default_partition_rows

WINDOW = datetime.timedelta(minutes=5)


def _recent_rows() -> Iterator[Sample]:
    yield Sample(float(AccessLogEntry.objects.filter(at__gte=timezone.now() - WINDOW).count()))


def register() -> None:
    gauge_source(
        "hemsjukvard_access_log_rows_5m", "Access-log rows written in the last five minutes.", _recent_rows
    )
    gauge_source(
        "hemsjukvard_access_log_default_rows",
        "Access-log rows in the DEFAULT partition (their month had no partition; should be 0).",
        _default_rows,
    )


def _default_rows() -> Iterator[Sample]:
    yield Sample(float(default_partition_rows()))
