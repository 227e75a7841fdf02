"""Asking for the aggregated figures report (web) and rendering it (worker).

Idempotent like documents: the request is a get-or-create under the unique constraint (scope, period,
language, day); the worker claims with one conditional UPDATE (queued → rendering, or a stale claim)
and stores with another that still requires the claim, so a second delivery of the task does nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directory.actor import Actor
from directory.models import Organisation
from hemsjukvard.outbox import outbox_enqueue
from hemsjukvard.pdf import PdfError, render_pdf

from .dashboard import dashboard_build
from .models import FiguresReport, ReportStatus
from .scope import figure_scope_get, scope_for
from .selectors import Period

logger = logging.getLogger(__name__)
TEMPLATE = "figures/pdf/report.html"


def _stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=int(settings.CELERY_TASK_TIME_LIMIT) + 5)


@transaction.atomic
def report_request(*, actor: Actor, scope_id: str | None, period: Period, language: str) -> FiguresReport:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    scope = figure_scope_get(actor=actor, public_id=scope_id)
    report, created = FiguresReport.objects.get_or_create(
        scope_organisation_id=scope.organisation_id,
        period_start=period.start,
        period_end=period.end,
        language=language,
        as_of=timezone.localdate(),
        defaults={"requested_by": actor.user},
    )
    requeue = created
    if report.status == ReportStatus.FAILED:
        requeue = bool(
            FiguresReport.objects.filter(pk=report.pk, status=ReportStatus.FAILED).update(
                status=ReportStatus.QUEUED, failure_reason=""
            )
        )
        report.refresh_from_db()
    if requeue:
        outbox_enqueue("figures.tasks.render_figures_report", kwargs={"report_id": report.pk})
    return report


def report_render(*, report_id: int) -> str:
    now = timezone.now()
    claimed = FiguresReport.objects.filter(
        Q(status=ReportStatus.QUEUED) | Q(status=ReportStatus.RENDERING, claimed_at__lt=now - _stale_after()),
        pk=report_id,
    ).update(status=ReportStatus.RENDERING, claimed_at=now)
    if not claimed:
        return str(FiguresReport.objects.filter(pk=report_id).values_list("status", flat=True).first())
    report = FiguresReport.objects.select_related("scope_organisation").get(pk=report_id)
    try:
        with translation.override(report.language):
            organisation: Organisation = report.scope_organisation
            scope = scope_for(organisation)
            # The figures the page shows for this selection, written out by the same code (one
            # suppression rule, ``figures.present``).
            dashboard = dashboard_build(scope=scope, period=Period(report.period_start, report.period_end))
            rendered = render_pdf(
                TEMPLATE,
                {
                    "dashboard": dashboard,
                    "report": report,
                    "title": _("Figures for %(scope)s") % {"scope": organisation.name},
                },
                language=report.language,
            )
    except PdfError as exc:
        FiguresReport.objects.filter(pk=report_id, status=ReportStatus.RENDERING).update(
            status=ReportStatus.FAILED, failure_reason=str(exc)[:2000]
        )
        return ReportStatus.FAILED
    except Exception as exc:
        FiguresReport.objects.filter(pk=report_id, status=ReportStatus.RENDERING).update(
            status=ReportStatus.FAILED, failure_reason=f"{type(exc).__name__}: {exc}"[:2000]
        )
        logger.exception("Rendering figures report %s failed", report.public_id)
        raise
    FiguresReport.objects.filter(pk=report_id, status=ReportStatus.RENDERING, claimed_at=now).update(
        status=ReportStatus.READY,
        content=rendered.content,
        sha256=hashlib.sha256(rendered.content).hexdigest(),
        rendered_at=timezone.now(),
    )
    return ReportStatus.READY
