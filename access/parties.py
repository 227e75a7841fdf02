"""Which organisations a responsibility case names: the fact both the patient rule and the case rule
rest on.

A case names its kommun, the kommun where the person stays if not at home (HSL 12 kap. 2 §: it gives the
kommunal part there), the patient's listed vårdcentral, the ordering specialist clinic and, while it is
escalated, the joint body of the current level. Members of those organisations see the case
(``access.cases``), and while the case is open they see its patient too (``access.patients``). Both
read it from here, so the two rules cannot name different organisations, and neither has to import the
other. The kommuner a patient's cases and enrolments name are read here too, in the same query: they
decide whom the kommun's MAS and MAR reach.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import CharField, Exists, IntegerField, OuterRef, Q, Value

from cases.models import OPEN_STATUSES, CaseStatus, ResponsibilityCase
from patients.models import Enrolment

# The status column's value for an enrolment row in ``case_facts_many``'s union: never a case status.
_ENROLMENT = "(enrolment)"


def case_parties_q(organisation_ids: Collection[int]) -> Q:
    """A filter on ``ResponsibilityCase``: cases naming one of ``organisation_ids``."""
    ids = list(organisation_ids)
    if not ids:
        return Q(pk__in=[])
    return (
        Q(kommun_id__in=ids)
        | Q(stay_kommun_id__in=ids)
        | Q(vardcentral_id__in=ids)
        | Q(specialist_clinic_id__in=ids)
        | Q(status=CaseStatus.ESCALATED, escalation_body_id__in=ids)
    )


def case_organisation_ids(case: ResponsibilityCase) -> frozenset[int]:
    """The organisations ``case`` names (``case_parties_q`` for one case in memory)."""
    ids = {case.kommun_id, case.stay_kommun_id, case.vardcentral_id, case.specialist_clinic_id}
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


@dataclass(frozen=True)
class CaseFacts:
    """What a patient's cases and enrolments tell the patient rule.

    ``open_case_organisations``: the organisations named on the patient's open cases. ``kommuner_in_care``:
    the kommuner that give, gave or were asked to give the patient health care: an enrolment there, open
    or ended, or a case with the kommun as party, in any state but draft (MAS and MAR follow up that care,
    lex Maria included, after it has ended).
    """

    open_case_organisations: frozenset[int] = frozenset()
    kommuner_in_care: frozenset[int] = frozenset()


def case_facts(patient_id: int) -> CaseFacts:
    return case_facts_many([patient_id]).get(patient_id, CaseFacts())


def case_facts_many(patient_ids: Collection[int]) -> dict[int, CaseFacts]:
    """``CaseFacts`` for each patient; one query for all of them (the cases and the enrolments together)."""
    ids = list(patient_ids)
    no_org = Value(None, output_field=IntegerField())
    # Unordered: SQLite refuses an ORDER BY inside a compound statement (the models order by default).
    cases = (
        ResponsibilityCase.objects.filter(patient_id__in=ids)
        .order_by()
        .values_list(
            "patient_id",
            "kommun_id",
            "stay_kommun_id",
            "vardcentral_id",
            "specialist_clinic_id",
            "status",
            "escalation_body_id",
        )
    )
    enrolments = (
        Enrolment.objects.filter(patient_id__in=ids)
        .order_by()
        .values_list(
            "patient_id",
            "kommun_id",
            no_org,
            no_org,
            no_org,
            Value(_ENROLMENT, output_field=CharField()),
            no_org,
        )
    )
    open_orgs: dict[int, set[int]] = {}
    kommuner: dict[int, set[int]] = {}
    for patient_id, kommun_id, stay_id, vardcentral_id, clinic_id, status, body_id in cases.union(
        enrolments, all=True
    ):
        in_care = kommuner.setdefault(patient_id, set())
        if status != CaseStatus.DRAFT:  # a draft has asked nobody yet
            in_care.update(i for i in (kommun_id, stay_id) if i is not None)
        if status not in OPEN_STATUSES:
            continue
        orgs = open_orgs.setdefault(patient_id, set())
        orgs.update(i for i in (kommun_id, stay_id, vardcentral_id, clinic_id) if i is not None)
        if status == CaseStatus.ESCALATED and body_id is not None:
            orgs.add(body_id)
    return {
        patient_id: CaseFacts(
            open_case_organisations=frozenset(open_orgs.get(patient_id, ())),
            kommuner_in_care=frozenset(kommuner[patient_id]),
        )
        for patient_id in kommuner
    }


def kommun_care_q(kommun_ids: Collection[int]) -> Q:
    """A filter on ``Patient``: patients to whom one of ``kommun_ids`` gives, gave or was asked to give
    health care (``CaseFacts.kommuner_in_care``)."""
    ids = list(kommun_ids)
    if not ids:
        return Q(pk__in=[])
    enrolled = Enrolment.objects.filter(patient=OuterRef("pk"), kommun_id__in=ids)
    asked = ResponsibilityCase.objects.filter(patient=OuterRef("pk"), kommun_id__in=ids).exclude(
        status=CaseStatus.DRAFT
    )
    asked_where_staying = ResponsibilityCase.objects.filter(
        patient=OuterRef("pk"), stay_kommun_id__in=ids
    ).exclude(status=CaseStatus.DRAFT)
    return Q(Exists(enrolled)) | Q(Exists(asked)) | Q(Exists(asked_where_staying))
