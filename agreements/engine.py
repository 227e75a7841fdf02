"""The rule engine: for each task a patient needs, who orders, performs and follows it up, and why.

``rules_propose_split`` is a pure function: it reads only its arguments (frozen dataclasses that
``agreements.selectors.responsibility_inputs_load`` fills in a fixed number of queries) and touches no
database, so it is fast, deterministic and testable without fixtures.

How a task is decided, in order:

1. The agreements **in force on the date** that apply to the patient are found: per agreement, the
   latest non-draft version that started on or before the date (a version supersedes its predecessor
   from its own start date), unless that version has ended. A regional agreement applies when the
   patient's kommun is a party; a local one when it is the patient's kommun (and, if it names a
   vårdcentral, the patient is listed there). An agreement that does not cover the patient's housing
   setting proposes nothing.
2. The rules of those versions for the task whose housing setting and enrolment requirement match are
   candidates. **The most specific wins**: first by agreement (kommun + vårdcentral > kommun > regional),
   then by rule (one naming both housing and enrolment > one naming either > one naming neither).
   Equally specific candidates that say different things make the task ``unclear/conflicting_rules``;
   no candidate makes it ``unclear/no_rule``.
3. The winning rule's parties are **resolved** to organisations for this patient. A party that cannot
   be resolved makes the task ``unclear/party_unresolved``, and so does - as a last guard, since saving
   such a rule is refused - a physician task that would land on a kommun while the law's physician rule
   (``agreements.hard_rules``, dated data) is in force.
4. **Tröskelprincipen**, where the winning rule's agreement version applies it (``agreements.threshold``):
   for a patient in an ordinary home without an open enrolment, the parts the rule gives the kommun go
   to the region (the listed vårdcentral, or for a specialised task the orderer, as the version says);
   who orders and follows up stays as the rule says. The proposal then cites the version's section on
   the principle (its basis is ``threshold_principle``) and still names the rule.

Three more dimensions, each optional (an agreement without them proposes as before):

* **Time of day.** A rule may hold only for planned visits in some time bands (day, evening, night).
  For a task whose visits are planned in some bands, each band is decided on its own (a rule naming
  the band beats one naming none); if the bands end with different splits, the task is
  ``unclear/time_bands_differ`` and a person decides. A task with no bands given uses the rules that
  name none.
* **Physician input by area.** Where an agreement names the vårdcentral for the patient's SÄBO unit or
  postal-code area, that vårdcentral takes the physician part (every part of a physician task, and the
  ordering and follow-up of others) that a rule gives "the listed vårdcentral", regardless of listing.
* **Kommun of stay** (HSL 12 kap. 2 §: the kommun answers for those who stay in it). Where the case
  records that the person stays in another kommun, that kommun's agreements and that kommun take the
  kommunal part, and the proposal says so.

A party may be a **private performer** acting for a kommun (LOV/LOU): it performs, the kommun stays the
principal (``PartyAssignment.principal``), and the kommun's limits (the physician rule, tröskelprincipen)
apply to it as to the kommun.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from directory.models import OrganisationKind

from .areas import housing_unit_key, postal_code_digits
from .choices import (
    AgreementScope,
    AgreementStatus,
    EnrolmentRequirement,
    PartyRef,
    ProposalBasis,
    ProposalStatus,
    TaskKind,
    ThresholdPerformer,
    TimeBand,
    UnclearReason,
    time_bands_ordered,
)
from .hard_rules import (
    KOMMUN_SIDE_KINDS,
    PHYSICIAN_RULE_DEFAULT,
    HardRuleRef,
    is_kommun_party,
    physician_violation_message,
)
from .threshold import kommun_part_goes_to_orderer, threshold_applies, threshold_message

# --- Inputs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientSituation:
    """What the engine needs to know about a patient (build it with ``selectors.patient_situation``)."""

    housing_setting: str
    folkbokforing_kommun_id: int
    open_enrolment_kommun_id: int | None
    listed_vardcentral_id: int | None
    region_id: int
    specialist_clinic_id: int | None = None
    # Where the person stays, where the case records a stay outside the home kommun (HSL 12 kap. 2 §).
    stay_kommun_id: int | None = None
    # The SÄBO unit the patient lives in and the postal code, for physician input by area.
    housing_unit: str = ""
    postal_code: str = ""

    @property
    def is_enrolled(self) -> bool:
        return self.open_enrolment_kommun_id is not None

    @property
    def home_kommun_id(self) -> int:
        """The kommun of the open enrolment, else of folkbokföring."""
        if self.open_enrolment_kommun_id is not None:
            return self.open_enrolment_kommun_id
        return self.folkbokforing_kommun_id

    @property
    def kommun_id(self) -> int:
        """The kommun whose agreements apply: where the person stays, else the home kommun."""
        if self.stay_kommun_id is not None:
            return self.stay_kommun_id
        return self.home_kommun_id

    @property
    def stays_elsewhere(self) -> bool:
        return self.stay_kommun_id is not None and self.stay_kommun_id != self.home_kommun_id


@dataclass(frozen=True)
class OrganisationRef:
    id: int
    public_id: uuid.UUID
    name: str
    kind: str
    kommun_id: int | None = None
    is_active: bool = True


@dataclass(frozen=True)
class SectionRef:
    id: int
    public_id: uuid.UUID
    number: str
    heading: str


@dataclass(frozen=True)
class AreaRef:
    """An agreement's vårdcentral for physician input in a SÄBO unit or a postal-code area."""

    id: int
    vardcentral_id: int
    housing_unit: str
    district: str
    postal_codes: tuple[str, ...]
    section: SectionRef
    # The kommun the vårdcentral is in: units of the same name in other kommuner are other units.
    kommun_id: int | None = None

    def matches_unit(self, situation: PatientSituation) -> bool:
        if self.kommun_id is not None and self.kommun_id != situation.kommun_id:
            return False
        return bool(self.housing_unit) and housing_unit_key(self.housing_unit) == housing_unit_key(
            situation.housing_unit
        )

    def matches_postal_code(self, situation: PatientSituation) -> bool:
        code = postal_code_digits(situation.postal_code)
        return bool(code) and any(code.startswith(prefix) for prefix in self.postal_codes)


