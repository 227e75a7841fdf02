"""Who may see a patient, and who may see the identity of a patient with skyddad identitet.

The rule, in one place (HSL and PDL: access follows the care relationship):

* a member of a **kommun** sees patients with an open enrolment in that kommun, and patients folkbokförda
  there who live in special housing (the kommun is principal for health care there, HSL 12 kap. 1 §);
* **MAS and MAR** see every patient folkbokförd in or enrolled by their kommun;
* a member of a **vårdcentral** sees the patients listed there;
* a member of any organisation **named on one of the patient's open cases** sees the patient;
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
``tests/patients/test_masking.py`` pins this down. The identity rule exists twice as well:
``identity_visible`` for one patient and ``identity_visible_q`` as a database filter.

The rule exists twice, on purpose: as a database filter (``visible_patients_q``) for lists, and as a pure
function over a patient's facts (``granting_membership``) for single reads and for naming, in the access
log, the membership that gave access. ``tests/patients/test_access_rules.py`` checks they agree.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from directory.actor import Actor
from directory.models import Membership, OrganisationKind, Role

from .models import Enrolment, HousingSetting

KOMMUN_CARE_ROLES = frozenset({Role.NURSE, Role.REHAB, Role.MAS, Role.MAR, Role.COORDINATOR})
KOMMUN_OVERSIGHT_ROLES = frozenset({Role.MAS, Role.MAR})
KOMMUN_NURSING_STAFF = frozenset({Role.NURSE, Role.REHAB, Role.MAS, Role.MAR})
VARDCENTRAL_CARE_ROLES = frozenset({Role.GP, Role.COORDINATOR})
# Who treats the patient and so may see a protected identity (see the module docstring). Coordinators
# reach the patient (above) but never the identity: they organise care, they do not give it.
IDENTITY_KOMMUN_ROLES = KOMMUN_NURSING_STAFF
IDENTITY_VARDCENTRAL_ROLES = frozenset({Role.GP})
# Roles that reach a patient through a case naming their organisation.
CASE_PARTY_ROLES = frozenset(
    {
        Role.NURSE,
        Role.REHAB,
        Role.MAS,
        Role.MAR,
        Role.GP,
        Role.SPECIALIST,
        Role.COORDINATOR,
        Role.GOVERNANCE,
    }
)


@dataclass(frozen=True)
class PatientFacts:
    """What the access rule needs to know about one patient."""

    folkbokforing_kommun_id: int
    housing_setting: str
    listed_vardcentral_id: int | None
    open_enrolment_kommun_id: int | None
    case_organisation_ids: Collection[int] = ()


def _memberships(actor: Actor, kind: str, roles: frozenset[str]) -> list[Membership]:
    return [m for m in actor.memberships if m.organisation.kind == kind and m.role in roles]


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
            if facts.folkbokforing_kommun_id == org_id and (
                role in KOMMUN_OVERSIGHT_ROLES or facts.housing_setting == HousingSetting.SPECIAL_HOUSING
            ):
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
        q |= Q(folkbokforing_kommun_id__in=oversight)
    if vardcentraler:
        q |= Q(listed_vardcentral_id__in=vardcentraler)
    case_orgs = {m.organisation_id for m in actor.memberships if m.role in CASE_PARTY_ROLES}
    if case_orgs:
        q |= case_party_q(case_orgs)
    return q


def case_party_q(organisation_ids: Collection[int]) -> Q:
    """Patients with an open case naming one of ``organisation_ids``."""
    # Imported here because the cases app builds on patients, not the other way round.
    from cases.access import patients_with_open_case_q

    return patients_with_open_case_q(organisation_ids)


def case_organisation_ids(patient_id: int) -> frozenset[int]:
    from cases.access import organisations_on_open_cases

    return organisations_on_open_cases(patient_id)


def case_organisation_ids_many(patient_ids: Collection[int]) -> dict[int, frozenset[int]]:
    from cases.access import organisations_on_open_cases_many

    return organisations_on_open_cases_many(patient_ids)


def identity_visible(actor: Actor, facts: PatientFacts, *, protected_identity: bool) -> bool:
    """Whether ``actor`` may see name, address and personnummer of the patient."""
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
    if kommuner:
        q |= Q(
            Exists(
                Enrolment.objects.filter(patient=OuterRef("pk"), kommun_id__in=kommuner, ends_on__isnull=True)
            )
        )
    if vardcentraler:
        q |= Q(listed_vardcentral_id__in=vardcentraler)
    return q
