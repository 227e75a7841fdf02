"""Which organisations a case names, and so who may see the case and its patient.

A case is seen by the members (in a care role, never ``admin``) of the organisations on it: its kommun,
the patient's listed vårdcentral, the ordering specialist clinic and, while the case is escalated, the
joint body of the current level. ``patients.access`` calls the two functions at the bottom, so a party
to an open case also sees the patient.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, OuterRef, Q

from directory.actor import Actor
from directory.models import Membership
from patients.access import CASE_PARTY_ROLES

from .models import OPEN_STATUSES, CaseStatus, ResponsibilityCase


def case_parties_q(organisation_ids: Collection[int]) -> Q:
    """A filter on ``ResponsibilityCase``: cases naming one of ``organisation_ids``."""
    ids = list(organisation_ids)
    if not ids:
        return Q(pk__in=[])
    return (
        Q(kommun_id__in=ids)
        | Q(vardcentral_id__in=ids)
        | Q(specialist_clinic_id__in=ids)
        | Q(status=CaseStatus.ESCALATED, escalation_body_id__in=ids)
    )


def case_organisation_ids(case: ResponsibilityCase) -> frozenset[int]:
    ids = {case.kommun_id, case.vardcentral_id, case.specialist_clinic_id}
    if case.status == CaseStatus.ESCALATED:
        ids.add(case.escalation_body_id)
    return frozenset(i for i in ids if i is not None)


def party_organisation_ids(actor: Actor) -> frozenset[int]:
    return frozenset(m.organisation_id for m in actor.memberships if m.role in CASE_PARTY_ROLES)


def visible_cases_q(actor: Actor) -> Q:
    return case_parties_q(party_organisation_ids(actor))


def granting_membership(actor: Actor, case: ResponsibilityCase) -> Membership | None:
    """The first membership of ``actor`` that lets them see ``case``, or ``None``."""
    on_case = case_organisation_ids(case)
    for membership in actor.memberships:
        if membership.role in CASE_PARTY_ROLES and membership.organisation_id in on_case:
            return membership
    return None


def patients_with_open_case_q(organisation_ids: Collection[int]) -> Q:
    """A filter on ``Patient``: patients with an open case naming one of ``organisation_ids``."""
    if not organisation_ids:
        return Q(pk__in=[])
    open_cases = ResponsibilityCase.objects.filter(patient=OuterRef("pk"), status__in=OPEN_STATUSES).filter(
        case_parties_q(organisation_ids)
    )
    return Q(Exists(open_cases))


def organisations_on_open_cases(patient_id: int) -> frozenset[int]:
    return organisations_on_open_cases_many([patient_id]).get(patient_id, frozenset())


def organisations_on_open_cases_many(patient_ids: Collection[int]) -> dict[int, frozenset[int]]:
    """For each patient, the organisations named on their open cases; one query for all of them."""
    found: dict[int, set[int]] = {}
    rows = ResponsibilityCase.objects.filter(patient_id__in=list(patient_ids), status__in=OPEN_STATUSES)
    for patient_id, kommun_id, vardcentral_id, clinic_id, status, body_id in rows.values_list(
        "patient_id", "kommun_id", "vardcentral_id", "specialist_clinic_id", "status", "escalation_body_id"
    ):
        ids = found.setdefault(patient_id, set())
        ids.update(i for i in (kommun_id, vardcentral_id, clinic_id) if i is not None)
        if status == CaseStatus.ESCALATED and body_id is not None:
            ids.add(body_id)
    return {patient_id: frozenset(ids) for patient_id, ids in found.items()}