DEFAULT_BAND_STARTS = (datetime.time(7, 0), datetime.time(16, 0), datetime.time(22, 0))


@dataclass(frozen=True)
class VersionRef:
    id: int
    public_id: uuid.UUID
    agreement_id: int
    agreement_public_id: uuid.UUID
    agreement_code: str
    title: str
    version: str
    status: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    scope: str
    region_id: int
    kommun_ids: frozenset[int]
    covered_housing_settings: frozenset[str]
    local_kommun_id: int | None = None
    local_vardcentral_id: int | None = None
    threshold_section: SectionRef | None = None
    threshold_principle: bool = True
    threshold_specialised_performer: str = ThresholdPerformer.LISTED_VARDCENTRAL
    cases_before_enrolment: bool = False
    band_starts: tuple[datetime.time, datetime.time, datetime.time] = DEFAULT_BAND_STARTS
    physician_areas: tuple[AreaRef, ...] = ()

    def band_label(self, band: str) -> str:
        """A band with its hours as this version sets them, e.g. "Night 22:00–07:00"."""
        index = list(TimeBand.values).index(band)
        start, end = self.band_starts[index], self.band_starts[(index + 1) % 3]
        return f"{TimeBand(band).label} {start:%H:%M}–{end:%H:%M}"

    @property
    def specificity(self) -> int:
        if self.scope == AgreementScope.REGIONAL:
            return 0
        return 2 if self.local_vardcentral_id is not None else 1


@dataclass(frozen=True)
class TaskTypeRef:
    id: int
    public_id: uuid.UUID
    code: str
    name_sv: str
    name_en: str
    kind: str
    care_level: str


