"""The fixed vocabularies of agreements and rules.

They live apart from the models so that the pure modules (``engine``, ``hard_rules``, ``deadlines``) can
use them without importing anything that touches the database.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # Put in force, to start on its ``valid_from``: the version before it stays in force until then.
    SCHEDULED = "scheduled", _("Scheduled")
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


class AgreementScope(models.TextChoices):
    """A regional agreement binds the region and its kommuner; a local one one kommun (and vårdcentral)."""

    REGIONAL = "regional", _("Regional agreement")
    LOCAL = "local", _("Local agreement")


class TaskKind(models.TextChoices):
    NURSING = "nursing", _("Nursing")
    REHAB = "rehab", _("Rehabilitation")
    PHYSICIAN = "physician", _("Physician")
    SPECIALISED = "specialised", _("Specialised care")


class CareLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary care")
    SPECIALISED = "specialised", _("Specialised care")


class EnrolmentRequirement(models.TextChoices):
    ANY = "any", _("With or without enrolment")
    ENROLLED = "enrolled", _("Enrolled in municipal home health care")
    NOT_ENROLLED = "not_enrolled", _("Not enrolled")


class PartyRef(models.TextChoices):
    """Who a rule names, by the organisation's relation to the patient, resolved per patient.

    Naming parties by their relation (not by name) lets one rule serve every patient in the region: the
    engine turns "the patient's listed vårdcentral" into the vårdcentral this patient is listed at.
    """

    LISTED_VARDCENTRAL = "listed_vardcentral", _("The patient's listed vårdcentral")
    ENROLMENT_KOMMUN = (
        "enrolment_kommun",
        _("The kommun of enrolment (without an enrolment: the kommun of folkbokföring)"),
    )
    CASE_SPECIALIST_CLINIC = (
        "case_specialist_clinic",
        _("The specialist clinic named on the case (else the clinic the rule names)"),
    )
    SPECIALIST_OR_VARDCENTRAL = (
        "specialist_or_vardcentral",
        _("The specialist clinic named on the case, else the listed vårdcentral"),
    )
    MOBILE_TEAM = "mobile_team", _("The region's mobile team")
    REGION = "region", _("The region")
    ORGANISATION = "organisation", _("A named organisation")


# Parties that are the kommun whatever the patient: a physician task may never name them.
KOMMUN_PARTIES = frozenset({PartyRef.ENROLMENT_KOMMUN})
# Parties that need an organisation on the rule, may have one, or must not have one.
PARTIES_NEEDING_ORGANISATION = frozenset({PartyRef.ORGANISATION})
PARTIES_ALLOWING_ORGANISATION = frozenset(
    {PartyRef.ORGANISATION, PartyRef.CASE_SPECIALIST_CLINIC, PartyRef.MOBILE_TEAM}
)


class TimeBand(models.TextChoices):
    """When planned visits take place: the agreement sets where each band starts (``AgreementSettings``).

    Agreements divide the kommun's and the region's part by the time of day, e.g. the kommun's night
    patrol performs planned night visits while the region performs by day.
    """

    DAY = "day", _("Day")
    EVENING = "evening", _("Evening")
    NIGHT = "night", _("Night")


TIME_BAND_ORDER = tuple(TimeBand.values)


def time_bands_canonical(bands: object) -> str:
    """Bands as stored: the known codes, each once, in the day's order, comma-separated ("" for none)."""
    given = {str(b) for b in bands} if isinstance(bands, list | tuple | set | frozenset) else set()
    return ",".join(band for band in TIME_BAND_ORDER if band in given)


def time_bands_parse(stored: str) -> frozenset[str]:
    return frozenset(band for band in (stored or "").split(",") if band in TIME_BAND_ORDER)


def time_bands_ordered(bands: object) -> list[str]:
    return [
        band
        for band in TIME_BAND_ORDER
        if isinstance(bands, list | tuple | set | frozenset) and band in bands
    ]


