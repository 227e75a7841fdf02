"""The access log's gauge for ``/metrics``: rows written in the last five minutes (the insert rate)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils import timezone

from hemsjukvard.observability.metrics import Sample, gauge_source

from .models import AccessLogEntry

WINDOW = datetime.timedelta(minutes=5)


def _recent_rows() -> Iterator[Sample]:
    yield Sample(float(AccessLogEntry.objects.filter(at__gte=timezone.now() - WINDOW).count()))


def register() -> None:
    gauge_source(
        "hemsjukvard_access_log_rows_5m", "Access-log rows written in the last five minutes.", _recent_rows
    )