@dataclass(frozen=True)
class PartySpec:
    """A party as the rule states it: a reference, and the organisation the rule names (if any)."""

    party: str
    organisation_id: int | None = None


@dataclass(frozen=True)
class Conditions:
    """The conditions under which a split holds."""

    risk_analysis_required: bool = False
    approver_role: str = ""
    specialist_active_role_required: bool = False
    training_required: bool = False
    contact_24_7_required: bool = False
    delegation_allowed: bool = False
    max_duration_days: int | None = None
    note: str = ""


NO_CONDITIONS = Conditions()


@dataclass(frozen=True)
class RuleRef:
    id: int
    public_id: uuid.UUID
    version_id: int
    task_type_id: int
    housing_setting: str
    enrolment_requirement: str
    orders: PartySpec
    performs: PartySpec
    follows_up: PartySpec
    conditions: Conditions
    section: SectionRef
    # The time bands of planned visits the rule holds for (empty: any time).
    time_bands: frozenset[str] = frozenset()

    @property
    def specificity(self) -> int:
        return int(bool(self.housing_setting)) + int(self.enrolment_requirement != EnrolmentRequirement.ANY)

    def holds_in(self, band: str | None) -> bool:
        """Whether the rule holds for visits in ``band`` (``None``: the task gives no time)."""
        return not self.time_bands if band is None else (not self.time_bands or band in self.time_bands)

    @property
    def split(self) -> tuple[PartySpec, PartySpec, PartySpec, Conditions]:
        """What the rule says, without where it says it: two rules agree when these are equal."""
        return (self.orders, self.performs, self.follows_up, self.conditions)

    def matches(self, situation: PatientSituation) -> bool:
        if self.housing_setting and self.housing_setting != situation.housing_setting:
            return False
        if self.enrolment_requirement == EnrolmentRequirement.ENROLLED:
            return situation.is_enrolled
        if self.enrolment_requirement == EnrolmentRequirement.NOT_ENROLLED:
            return not situation.is_enrolled
        return True


@dataclass(frozen=True)
class RuleSet:
    """Everything the agreements of one region say that the engine may need for some tasks."""

    region_id: int
    versions: tuple[VersionRef, ...]
    rules_by_task_type: Mapping[int, tuple[RuleRef, ...]]
    organisations: Mapping[int, OrganisationRef]
    mobile_team_ids: tuple[int, ...] = ()
    # The law's physician rule as in force on the date (``None``: not in force then).
    physician_rule: HardRuleRef | None = PHYSICIAN_RULE_DEFAULT


# --- Output ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyAssignment:
    party: str
    organisation: OrganisationRef | None
    problem: str = ""
    # For a private performer: the kommun it acts for, which stays the principal (huvudman).
    principal: OrganisationRef | None = None

    @property
    def resolved(self) -> bool:
        return self.organisation is not None and not self.problem


@dataclass(frozen=True)
class TaskProposal:
    task_type: TaskTypeRef
    status: str
    reason: str = ""
    message: str = ""
    basis: str = ""
    orders: PartyAssignment | None = None
    performs: PartyAssignment | None = None
    follows_up: PartyAssignment | None = None
    conditions: Conditions = NO_CONDITIONS
    rule: RuleRef | None = None
    version: VersionRef | None = None
    section: SectionRef | None = None
    candidate_rules: tuple[RuleRef, ...] = ()
    candidate_versions: tuple[VersionRef, ...] = field(default=(), repr=False)
    review_by: datetime.date | None = None
    # When the task's visits are planned (``TimeBand`` codes, in the day's order).
    time_bands: tuple[str, ...] = ()
    # What else decided the proposal, for people to read: time of day, area, kommun of stay.
    notes: tuple[str, ...] = ()

    @property
    def is_unclear(self) -> bool:
        return self.status == ProposalStatus.UNCLEAR


# --- The engine ------------------------------------------------------------------------------------


