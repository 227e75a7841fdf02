"""The worker's side of figures: render one aggregated report, and keep the key figures' snapshot fresh.

Thin: ids in (or nothing), a service does the work.
"""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import dashboard, facts, services


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


@shared_task(
    name="figures.tasks.refresh_figure_facts",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def refresh_figure_facts() -> str:
    """Every 15 minutes (beat): bring the snapshot up to date and, before it shows, count the default
    period's dashboards of the regions and key figures of the country, so nobody waits for them.
    Idempotent: a refresh that finds another one running does nothing; one that finds nothing changed
    writes nothing."""
    warmed: list[int] = []
    result = facts.facts_refresh(then=lambda: warmed.append(dashboard.dashboard_warm()))
    if result is None:
        return "another refresh is running"
    return (
        f"as of {result.as_of.isoformat()}: {result.written} rows written in {result.seconds:.1f} s, "
        f"{sum(warmed)} scopes counted in {result.warm_seconds:.1f} s"
    )
