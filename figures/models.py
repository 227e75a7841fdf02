"""The aggregated figures report (PDF), rendered by the worker.

A report is asked for per scope, period, language and day (``as_of``): asking again the same day gives
the same row, so the figures in a ready report never change under the person who downloads it, and a new
day gives a new report with the figures of that day. The report holds aggregates only, with groups of
fewer than five patients suppressed, so it is not patient data and has no patient.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hemsjukvard.db import PublicIdModel


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class FiguresReport(PublicIdModel):
    scope_organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("figures for"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    as_of = models.DateField(_("figures as of"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    failure_reason = models.TextField(_("failure reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64, blank=True)
    content = models.BinaryField(_("PDF"), null=True, blank=True)

    class Meta:
        verbose_name = _("figures report")
        verbose_name_plural = _("figures reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_organisation", "period_start", "period_end", "language", "as_of"],
                name="figures_report_once_per_day",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="figures_report_period_order"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | Q(content__isnull=False, sha256__regex=r"^[0-9a-f]{64}$"),
                name="figures_report_ready_has_content",
            ),
        ]

    def __str__(self) -> str:
        return f"Figures report {self.public_id}"

    @property
    def filename(self) -> str:
        return f"nyckeltal-{self.period_start}-{self.period_end}-{self.language}.pdf"


# --- Facts the key figures are counted from (``figures.facts``) -------------------------------------
#
# Derived rows, rebuilt by ``figures.facts.facts_refresh`` from the case tables: plain ids instead of
# foreign keys, because a summary that may lag a quarter of an hour must never hold up a write to the
# tables it summarises. Column names are those of the live querysets in ``figures.facts``, so the same
# aggregation code reads either.


class FiguresSnapshot(models.Model):
    """When the fact tables were last refreshed (one row, id 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    as_of = models.DateTimeField(_("figures as of"))
    refresh_seconds = models.FloatField(_("refresh took (s)"))
    cases = models.PositiveIntegerField(_("cases"))
    stints = models.PositiveIntegerField(_("escalation stints"))
    unclear_tasks = models.PositiveIntegerField(_("unclear tasks"))
    tasks = models.PositiveIntegerField(_("tasks"), default=0)
    status_moves = models.PositiveIntegerField(_("status moves"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written by the last refresh"))

    class Meta:
        verbose_name = _("figures snapshot")
        verbose_name_plural = _("figures snapshots")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="figures_snapshot_single_row")]

    def __str__(self) -> str:
        return f"Figures as of {self.as_of:%Y-%m-%d %H:%M}"


class ScopedFact(models.Model):
    """What every fact row carries: whose it is, and the scope it counts in (``FigureScope.facts_q``)."""

    patient_id = models.BigIntegerField()
    kommun_id = models.BigIntegerField()
    vardcentral_id = models.BigIntegerField(null=True)
    region_id = models.BigIntegerField(null=True)

    class Meta:
        abstract = True


def _scope_indexes(table: str, field: str, label: str, include: tuple[str, ...] = ()) -> list[models.Index]:
    """A scope (vårdcentral, kommun, region, or the whole country) and a period on ``field``;
    ``include``: the columns the figures read, so that PostgreSQL can answer from the index alone."""
    return [
        models.Index(fields=["kommun_id", field], name=f"figures_{table}_kommun_{label}", include=include),
        models.Index(fields=["vardcentral_id", field], name=f"figures_{table}_vc_{label}", include=include),
        models.Index(fields=["region_id", field], name=f"figures_{table}_region_{label}", include=include),
        models.Index(fields=[field], name=f"figures_{table}_{label}", include=include),
    ]


SHIFT_COLUMNS = (
    "case_id",
    "patient_id",
    "increased_staff_time",
    "increased_other_costs",
    "competence_needed",
    "patient_safety_risk",
    "shift_planning",
)


class ShiftFact(ScopedFact):
    """What the vårdöverskjutning tables count of a case: its submission, its four impact flags and
    whether the shift was planned or unorganised (``figures.selectors.shift_table``)."""

    case_id = models.BigIntegerField()
    submitted_at = models.DateTimeField(null=True)
    increased_staff_time = models.BooleanField()
    increased_other_costs = models.BooleanField()
    competence_needed = models.BooleanField()
    patient_safety_risk = models.BooleanField()
    shift_planning = models.CharField(max_length=16)

    class Meta:
        abstract = True


class CaseFact(ShiftFact):
    """One case: its status and dates, what its timeline says, and its vårdöverskjutning flags."""

    case_id = models.BigIntegerField(unique=True)
    status = models.CharField(max_length=32)
    trigger = models.CharField(max_length=32)
    due_at = models.DateTimeField(null=True)
    agreed_at = models.DateTimeField(null=True)
    disputed = models.BooleanField()
    escalated_to = models.PositiveSmallIntegerField(null=True)
    readmitted = models.BooleanField()

    class Meta:
        indexes = [
            *_scope_indexes("cf", "submitted_at", "submitted"),
            *_scope_indexes("cf", "agreed_at", "agreed"),
        ]

    def __str__(self) -> str:
        return f"Facts of case {self.case_id}"


class StintFact(ScopedFact):
    """One escalation stint: from the escalation to a level until the next escalation, decision or
    withdrawal (``ended_at`` is empty while it runs)."""

    event_id = models.BigIntegerField(unique=True)
    level = models.PositiveSmallIntegerField(null=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True)

    class Meta:
        indexes = _scope_indexes("sf", "ended_at", "ended")

    def __str__(self) -> str:
        return f"Escalation stint {self.event_id}"


class UnclearTaskFact(ScopedFact):
    """One task whose responsible party the rules left unclear, with its case's submission."""

    task_id = models.BigIntegerField(unique=True)
    task_type = models.ForeignKey(
        "agreements.CareTaskType", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True)
    undecided = models.BooleanField()

    class Meta:
        indexes = _scope_indexes("uf", "submitted_at", "submitted")

    def __str__(self) -> str:
        return f"Unclear task {self.task_id}"


class TaskFact(ShiftFact):
    """One task of a submitted case, with its case's vårdöverskjutning facts: the rows of the tables per
    task type and per task category."""

    task_id = models.BigIntegerField(unique=True)
    task_type = models.ForeignKey(
        "agreements.CareTaskType", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        indexes = _scope_indexes("tf", "submitted_at", "submitted", include=(*SHIFT_COLUMNS, "task_type_id"))

    def __str__(self) -> str:
        return f"Task {self.task_id}"


class StatusMoveFact(ScopedFact):
    """One move of a case into a status (a timeline event with ``to_status``): the chart of cases over
    time."""

    event_id = models.BigIntegerField(unique=True)
    case_id = models.BigIntegerField()
    to_status = models.CharField(max_length=32)
    at = models.DateTimeField()

    class Meta:
        indexes = _scope_indexes("mf", "at", "at", include=("case_id", "patient_id", "to_status"))

    def __str__(self) -> str:
        return f"Status move {self.event_id}"