def versions_in_force(versions: Iterable[VersionRef], on: datetime.date) -> list[VersionRef]:
    """Per agreement, the version in force on ``on``: the latest started non-draft one, if not ended."""
    latest: dict[int, VersionRef] = {}
    for version in versions:
        if version.status == AgreementStatus.DRAFT or version.valid_from > on:
            continue
        current = latest.get(version.agreement_id)
        if current is None or (version.valid_from, version.id) > (current.valid_from, current.id):
            latest[version.agreement_id] = version
    return sorted(
        (v for v in latest.values() if v.valid_to is None or on <= v.valid_to),
        key=lambda v: v.id,
    )


def version_applies_to(version: VersionRef, situation: PatientSituation) -> bool:
    """Whether the agreement binds the parties around this patient (housing aside)."""
    if version.region_id != situation.region_id:
        return False
    if version.scope == AgreementScope.REGIONAL:
        return situation.kommun_id in version.kommun_ids
    if version.local_kommun_id != situation.kommun_id:
        return False
    return version.local_vardcentral_id is None or (
        version.local_vardcentral_id == situation.listed_vardcentral_id
    )


def governing_version(
    versions: Iterable[VersionRef], situation: PatientSituation, on: datetime.date
) -> VersionRef | None:
    """The most specific agreement version in force on ``on`` that binds and covers the patient."""
    covering = [
        v
        for v in versions_in_force(versions, on)
        if version_applies_to(v, situation) and situation.housing_setting in v.covered_housing_settings
    ]
    return max(covering, key=lambda v: (v.specificity, v.id), default=None)


def rules_propose_split(
    *,
    situation: PatientSituation,
    task_types: Sequence[TaskTypeRef],
    rules: RuleSet,
    on: datetime.date,
    time_bands: Mapping[str, Iterable[str]] | None = None,
) -> list[TaskProposal]:
    """Propose who orders, performs and follows up each of ``task_types`` for the patient on ``on``.

    ``time_bands`` maps a task type's code to the bands its visits are planned in (``TimeBand``); a
    task left out gives no time. The proposals come back in the order of ``task_types``. Nothing is
    stored.
    """
    applying = [v for v in versions_in_force(rules.versions, on) if version_applies_to(v, situation)]
    covering = {v.id: v for v in applying if situation.housing_setting in v.covered_housing_settings}
    context = _Context(situation=situation, rules=rules, on=on, applying=applying, covering=covering)
    bands = time_bands or {}
    return [
        _rule_proposal(task_type, context, tuple(time_bands_ordered(list(bands.get(task_type.code, ())))))
        for task_type in task_types
    ]


@dataclass(frozen=True)
class _Context:
    situation: PatientSituation
    rules: RuleSet
    on: datetime.date
    applying: list[VersionRef]
    covering: dict[int, VersionRef]


def _winner(candidates: list[RuleRef], context: _Context) -> RuleRef | list[RuleRef]:
    """The most specific candidate, or the equally specific ones if they say different things."""

    def rank(rule: RuleRef) -> tuple[int, int, int]:
        return (context.covering[rule.version_id].specificity, rule.specificity, int(bool(rule.time_bands)))

    best = max(rank(rule) for rule in candidates)
    top = sorted((rule for rule in candidates if rank(rule) == best), key=lambda r: r.id)
    if len({rule.split for rule in top}) > 1:
        return top
    return top[0]


def _conflict(
    task_type: TaskTypeRef, top: list[RuleRef], context: _Context, bands: tuple[str, ...]
) -> TaskProposal:
    versions = tuple(context.covering[rule.version_id] for rule in top)
    citations = ", ".join(
        f"{version.agreement_code} {version.version} § {rule.section.number}"
        for rule, version in zip(top, versions, strict=True)
    )
    return TaskProposal(
        task_type=task_type,
        status=ProposalStatus.UNCLEAR,
        reason=UnclearReason.CONFLICTING_RULES,
        message=_("Equally specific rules say different things (%(citations)s); a person decides.")
        % {"citations": citations},
        candidate_rules=tuple(top),
        candidate_versions=versions,
        time_bands=bands,
    )


