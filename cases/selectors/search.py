"""The case search of coordinators, MAS and MAR: every case they may see, found by its case number
(``HSV-2026-000123``, or only its sequence, ``123``), the beginning of its id, the patient's name or
personnummer, and narrowed by status, task and organisation.

It is ``case_list`` narrowed, so it finds only what the case rule lets the person see, and a page of it
is shown and logged through ``cases_listed`` like every list of cases. A case whose patient has skyddad
identitet that the person sees masked is never found by the patient's name or personnummer: finding it
so would tell exactly what the masking hides (the patient list keeps the same rule).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from access.parties import case_parties_q
from access.patients import identity_visible_q
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind
from hemsjukvard.search import fold
from patients.models import Patient
from patients.personnummer import is_reservnummer, parse_identity, reservnummer_normalised

from ..models import ResponsibilityCase
from ..numbering import DIGITS
from .reads import CaseFilters, case_list

# The beginning of a case's id as printed on its documents ("Ärende 3f2a…"): hex digits and dashes.
_ID_PREFIX = re.compile(r"^[0-9a-f][0-9a-f-]{3,35}$")
_DIGITS = re.compile(r"^[\d\-+ ]{6,}$")
# A case number as people read it out: the whole number, or its sequence with or without the year.
_CASE_NUMBER = re.compile(r"^(?:([a-z]{2,8})-)?(?:(\d{4})-)?(\d{1,9})$")


def _by_case_number(query: str) -> Q:
    """``HSV-2026-000123`` (any case of letters), ``2026-123`` or ``123``; a longer run of digits alone
    is a personnummer, not a case's sequence."""
    match = _CASE_NUMBER.match(query)
    if match is None or (query.isdigit() and len(query) > DIGITS):
        return Q(pk__in=[])
    prefix, year, sequence = match.groups()
    found = Q(number__endswith="-" + sequence.zfill(DIGITS))
    if year:
        found &= Q(number__contains=f"-{year}-")
    if prefix:
        found &= Q(number__istartswith=prefix + "-")
    return found


@dataclass(frozen=True)
class CaseSearch:
    query: str = ""
    status: str = ""
    task_type: str = ""
    organisation: uuid.UUID | None = None


def _identity_visible(actor: Actor) -> Q:
    """On a case: its patient's identity is one the person may see."""
    return Q(Exists(Patient.objects.filter(pk=OuterRef("patient_id")).filter(identity_visible_q(actor))))


def _matching(query: str, actor: Actor) -> Q:
    """The cases ``query`` names: by id prefix, or by the patient's personnummer or name."""
    lowered = query.lower()
    found = Q(pk__in=[])
    found |= _by_case_number(lowered.replace(" ", ""))
    if _ID_PREFIX.match(lowered):
        found |= Q(public_id__startswith=lowered)
    if is_reservnummer(query):
        by_patient = Q(patient__personal_identity=reservnummer_normalised(query))
    elif _DIGITS.match(query):
        try:
            by_patient = Q(patient__personal_identity=parse_identity(query).digits)
        except Exception:
            by_patient = Q(patient__personal_identity__contains=re.sub(r"\D", "", query))
    else:
        by_patient = Q()
        for word in fold(query).split():
            by_patient &= Q(patient__search_name__contains=word)
    if by_patient:
        found |= by_patient & _identity_visible(actor)
    return found


def case_search(*, actor: Actor, search: CaseSearch) -> QuerySet[ResponsibilityCase]:
    """The cases ``actor`` may see that ``search`` finds, newest first, unread: choose a page of it
    (``case_list_keys``) and show that page through ``cases_listed``, which loads and logs it."""
    queryset = case_list(actor=actor, filters=CaseFilters(status=search.status, task_type=search.task_type))
    if search.organisation is not None:
        organisation = Organisation.objects.filter(public_id=search.organisation).values_list("pk", flat=True)
        queryset = queryset.filter(case_parties_q(list(organisation)))
    query = search.query.strip()
    if query:
        queryset = queryset.filter(_matching(query, actor))
    return queryset


def case_organisation_choices(*, actor: Actor) -> list[Organisation]:
    """The organisations a case in the person's regions may name (kommuner, vårdcentraler, clinics, joint
    bodies): the choices of an organisation filter. Directory data, not patient data."""
    regions = {
        m.organisation.pk if m.organisation.kind == OrganisationKind.REGION else m.organisation.region_id
        for m in actor.memberships
    }
    return list(
        Organisation.objects.filter(
            region_id__in=[r for r in regions if r is not None],
            kind__in=[
                OrganisationKind.KOMMUN,
                OrganisationKind.VARDCENTRAL,
                OrganisationKind.SPECIALIST_CLINIC,
                OrganisationKind.JOINT_BODY,
            ],
        ).order_by("kind", "name")
    )
