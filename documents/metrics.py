"""Documents' gauges for ``/metrics``: how many are in each status, and how many are stuck (rendering
with a claim no worker renews, or queued longer than a worker should take to claim them)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Q
from django.utils import timezone

from hemsjukvard.observability.metrics import Sample, gauge_source

from .models import Document, DocumentStatus


def _by_status() -> Iterator[Sample]:
    counts = dict(Document.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    for status in DocumentStatus.values:
        yield Sample(float(counts.get(status, 0)), {"status": status})


def _stuck() -> Iterator[Sample]:
    from .services import claim_stale_after, queued_resend_after

    now = timezone.now()
    stuck = Document.objects.filter(
        Q(status=DocumentStatus.RENDERING, claimed_at__lt=now - claim_stale_after())
        | Q(status=DocumentStatus.QUEUED, queued_at__lt=now - queued_resend_after())
    ).count()
    yield Sample(float(stuck))


def register() -> None:
    gauge_source("hemsjukvard_documents", "Documents by status.", _by_status, ("status",))
    gauge_source(
        "hemsjukvard_documents_stuck",
        "Documents whose worker is gone or that wait too long to be claimed.",
        _stuck,
    )
