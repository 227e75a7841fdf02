"""Where and when the care is given: the kommun a person stays in, and when a task's visits are planned.

Two parts of a case that the agreement's rules read, kept apart from ``cases.models`` (which they are part
of, as abstract bases):

* ``CaseStay``: "den som vistas i kommunen" (HSL 12 kap. 2 §). The kommun's health care reaches those who
  *stay* in it, not only those folkbokförda there: a summer house, a short-term stay with relatives, a
  stay at a short-term unit in another kommun. Where a case records such a stay, the proposal uses the
  kommun of stay (its agreements and the kommun itself for the kommunal part) and says so.
* ``TaskVisitTimes``: the time bands (day, evening, night; the agreement sets where each starts) in which
  a task's visits are planned. A set of bands rather than clock times: that is what agreements divide by
  ("the night patrol performs planned night visits"), and it is what a nurse knows when asking.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from agreements.choices import time_bands_ordered, time_bands_parse
from directory.models import OrganisationKind


class CaseStay(models.Model):
    stay_kommun = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("kommun of stay"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_as_stay_kommun",
        limit_choices_to={"kind": OrganisationKind.KOMMUN},
        help_text=_(
            "Where the person stays if not at home, e.g. a summer house in another kommun (HSL 12 kap. 2 §)."
        ),
    )
    stay_from = models.DateField(_("staying from"), null=True, blank=True)
    stay_to = models.DateField(_("staying until"), null=True, blank=True)
    stay_note = models.CharField(_("about the stay"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def stay_kommun_on(self, day: datetime.date) -> int | None:
        """The kommun of stay the proposal uses on ``day``: none once the stay has ended."""
        if self.stay_kommun_id is None or (self.stay_to is not None and self.stay_to < day):
            return None
        return self.stay_kommun_id


class TaskVisitTimes(models.Model):
    visit_bands = models.CharField(
        _("visits planned in"),
        max_length=32,
        blank=True,
        default="",
        help_text=_("The times of day the visits are planned: day, evening, night (comma-separated)."),
    )

    class Meta:
        abstract = True

    @property
    def visit_band_list(self) -> list[str]:
        return time_bands_ordered(list(time_bands_parse(self.visit_bands)))