class ApproverRole(models.TextChoices):
    """Who approves the risk analysis a rule requires: MAS for nursing, MAR for rehabilitation.

    MAS and MAR answer for patient safety in the kommun's care (HSL 11 kap. 4 §), so they approve the
    analysis of care the kommun performs. ``INFORMED`` is for care the region performs itself in the
    home (e.g. ventilator treatment by the specialist team, domain §8): the risk analysis is made jointly
    and signed by the responsible physician, nobody approves it, and the kommun's MAS is informed. Left
    blank, the approver follows the task's kind (MAR for rehabilitation, else MAS).

    "MAS informed" is a value of this one setting rather than a flag beside it because the answers
    exclude each other: a flag next to "approved by MAS" would let a rule say both. As one setting it
    reads as one choice in the admin, the file (``approver: informed``) and the API, the rule check
    that an approver goes only with a required risk analysis covers it too, and it fits the case task's
    copy of the setting unchanged.
    """

    MAS = "mas", _("MAS (medically responsible nurse)")
    MAR = "mar", _("MAR (medically responsible for rehabilitation)")
    INFORMED = "informed", _("Nobody approves – the kommun's MAS is informed")


class DayKind(models.TextChoices):
    WORKING = "working_days", _("Working days")
    CALENDAR = "calendar_days", _("Calendar days")


class EscalationBodyRef(models.TextChoices):
    KOMMUN_JOINT_BODY = "kommun_joint_body", _("The local joint body of the patient's kommun")
    ORGANISATION = "organisation", _("A named joint body")


class EscalationIdentity(models.TextChoices):
    """Whether the members of a level's body see who the patient is (PDL 4 kap., OSL 25 kap. 1 §)."""

    IDENTIFIED = "identified", _("Identified: name and personnummer shown")
    PSEUDONYMISED = "pseudonymised", _("Pseudonymised: age, sex and housing only")


def default_escalation_identity(level: int) -> str:
    """The identity a level shows when the agreement says nothing: identified at level 1 (lokal
    samverkan, usually with care staff), pseudonymised from level 2 (committees with no care relationship)."""
    return EscalationIdentity.IDENTIFIED if level <= 1 else EscalationIdentity.PSEUDONYMISED


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    UNCLEAR = "unclear", _("Unclear")


class UnclearReason(models.TextChoices):
    NO_RULE = "no_rule", _("No rule in the agreement covers the task")
    CONFLICTING_RULES = "conflicting_rules", _("Equally specific rules contradict each other")
    PARTY_UNRESOLVED = "party_unresolved", _("A responsible party could not be determined")
    TIME_BANDS_DIFFER = "time_bands_differ", _("The agreement splits the task differently by time of day")


class ProposalBasis(models.TextChoices):
    AGREEMENT_RULE = "agreement_rule", _("A rule of the agreement")
    THRESHOLD_PRINCIPLE = "threshold_principle", _("Tröskelprincipen (the threshold principle)")


class ThresholdPerformer(models.TextChoices):
    """Under tröskelprincipen, who takes the kommun's part of a specialised task (care level specialised).

    The kommun's part of a primary-care task always goes to the patient's listed vårdcentral (the
    region's primary care). For a specialised task the agreement chooses: the listed vårdcentral too, or
    the unit that orders the task (the specialist clinic or ASIH), as in domain brief §8.
    """

    LISTED_VARDCENTRAL = "listed_vardcentral", _("The patient's listed vårdcentral")
    ORDERING_PARTY = "ordering_party", _("The unit that orders the task (the specialist's unit)")


class HardRuleCode(models.TextChoices):
    """The law's hard rules that the code knows how to check; when each is in force is data."""

    PHYSICIAN_CARE_NOT_KOMMUN = (
        "physician_care_not_kommun",
        _("Physician care is never the kommun's"),
    )


class SplitArrangement(models.TextChoices):
    """A recorded exception to a hard rule that the law itself provides for.

    ``KOMMUN_ENGAGES_PHYSICIAN``: where the region does not provide the physician care the kommun's
    patients need, the kommun may engage a physician at the region's expense (the hard rule's fallback,
    e.g. HSL 16 kap. 1 §). A split that names the kommun for a physician task is then recorded with this
    arrangement and a note, instead of being refused.
    """

    NONE = "", _("No arrangement")
    KOMMUN_ENGAGES_PHYSICIAN = (
        "kommun_engages_physician",
        _("The kommun engages a physician at the region's expense"),
    )