def _rule_proposal(task_type: TaskTypeRef, context: _Context, bands: tuple[str, ...] = ()) -> TaskProposal:
    situation = context.situation
    candidates = [
        rule
        for rule in context.rules.rules_by_task_type.get(task_type.id, ())
        if rule.version_id in context.covering and rule.matches(situation)
    ]
    if candidates and not bands and not any(rule.holds_in(None) for rule in candidates):
        return TaskProposal(
            task_type=task_type,
            status=ProposalStatus.UNCLEAR,
            reason=UnclearReason.NO_RULE,
            message=_(
                "The agreement decides this task by the time of day: say when the visits are planned "
                "(day, evening, night)."
            ),
        )
    winners: dict[str | None, RuleRef] = {}
    for band in bands or (None,):
        holding = [rule for rule in candidates if rule.holds_in(band)]
        if not holding:
            message = _no_rule_message(context)
            if band is not None and candidates:
                message = _(
                    "The agreement has no rule for this task with visits in the %(band)s; a person decides "
                    "who is responsible."
                ) % {"band": str(TimeBand(band).label).lower()}
            return TaskProposal(
                task_type=task_type,
                status=ProposalStatus.UNCLEAR,
                reason=UnclearReason.NO_RULE,
                message=message,
                time_bands=bands,
            )
        won = _winner(holding, context)
        if isinstance(won, list):
            return _conflict(task_type, won, context, bands)
        winners[band] = won
    chosen = list(dict.fromkeys(winners.values()))
    if len({rule.split for rule in chosen}) > 1:
        return _bands_differ(task_type, winners, context, bands)
    return _proposal_for_rule(task_type, chosen[0], context, bands)


def _bands_differ(
    task_type: TaskTypeRef, winners: dict[str | None, RuleRef], context: _Context, bands: tuple[str, ...]
) -> TaskProposal:
    parts = []
    for band, rule in winners.items():
        version = context.covering[rule.version_id]
        performs = _resolve(rule.performs, context, region_id=version.region_id, physician_part=False)
        who = performs.organisation.name if performs.organisation is not None else "–"
        label = version.band_label(band) if band is not None else "–"
        parts.append(f"{label}: {who} (§ {rule.section.number})")
    rules = tuple(dict.fromkeys(winners.values()))
    return TaskProposal(
        task_type=task_type,
        status=ProposalStatus.UNCLEAR,
        reason=UnclearReason.TIME_BANDS_DIFFER,
        message=_(
            "The visits are planned at times the agreement gives to different parties (%(parts)s); a "
            "person decides, or the task is asked for separately for each time of day."
        )
        % {"parts": "; ".join(parts)},
        candidate_rules=rules,
        candidate_versions=tuple(context.covering[rule.version_id] for rule in rules),
        time_bands=bands,
    )


