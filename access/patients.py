"""Who may see a patient, and who may see the identity of a patient with skyddad identitet.

The rule, in one place (HSL and PDL: access follows the care relationship):

* a member of a **kommun** sees patients with an open enrolment in that kommun, and patients folkbokförda
  there who live in special housing (the kommun is principal for health care there, HSL 12 kap. 1 §);
* **MAS and MAR** see the patients their kommun gives, gave or is asked to give health care: enrolled
  there now or before, or named on a case with the kommun as party, open or closed (they follow up that
  care, lex Maria included, after it has ended); not every person folkbokförd in the kommun, most of
  whom receive no kommunal hälso- och sjukvård (need to know, PDL 4 kap.);
* a member of a **vårdcentral** sees the patients listed there;
* a member of any organisation **named on one of the patient's open cases** sees the patient
  (``access.parties``);
* the **admin** role gives no access to patient data at all.

Skyddad identitet (a marking Skatteverket sets: sekretessmarkering, kvarskrivning, fingerade
personuppgifter) hides name, address and personnummer from everyone but **the care staff treating the
person**:

* the nurses and rehab staff of the kommun where the patient has an open enrolment, and that kommun's
  MAS and MAR (who carry the medical responsibility for that care and must be able to identify the
  patient in a deviation or lex Maria investigation);
* the physicians (``gp``) of the vårdcentral where the patient is listed.

Nobody else sees the identity, even when they may see the patient: not coordinators (of a kommun or a
vårdcentral), not the staff of an organisation that is only a party to one of the patient's cases, not
MAS/MAR of the kommun of folkbokföring alone. This holds for API clients as for people, because a client
acts through the same memberships: a client acting on its own account holds ``coordinator``
memberships (``integrations.services``), so it always gets the masked identity, read-only or not; a
client acting on behalf of a person (``X-On-Behalf-Of``) gets exactly what that person would get.
``tests/patients/test_masking.py`` pins this down.

Members of a **joint body** (``governance``) who reach the patient only through a body at a
pseudonymised escalation level see no identity either, protected or not (``access.pseudonym``,
``pseudonymised``; PDL 4 kap. 1 §: a joint committee has no care relationship): they see the
pseudonym of ``patients.pseudonym`` (age, sex, housing) instead.

Each rule exists twice, on purpose: as a database filter (``visible_patients_q``, ``identity_visible_q``)
for lists and searches, and as a pure function over a patient's facts (``granting_membership``,
``identity_visible``) for single reads, for each row shown and for naming, in the access log, the
membership that gave access. ``tests/patients/test_access_rules.py`` and ``test_masking.py`` check that
they agree. Nödåtkomst (``emergency_membership``) is the one way past the rule, and is logged as such by
``patients.selectors.patient_get_emergency``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery

from directory.actor import Actor
from directory.models import Membership, OrganisationKind, Role
from patients.models import Enrolment, HousingSetting, Patient

from .parties import CaseFacts, case_facts, case_facts_many, kommun_care_q, patients_with_open_case_q
from .pseudonym import care_actor, deciding_bodies, identified_bodies, identified_q
from .roles import (
    CASE_PARTY_ROLES,
    EMERGENCY_ROLES,
    IDENTITY_KOMMUN_ROLES,
    IDENTITY_VARDCENTRAL_ROLES,
    KOMMUN_CARE_ROLES,
    KOMMUN_OVERSIGHT_ROLES,
    VARDCENTRAL_CARE_ROLES,
)


@dataclass(frozen=True)
class PatientFacts:
    """What the access rule needs to know about one patient."""

    folkbokforing_kommun_id: int
    housing_setting: str
    listed_vardcentral_id: int | None
    open_enrolment_kommun_id: int | None
    case_organisation_ids: Collection[int] = ()
    # The kommuner that give, gave or were asked to give the patient health care (``CaseFacts``).
    kommuner_in_care: Collection[int] = ()
    # The patient, for the facts a joint body's member needs loaded (``pseudonymised``).
    patient_id: int | None = None
    # The joint bodies (public ids) that handled one of the patient's cases at an identified level;
    # ``None`` when not loaded (``pseudonymised`` loads it).
    identified_bodies: frozenset[str] | None = None


def _memberships(actor: Actor, kind: str, roles: frozenset[str]) -> list[Membership]:
    return [m for m in actor.memberships if m.organisation.kind == kind and m.role in roles]


# --- The rule over one patient's facts ----------------------------------------------------------------


def granting_membership(actor: Actor, facts: PatientFacts) -> Membership | None:
    """The first membership of ``actor`` that gives access to the patient, or ``None``."""
    for membership in actor.memberships:
        org_id = membership.organisation_id
        kind = membership.organisation.kind
        role = membership.role
        if role == Role.ADMIN:
            continue
        if kind == OrganisationKind.KOMMUN and role in KOMMUN_CARE_ROLES:
            if facts.open_enrolment_kommun_id == org_id:
                return membership
            if (
                facts.folkbokforing_kommun_id == org_id
                and facts.housing_setting == HousingSetting.SPECIAL_HOUSING
            ):
                return membership
            if role in KOMMUN_OVERSIGHT_ROLES and org_id in facts.kommuner_in_care:
                return membership
        if (
            kind == OrganisationKind.VARDCENTRAL
            and role in VARDCENTRAL_CARE_ROLES
            and facts.listed_vardcentral_id == org_id
        ):
            return membership
        if role in CASE_PARTY_ROLES and org_id in facts.case_organisation_ids:
            return membership
    return None


def pseudonymised(actor: Actor, facts: PatientFacts) -> bool:
    """Whether ``actor`` sees the patient only as a member of joint bodies at pseudonymised escalation
    levels (``access.pseudonym``): then name, address and personnummer are hidden from them."""
    bodies = deciding_bodies(actor)
    if not bodies:
        return False
    if granting_membership(care_actor(actor), facts) is not None:
        return False
    known = facts.identified_bodies
    if known is None:
        known = (
            identified_bodies([facts.patient_id]).get(facts.patient_id, frozenset())
            if facts.patient_id is not None
            else frozenset()
        )
    return not (set(bodies) & known)


def identity_visible(actor: Actor, facts: PatientFacts, *, protected_identity: bool) -> bool:
    """Whether ``actor`` may see name, address and personnummer of the patient."""
    if pseudonymised(actor, facts):
        return False
    if not protected_identity:
        return True
    for membership in actor.memberships:
        kind = membership.organisation.kind
        if (
            kind == OrganisationKind.KOMMUN
            and membership.role in IDENTITY_KOMMUN_ROLES
            and facts.open_enrolment_kommun_id == membership.organisation_id
        ):
            return True
        if (
            kind == OrganisationKind.VARDCENTRAL
            and membership.role in IDENTITY_VARDCENTRAL_ROLES
            and facts.listed_vardcentral_id == membership.organisation_id
        ):
            return True
    return False


def emergency_membership(actor: Actor, *, region_id: int | None) -> Membership | None:
    """A care-role membership of ``actor`` in an organisation of the patient's region, or ``None``: the
    membership through which ``actor`` may open the patient by nödåtkomst (PDL 4 kap. 4 §)."""
    for membership in actor.memberships:
        organisation = membership.organisation
        org_region = (
            organisation.pk if organisation.kind == OrganisationKind.REGION else organisation.region_id
        )
        if membership.role in EMERGENCY_ROLES and region_id is not None and org_region == region_id:
            return membership
    return None


# --- The same rules as database filters ------------------------------------------------------------


def visible_patients_q(actor: Actor) -> Q:
    """A filter on ``Patient`` that keeps exactly the patients ``granting_membership`` would allow."""
    q = Q(pk__in=[])
    kommun_care = {m.organisation_id for m in _memberships(actor, OrganisationKind.KOMMUN, KOMMUN_CARE_ROLES)}
    oversight = {
        m.organisation_id for m in _memberships(actor, OrganisationKind.KOMMUN, KOMMUN_OVERSIGHT_ROLES)
    }
    vardcentraler = {
        m.organisation_id for m in _memberships(actor, OrganisationKind.VARDCENTRAL, VARDCENTRAL_CARE_ROLES)
    }
    if kommun_care:
        q |= Q(
            Exists(
                Enrolment.objects.filter(
                    patient=OuterRef("pk"), kommun_id__in=kommun_care, ends_on__isnull=True
                )
            )
        )
        q |= Q(folkbokforing_kommun_id__in=kommun_care, housing_setting=HousingSetting.SPECIAL_HOUSING)
    if oversight:
        q |= kommun_care_q(oversight)
    if vardcentraler:
        q |= Q(listed_vardcentral_id__in=vardcentraler)
    case_orgs = {m.organisation_id for m in actor.memberships if m.role in CASE_PARTY_ROLES}
    if case_orgs:
        q |= patients_with_open_case_q(case_orgs)
    return q


def identity_visible_q(actor: Actor) -> Q:
    """A filter on ``Patient`` keeping exactly the patients whose identity ``identity_visible`` shows."""
    kommuner = {
        m.organisation_id for m in _memberships(actor, OrganisationKind.KOMMUN, IDENTITY_KOMMUN_ROLES)
    }
    vardcentraler = {
        m.organisation_id
        for m in _memberships(actor, OrganisationKind.VARDCENTRAL, IDENTITY_VARDCENTRAL_ROLES)
    }
    q = Q(protected_identity=False)
    if deciding_bodies(actor):
        # A joint body's member sees the identity only through another route or an identified level.
        q &= visible_patients_q(care_actor(actor)) | identified_q(actor)
    if kommuner:
        q |= Q(
            Exists(
                Enrolment.objects.filter(patient=OuterRef("pk"), kommun_id__in=kommuner, ends_on__isnull=True)
            )
        )
    if vardcentraler:
        q |= Q(listed_vardcentral_id__in=vardcentraler)
    return q


# --- A patient's facts, loaded ------------------------------------------------------------------------


def open_enrolment_kommun(patient_ref: str = "pk") -> Subquery:
    """The kommun of the patient's open enrolment, as an expression for an annotation over rows that name
    the patient in ``patient_ref`` (``pk`` on ``Patient``, ``patient_id`` on a record about a patient)."""
    open_enrolment = Enrolment.objects.filter(patient=OuterRef(patient_ref), ends_on__isnull=True)
    return Subquery(open_enrolment.values("kommun_id")[:1])


def _annotated_open_kommun(patient: Patient) -> tuple[bool, int | None]:
    """Whether ``patient`` was loaded with the ``open_enrolment_kommun_id`` annotation, and its value."""
    if not hasattr(patient, "open_enrolment_kommun_id"):
        return False, None
    value: int | None = patient.open_enrolment_kommun_id
    return True, value


def patient_facts(patient: Patient, *, with_cases: bool = True) -> PatientFacts:
    """The facts the rule needs about ``patient``.

    The open enrolment comes from the ``open_enrolment_kommun_id`` annotation when the patient was loaded
    with it (``patients.selectors`` does), from one query otherwise; the organisations on the patient's
    cases and enrolments (the organisations on open cases, the kommuner in care) cost one more query
    (``with_cases=False`` leaves them out).
    """
    annotated, open_kommun = _annotated_open_kommun(patient)
    if not annotated:
        open_kommun = (
            Enrolment.objects.open().filter(patient=patient).values_list("kommun_id", flat=True).first()
        )
    facts = PatientFacts(
        folkbokforing_kommun_id=patient.folkbokforing_kommun_id,
        housing_setting=patient.housing_setting,
        listed_vardcentral_id=patient.listed_vardcentral_id,
        open_enrolment_kommun_id=open_kommun,
        patient_id=patient.pk,
    )
    return _with_cases(facts, case_facts(patient.pk)) if with_cases else facts


def _with_cases(facts: PatientFacts, found: CaseFacts) -> PatientFacts:
    return dataclasses.replace(
        facts, case_organisation_ids=found.open_case_organisations, kommuner_in_care=found.kommuner_in_care
    )


@dataclass(frozen=True)
class PatientGrant:
    """What the rule decided for one patient and one person: ``membership`` is ``None`` when the person
    may not see the patient at all."""

    facts: PatientFacts
    membership: Membership | None
    identity_visible: bool


def patients_granted(*, actor: Actor, patients: Sequence[Patient]) -> dict[int, PatientGrant]:
    """The rule applied to each of ``patients``, by patient id, in at most two queries whatever their
    number: the open enrolments of those loaded without the annotation, and the organisations on the open
    cases of those the person sees only through a case."""
    annotated = {p.pk: _annotated_open_kommun(p) for p in patients}
    unannotated = [pk for pk, (known, _kommun) in annotated.items() if not known]
    open_kommun: dict[int, int | None] = {pk: kommun for pk, (known, kommun) in annotated.items() if known}
    if unannotated:
        open_kommun.update(
            Enrolment.objects.open().filter(patient_id__in=unannotated).values_list("patient_id", "kommun_id")
        )
    facts_of: dict[int, PatientFacts] = {}
    granted: dict[int, Membership | None] = {}
    for patient in patients:
        facts = PatientFacts(
            folkbokforing_kommun_id=patient.folkbokforing_kommun_id,
            housing_setting=patient.housing_setting,
            listed_vardcentral_id=patient.listed_vardcentral_id,
            open_enrolment_kommun_id=open_kommun.get(patient.pk),
            patient_id=patient.pk,
        )
        facts_of[patient.pk] = facts
        granted[patient.pk] = granting_membership(actor, facts)
    through_cases = [pk for pk, membership in granted.items() if membership is None]
    if through_cases:
        found = case_facts_many(through_cases)
        for pk in through_cases:
            facts_of[pk] = _with_cases(facts_of[pk], found.get(pk, CaseFacts()))
            granted[pk] = granting_membership(actor, facts_of[pk])
    if deciding_bodies(actor):
        identified = identified_bodies(list(facts_of))
        facts_of = {
            pk: dataclasses.replace(facts, identified_bodies=identified[pk]) for pk, facts in facts_of.items()
        }
    protected = {p.pk: p.protected_identity for p in patients}
    return {
        pk: PatientGrant(
            facts=facts,
            membership=granted[pk],
            identity_visible=identity_visible(actor, facts, protected_identity=protected[pk]),
        )
        for pk, facts in facts_of.items()
    }


def identity_visible_many(
    *, actor: Actor, patients: Sequence[Patient], open_kommun: Mapping[int, int | None] | None = None
) -> dict[int, bool]:
    """``identity_visible`` for each of ``patients`` (by id), for rows shown in a list.

    Only a patient with skyddad identitet needs more than the patient row: their open enrolment, from
    ``open_kommun`` (by patient id) when the caller loaded it with the rows (``open_enrolment_kommun``),
    otherwise loaded here for all of them in one query (and in none when no patient shown has skyddad
    identitet).
    """
    if deciding_bodies(actor):
        return _identity_visible_many_deciding(actor=actor, patients=patients, open_kommun=open_kommun)
    visible = {p.pk: True for p in patients if not p.protected_identity}
    protected = [p for p in patients if p.protected_identity]
    if not protected:
        return visible
    known: dict[int, int | None] = dict(open_kommun or {})
    for patient in protected:
        annotated, kommun = _annotated_open_kommun(patient)
        if annotated:
            known[patient.pk] = kommun
    missing = {p.pk for p in protected if p.pk not in known}
    if missing:
        known.update(dict.fromkeys(missing))
        known.update(
            Enrolment.objects.open().filter(patient_id__in=missing).values_list("patient_id", "kommun_id")
        )
    for patient in protected:
        facts = PatientFacts(
            folkbokforing_kommun_id=patient.folkbokforing_kommun_id,
            housing_setting=patient.housing_setting,
            listed_vardcentral_id=patient.listed_vardcentral_id,
            open_enrolment_kommun_id=known[patient.pk],
        )
        visible[patient.pk] = identity_visible(actor, facts, protected_identity=True)
    return visible


def _identity_visible_many_deciding(
    *, actor: Actor, patients: Sequence[Patient], open_kommun: Mapping[int, int | None] | None
) -> dict[int, bool]:
    """``identity_visible_many`` for a member of a joint body: every patient's facts are needed (whether
    another route reaches them, whether a body of theirs handled them at an identified level); three
    queries whatever the number of patients."""
    ids = [p.pk for p in patients]
    known: dict[int, int | None] = dict.fromkeys(ids)
    known.update(Enrolment.objects.open().filter(patient_id__in=ids).values_list("patient_id", "kommun_id"))
    known.update({pk: kommun for pk, kommun in (open_kommun or {}).items() if kommun is not None})
    cases = case_facts_many(ids)
    identified = identified_bodies(ids)
    visible: dict[int, bool] = {}
    for patient in patients:
        facts = _with_cases(
            PatientFacts(
                folkbokforing_kommun_id=patient.folkbokforing_kommun_id,
                housing_setting=patient.housing_setting,
                listed_vardcentral_id=patient.listed_vardcentral_id,
                open_enrolment_kommun_id=known[patient.pk],
                patient_id=patient.pk,
                identified_bodies=identified[patient.pk],
            ),
            cases.get(patient.pk, CaseFacts()),
        )
        visible[patient.pk] = identity_visible(actor, facts, protected_identity=patient.protected_identity)
    return visible
