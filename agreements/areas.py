"""The rule dimensions beyond task, housing and enrolment: time of day, and physician input by area.

* ``RuleTimeBands``: a responsibility rule may hold only for planned visits in some time bands (day,
  evening, night; where each starts is a setting of the version). A rule naming no band holds at any
  time. Part of ``ResponsibilityRule``.
* ``PhysicianArea``: the vårdcentral that supplies physician input (läkarmedverkan) for a särskilt boende
  (SÄBO) unit, or for an area named by postal codes, whatever vårdcentral the patient is listed at. Many
  agreements assign the physician for care homes by geography rather than by listing (domain brief §3),
  and HSL 13 a kap. 3 § lets the region organise primary care so; the agreement cites its section.

``agreements/README.md`` explains each with its legal source.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.models import Organisation, OrganisationKind
from hemsjukvard.db import PublicIdModel

from .choices import time_bands_canonical, time_bands_parse

POSTAL_CODE = re.compile(r"^[0-9]{3,5}$")


def housing_unit_key(name: str) -> str:
    """A housing unit's name as compared: case and spacing do not matter."""
    return " ".join((name or "").split()).casefold()


def postal_code_digits(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


class RuleTimeBands(models.Model):
    """When a rule holds: for planned visits in these bands ("" for any time); stored canonically."""

    time_bands = models.CharField(
        _("planned visits in"),
        max_length=32,
        blank=True,
        default="",
        help_text=_("Leave empty for a rule that holds at any time of day."),
    )

    class Meta:
        abstract = True

    @property
    def time_band_set(self) -> frozenset[str]:
        return time_bands_parse(self.time_bands)

    def time_band_problems(self) -> dict[str, list[str]]:
        """Bands must be known codes; two rules for the same situation may not share a band."""
        if self.time_bands != time_bands_canonical(sorted(self.time_band_set)):
            return {"time_bands": [gettext("Choose time bands from the list: day, evening, night.")]}
        version_id = getattr(self, "version_id", None)
        if version_id is None:
            return {}
        siblings = (
            type(self)
            .objects.filter(  # type: ignore[attr-defined]
                version_id=version_id,
                task_type_id=getattr(self, "task_type_id", None),
                housing_setting=getattr(self, "housing_setting", ""),
                enrolment_requirement=getattr(self, "enrolment_requirement", ""),
            )
            .exclude(pk=self.pk)
            .values_list("time_bands", flat=True)
        )
        mine = self.time_band_set
        for other in siblings:
            theirs = time_bands_parse(other)
            if (mine and theirs and mine & theirs) or (not mine and not theirs):
                return {
                    "time_bands": [
                        gettext(
                            "Another rule of this version already covers this task, housing setting, "
                            "enrolment and time of day."
                        )
                    ]
                }
        return {}


class PhysicianArea(PublicIdModel):
    """The vårdcentral that takes the physician part for a SÄBO unit or an area, regardless of listing.

    One of ``housing_unit`` (the name of a särskilt boende, as the patient's record names it) or
    ``postal_codes`` (comma-separated, each a postal code or its first digits) says where; ``district``
    names an area of postal codes for people to read. A unit beats an area when both match.
    """

    version = models.ForeignKey(
        "agreements.AgreementVersion",
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="physician_areas",
    )
    vardcentral = models.ForeignKey(
        Organisation,
        verbose_name=_("vårdcentral"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": OrganisationKind.VARDCENTRAL},
    )
    housing_unit = models.CharField(
        _("särskilt boende (unit)"),
        max_length=200,
        blank=True,
        help_text=_("The name of the SÄBO unit, as the patient's record gives it."),
    )
    district = models.CharField(_("district"), max_length=200, blank=True)
    postal_codes = models.CharField(
        _("postal codes"),
        max_length=1000,
        blank=True,
        help_text=_("Comma-separated postal codes, or their first three or four digits."),
    )
    section = models.ForeignKey(
        "agreements.Section", verbose_name=_("section"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("physician input by area")
        verbose_name_plural = _("physician input by area")
        ordering = ["version", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(housing_unit="") | ~Q(postal_codes=""),
                name="physician_area_names_a_unit_or_postal_codes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.housing_unit or self.district or self.postal_codes} → {self.vardcentral}"

    @property
    def postal_code_list(self) -> list[str]:
        return [code for code in (c.strip() for c in self.postal_codes.split(",")) if code]

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if not self.housing_unit.strip() and not self.postal_codes.strip():
            errors.setdefault("housing_unit", []).append(
                gettext("Name the särskilt boende or give the area's postal codes.")
            )
        bad = [code for code in self.postal_code_list if not POSTAL_CODE.match(code)]
        if bad:
            errors.setdefault("postal_codes", []).append(
                gettext("Write postal codes as digits, e.g. 43231 or 432: %(codes)s.")
                % {"codes": ", ".join(bad)}
            )
        vardcentral = self.vardcentral if self.vardcentral_id is not None else None
        version = self.version if self.version_id is not None else None
        if vardcentral is not None and (
            vardcentral.kind != OrganisationKind.VARDCENTRAL
            or (version is not None and vardcentral.region_id != version.agreement.region_id)
        ):
            errors.setdefault("vardcentral", []).append(
                gettext("Choose a vårdcentral in the agreement's region.")
            )
        if self.section_id is not None and version is not None and self.section.version_id != version.pk:
            errors.setdefault("section", []).append(gettext("Cite a section of the same agreement version."))
        if errors:
            raise ValidationError(errors)


def private_performer_problem(organisation: Organisation, *, local_kommun_id: int | None) -> str:
    """A private performer acts for one kommun: only that kommun's local agreement may name it."""
    if organisation.kind != OrganisationKind.PRIVATE_PERFORMER:
        return ""
    if local_kommun_id is None or organisation.kommun_id != local_kommun_id:
        return gettext(
            "A private performer works for one kommun: name it only in that kommun's local agreement, "
            "where the kommun stays the principal."
        )
    return ""