def _proposal_for_rule(
    task_type: TaskTypeRef, rule: RuleRef, context: _Context, bands: tuple[str, ...]
) -> TaskProposal:
    situation = context.situation
    version = context.covering[rule.version_id]
    notes: list[str] = []
    physician_task = task_type.kind == TaskKind.PHYSICIAN
    region_id = version.region_id
    orders = _resolve(
        rule.orders, context, region_id=region_id, physician_part=True, notes=notes, version=version
    )
    performs = _resolve(
        rule.performs,
        context,
        region_id=region_id,
        physician_part=physician_task,
        notes=notes,
        version=version,
    )
    follows_up = _resolve(
        rule.follows_up, context, region_id=region_id, physician_part=True, notes=notes, version=version
    )

    status, reason = ProposalStatus.PROPOSED, ""
    basis, section = ProposalBasis.AGREEMENT_RULE, rule.section
    message = _("%(agreement)s %(version)s § %(section)s %(heading)s") % {
        "agreement": version.title,
        "version": version.version,
        "section": rule.section.number,
        "heading": rule.section.heading,
    }
    if rule.time_bands:
        notes.append(
            _("The rule holds for planned visits in: %(bands)s.")
            % {"bands": ", ".join(version.band_label(b) for b in time_bands_ordered(list(rule.time_bands)))}
        )
    physician_rule = context.rules.physician_rule
    if threshold_applies(
        enabled=version.threshold_principle,
        housing_setting=situation.housing_setting,
        has_open_enrolment=situation.is_enrolled,
    ) and any(_lands_on_kommun(a) for a in (orders, performs, follows_up)):
        region_part = _threshold_party(task_type, version, orders, context)
        orders, performs, follows_up = (
            region_part if _lands_on_kommun(a) else a for a in (orders, performs, follows_up)
        )
        basis, section = ProposalBasis.THRESHOLD_PRINCIPLE, version.threshold_section or rule.section
        moved_to = region_part.organisation.name if region_part.organisation is not None else "–"
        message = threshold_message(moved_to=moved_to, section=rule.section.number)
    assignments = (orders, performs, follows_up)
    if situation.stays_elsewhere and any(_lands_on_kommun(a) for a in assignments):
        notes.append(_stay_note(context))
    problems = [a.problem for a in assignments if not a.resolved and a.problem]
    if physician_rule is not None and physician_task and any(_lands_on_kommun(a) for a in assignments):
        status, reason = ProposalStatus.UNCLEAR, UnclearReason.PARTY_UNRESOLVED
        message = physician_violation_message(physician_rule)
    elif problems or not all(a.resolved for a in assignments):
        status, reason = ProposalStatus.UNCLEAR, UnclearReason.PARTY_UNRESOLVED
        message = " ".join(dict.fromkeys(problems)) or _("A party could not be determined.")

    max_days = rule.conditions.max_duration_days
    return TaskProposal(
        task_type=task_type,
        status=status,
        reason=reason,
        message=message,
        basis=basis,
        orders=orders,
        performs=performs,
        follows_up=follows_up,
        conditions=rule.conditions,
        rule=rule,
        version=version,
        section=section,
        review_by=context.on + datetime.timedelta(days=max_days) if max_days else None,
        time_bands=bands,
        notes=tuple(dict.fromkeys(notes)),
    )


def _stay_note(context: _Context) -> str:
    organisations = context.rules.organisations
    situation = context.situation
    stay = organisations.get(situation.stay_kommun_id or 0)
    home = organisations.get(situation.home_kommun_id)
    return _(
        "The person stays in %(stay)s: the kommunal part follows where the person stays (HSL 12 kap. 2 §), "
        "not the home kommun %(home)s."
    ) % {"stay": stay.name if stay else "–", "home": home.name if home else "–"}


def _no_rule_message(context: _Context) -> str:
    if not context.applying:
        return _(
            "No agreement in force on %(date)s binds the patient's kommun; a person decides who "
            "is responsible."
        ) % {"date": context.on.isoformat()}
    if not context.covering:
        return _(
            "The agreement does not cover the patient's housing setting; a person decides who is responsible."
        )
    return _("The agreement has no rule for this task; a person decides who is responsible.")


def _threshold_party(
    task_type: TaskTypeRef, version: VersionRef, orders: PartyAssignment, context: _Context
) -> PartyAssignment:
    """Who in the region takes the kommun's part under tröskelprincipen (``agreements.threshold``)."""
    if (
        kommun_part_goes_to_orderer(
            care_level=task_type.care_level,
            specialised_performer=version.threshold_specialised_performer,
        )
        and orders.resolved
        and not _lands_on_kommun(orders)
    ):
        return orders
    return _resolve(
        PartySpec(PartyRef.LISTED_VARDCENTRAL), context, region_id=version.region_id, physician_part=False
    )


def _lands_on_kommun(assignment: PartyAssignment) -> bool:
    kind = assignment.organisation.kind if assignment.organisation is not None else None
    return is_kommun_party(assignment.party, kind) or kind in KOMMUN_SIDE_KINDS


