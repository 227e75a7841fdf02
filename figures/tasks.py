"""The worker's side of figures: render one aggregated report. Thin: an id in, a service does the work."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(
    name="figures.tasks.render_figures_report",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def render_figures_report(report_id: int) -> str:
    return services.report_render(report_id=report_id)
