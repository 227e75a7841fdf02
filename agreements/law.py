"""What the law says about agreements, kept as records.

* ``HardRule``: when each of the law's hard rules is in force, what it cites and which fallback the law
  gives (the checks themselves are ``agreements.hard_rules``). Dated data, because statutes change.
* ``AgreementSettings``: the settings the law leaves to each agreement version (tröskelprincipen, cases
  before enrolment, the dates and words of prop. 2025/26:19), a part of ``AgreementVersion``.

``agreements/README.md`` explains each with its legal source.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hemsjukvard.db import PublicIdModel

from .choices import HardRuleCode, ThresholdPerformer
from .hard_rules import PHYSICIAN_RULE_DEFAULT, HardRuleRef

# What each hard rule is, where the data holds no row for it (see ``agreements.hard_rules``).
HARD_RULE_DEFAULTS: dict[str, HardRuleRef] = {HardRuleCode.PHYSICIAN_CARE_NOT_KOMMUN: PHYSICIAN_RULE_DEFAULT}


class HardRuleQuerySet(models.QuerySet["HardRule"]):
    def in_force(
        self, code: str, start: datetime.date, end: datetime.date | None = None
    ) -> HardRuleRef | None:
        """The rule ``code`` as in force on some day from ``start`` to ``end`` (``None``: open-ended).

        ``None`` when the data says it is not in force then. Where the data holds no row for the code
        at all, the rule holds as the law stands (``HARD_RULE_DEFAULTS``): missing data never switches
        the law off.
        """
        rows = list(self.filter(code=code).order_by("-valid_from", "-pk"))
        if not rows:
            return HARD_RULE_DEFAULTS.get(code)
        last = end or datetime.date.max
        for row in rows:
            if row.valid_from <= last and (row.valid_to is None or row.valid_to >= start):
                return row.ref
        return None


class HardRule(PublicIdModel):
    """When one of the law's hard rules is in force, what it cites and the fallback the law gives.

    The check itself is code (``agreements.hard_rules``); its dates and citation are data, so that an
    amended statute is an edit here, not a release. Periods of one rule do not overlap.
    """

    code = models.CharField(_("rule"), max_length=64, choices=HardRuleCode.choices)
    citation = models.CharField(
        _("citation"), max_length=200, help_text=_("Where the law says it, e.g. HSL 12 kap. 3 §.")
    )
    statement = models.TextField(
        _("what the law says"),
        blank=True,
        help_text=_("E.g. Kommunens ansvar omfattar inte hälso- och sjukvård som meddelas av läkare."),
    )
    fallback_citation = models.CharField(
        _("fallback in the law"),
        max_length=200,
        blank=True,
        help_text=_(
            "Where the law provides an exception a case may record, e.g. HSL 16 kap. 1 § (the kommun "
            "engages a physician at the region's expense). Empty: no exception."
        ),
    )
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force to"), null=True, blank=True)

    objects = HardRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("hard rule of the law")
        verbose_name_plural = _("hard rules of the law")
        ordering = ["code", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="hard_rule_valid_to_after_from",
            ),
            models.UniqueConstraint(fields=["code", "valid_from"], name="hard_rule_one_start_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} ({self.citation}, {self.valid_from:%Y-%m-%d}–)"

    @property
    def ref(self) -> HardRuleRef:
        return HardRuleRef(code=self.code, citation=self.citation, fallback_citation=self.fallback_citation)

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": gettext("The end date cannot be before the start date.")})
        if self.valid_from is None:
            return
        overlapping = HardRule.objects.filter(code=self.code).exclude(pk=self.pk)
        overlapping = overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
        if self.valid_to is not None:
            overlapping = overlapping.filter(valid_from__lte=self.valid_to)
        if overlapping.exists():
            raise ValidationError(
                {"valid_from": gettext("Another period of this rule overlaps; end it first.")}
            )


# The version's settings (agreements/README.md, "Settings"): the file's ``settings:`` block, copied to a
# new draft as they are.
VERSION_SETTING_FIELDS = (
    "threshold_principle",
    "threshold_specialised_performer",
    "cases_before_enrolment",
    "mar_required_from",
    "mar_required_citation",
    "home_care_term",
    "home_care_term_from",
    "day_band_from",
    "evening_band_from",
    "night_band_from",
)

# Where the day's time bands start unless the agreement says otherwise (agreements/README.md).
DEFAULT_BAND_STARTS = (datetime.time(7, 0), datetime.time(16, 0), datetime.time(22, 0))


class AgreementSettings(models.Model):
    """The settings the law leaves to the agreement (``VERSION_SETTING_FIELDS``), part of a version."""

    threshold_principle = models.BooleanField(
        _("apply tröskelprincipen"),
        default=True,
        help_text=_(
            "For a patient in an ordinary home without an enrolment, the kommun's part of each task goes "
            "to the region; who orders and follows up stays as the rule says (HSL 12 kap. 2 §, 14 kap. "
            "1 § leave this to the agreement)."
        ),
    )
    threshold_specialised_performer = models.CharField(
        _("under tröskelprincipen, a specialised task is performed by"),
        max_length=32,
        choices=ThresholdPerformer.choices,
        default=ThresholdPerformer.LISTED_VARDCENTRAL,
        help_text=_(
            "Who takes the kommun's part of a specialised task for a patient who is not enrolled. The "
            "kommun's part of a primary-care task always goes to the listed vårdcentral."
        ),
    )
    cases_before_enrolment = models.BooleanField(
        _("cases before enrolment"),
        default=False,
        help_text=_(
            "Whether the patient's listed vårdcentral may open a case for a patient not (yet) enrolled, "
            "for the kommun's nurses to complete: the planning before a decision on enrolment."
        ),
    )
    mar_required_from = models.DateField(
        _("MAR required from"),
        null=True,
        blank=True,
        help_text=_(
            "From this date every kommun party must have a MAR; a vacant post is shown as a compliance "
            "warning. Leave empty where the agreement does not require one."
        ),
    )
    mar_required_citation = models.CharField(
        _("MAR required by"),
        max_length=200,
        blank=True,
        help_text=_("The source of the requirement, e.g. prop. 2025/26:19."),
    )
    home_care_term = models.CharField(
        _("term for home health care"),
        max_length=100,
        blank=True,
        help_text=_(
            "The term the law uses from the date below, e.g. “hälso- och sjukvård i hemmet”. Leave "
            "empty to keep “hemsjukvård”."
        ),
    )
    home_care_term_from = models.DateField(_("term used from"), null=True, blank=True)
    # The time bands a rule may name (``TimeBand``): where day, evening and night start.
    day_band_from = models.TimeField(
        _("day starts"),
        default=DEFAULT_BAND_STARTS[0],
        help_text=_("Planned visits from this time are day visits."),
    )
    evening_band_from = models.TimeField(_("evening starts"), default=DEFAULT_BAND_STARTS[1])
    night_band_from = models.TimeField(
        _("night starts"),
        default=DEFAULT_BAND_STARTS[2],
        help_text=_("Night lasts until the day starts again."),
    )

    class Meta:
        abstract = True

    def band_limits_problems(self) -> dict[str, list[str]]:
        """The bands must follow each other within the day: day, then evening, then night."""
        starts = (self.day_band_from, self.evening_band_from, self.night_band_from)
        if None in starts or not (starts[0] < starts[1] < starts[2]):
            return {"evening_band_from": [gettext("Day, evening and night must start in that order.")]}
        return {}

    def home_care_term_on(self, day: datetime.date) -> str:
        """The term for home health care on ``day``: the agreement's new term once it applies."""
        if self.home_care_term and (self.home_care_term_from is None or day >= self.home_care_term_from):
            return self.home_care_term
        return "hemsjukvård"
