"""Who handles a case for one organisation on it: the history of hand-overs, one row per hand-over.

Each organisation on a case (kommun, vårdcentral, clinic, joint body) decides who on its side handles
it: a named person or a team of the organisation. Rows are only ever inserted; the current handler of
(case, organisation) is the latest row, and a row naming neither person nor team means the case was
handed back to the organisation (nobody in particular handles it).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from hemsjukvard.db import PublicIdModel

NOTE_MAX_LENGTH = 500


class AppendOnlyError(Exception):
    """A hand-over row was about to be changed or deleted."""


class CaseAssignmentQuerySet(models.QuerySet["CaseAssignment"]):
    def current(self) -> CaseAssignmentQuerySet:
        """The latest row of each (case, organisation): who handles the case for it now."""
        newer = CaseAssignment.objects.filter(
            case_id=OuterRef("case_id"), organisation_id=OuterRef("organisation_id"), pk__gt=OuterRef("pk")
        )
        return self.filter(~Exists(newer))

    def handled(self) -> CaseAssignmentQuerySet:
        """Rows naming a person or a team (not a hand-back to the organisation)."""
        return self.filter(Q(assignee__isnull=False) | Q(team__isnull=False))

    def for_cases(self, case_ids: Iterable[int]) -> CaseAssignmentQuerySet:
        return self.filter(case_id__in=list(case_ids))


class CaseAssignment(PublicIdModel):
    """One hand-over of a case within an organisation: to a person, to a team, or back to nobody."""

    case = models.ForeignKey(
        "cases.ResponsibilityCase",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_assignments",
    )
    team = models.ForeignKey(
        "directory.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handed over by"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_by_role = models.CharField(_("role"), max_length=16, blank=True)
    api_client = models.CharField(_("via API client"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)

    objects = CaseAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("case hand-over")
        verbose_name_plural = _("case hand-overs")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=True) | Q(team__isnull=True),
                name="case_assignment_person_or_team",
            )
        ]
        indexes = [models.Index(fields=["case", "organisation", "id"], name="case_assignment_current_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} / {self.organisation_id}: {self.assignee_id or self.team_id or '-'}"

    @property
    def is_handled(self) -> bool:
        return self.assignee_id is not None or self.team_id is not None

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError("case hand-overs are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("case hand-overs are append-only")