def physician_area(situation: PatientSituation, version: VersionRef) -> AreaRef | None:
    """The vårdcentral ``version`` names for physician input where the patient lives, if any.

    Only the version whose rule decides the task: a local agreement that gives läkarmedverkan by
    listing is not overridden by the regional agreement's areas. A SÄBO unit beats a postal-code area.
    """
    for matches in (AreaRef.matches_unit, AreaRef.matches_postal_code):
        for area in version.physician_areas:
            if matches(area, situation):
                return area
    return None


def _area_note(area: AreaRef, context: _Context) -> str:
    vardcentral = context.rules.organisations.get(area.vardcentral_id)
    return _(
        "Physician input by area: %(vardcentral)s answers for %(area)s (§ %(section)s), whatever "
        "vårdcentral the patient is listed at."
    ) % {
        "vardcentral": vardcentral.name if vardcentral else "–",
        "area": area.housing_unit or area.district or ", ".join(area.postal_codes),
        "section": area.section.number,
    }


def _resolve(
    spec: PartySpec,
    context: _Context,
    *,
    region_id: int,
    physician_part: bool,
    notes: list[str] | None = None,
    version: VersionRef | None = None,
) -> PartyAssignment:
    situation = context.situation
    organisation_id: int | None
    problem = ""
    match spec.party:
        case PartyRef.LISTED_VARDCENTRAL:
            organisation_id = situation.listed_vardcentral_id
            area = physician_area(situation, version) if physician_part and version is not None else None
            if area is not None:
                organisation_id = area.vardcentral_id
                if notes is not None and organisation_id != situation.listed_vardcentral_id:
                    notes.append(_area_note(area, context))
            elif organisation_id is None:
                problem = _("The patient is not listed at a vårdcentral.")
        case PartyRef.ENROLMENT_KOMMUN:
            organisation_id = situation.kommun_id
        case PartyRef.CASE_SPECIALIST_CLINIC:
            organisation_id = situation.specialist_clinic_id or spec.organisation_id
            if organisation_id is None:
                problem = _("The rule needs the specialist clinic named on the case, and none is named.")
        case PartyRef.SPECIALIST_OR_VARDCENTRAL:
            organisation_id = situation.specialist_clinic_id or situation.listed_vardcentral_id
            if organisation_id is None:
                problem = _(
                    "No specialist clinic is named on the case and the patient is not listed at a "
                    "vårdcentral."
                )
        case PartyRef.MOBILE_TEAM:
            organisation_id, problem = _mobile_team(spec, context)
        case PartyRef.REGION:
            organisation_id = region_id
        case PartyRef.ORGANISATION:
            organisation_id = spec.organisation_id
        case _:
            organisation_id = None
            problem = _("The rule names an unknown kind of party.")
    if organisation_id is None:
        return PartyAssignment(party=spec.party, organisation=None, problem=problem)
    organisation = context.rules.organisations.get(organisation_id)
    if organisation is None:
        return PartyAssignment(
            party=spec.party, organisation=None, problem=_("The organisation could not be found.")
        )
    principal = None
    if organisation.kind == OrganisationKind.PRIVATE_PERFORMER:
        principal = context.rules.organisations.get(organisation.kommun_id or 0)
    if not organisation.is_active:
        return PartyAssignment(
            party=spec.party,
            organisation=organisation,
            problem=_("%(name)s is no longer active.") % {"name": organisation.name},
            principal=principal,
        )
    return PartyAssignment(party=spec.party, organisation=organisation, principal=principal)


def _mobile_team(spec: PartySpec, context: _Context) -> tuple[int | None, str]:
    if spec.organisation_id is not None:
        return spec.organisation_id, ""
    teams = [
        team
        for team_id in context.rules.mobile_team_ids
        if (team := context.rules.organisations.get(team_id)) is not None and team.is_active
    ]
    if len(teams) == 1:
        return teams[0].id, ""
    if not teams:
        return None, _("The region has no active mobile team.")
    local = [team for team in teams if team.kommun_id == context.situation.kommun_id]
    if len(local) == 1:
        return local[0].id, ""
    return None, _("The region has several mobile teams; the rule must name one.")
