"""Which organisations a responsibility case names: the fact both the patient rule and the case rule
rest on.

A case names its kommun, the patient's listed vårdcentral, the ordering specialist clinic and, while it
is escalated, the joint body of the current level. Members of those organisations see the case
(``access.cases``), and while the case is open they see its patient too (``access.patients``). Both
read it from here, so the two rules cannot name different organisations, and neither has to import the
other.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, OuterRef, Q

from cases.models import OPEN_STATUSES, CaseStatus, ResponsibilityCase


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
    """The organisations ``case`` names (``case_parties_q`` for one case in memory)."""
    ids = {case.kommun_id, case.vardcentral_id, case.specialist_clinic_id}
    if case.status == CaseStatus.ESCALATED:
        ids.add(case.escalation_body_id)
    return frozenset(i for i in ids if i is not None)


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
