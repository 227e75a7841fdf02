"""Reads of patient data. Each one takes the acting person, applies ``access.patients`` and logs.

A read returns ``Seen[Patient]`` (``access.seen``): the patient, the membership that granted the read and
whether the person may see the identity of a patient with skyddad identitet. A list is logged by the
function that returns its rows (``patients_listed``), one row per patient shown.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Exists, F, OuterRef, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from access.cases import visible_cases_q
from access.patients import (
    PatientFacts,
    emergency_membership,
    granting_membership,
    identity_visible,
    identity_visible_q,
    open_enrolment_kommun,
    patient_facts,
    patients_granted,
    visible_patients_q,
)
from access.seen import Seen
from audit.models import Action, Outcome, Purpose
from audit.records import RECORD_ENROLMENT, RECORD_PATIENT
from audit.services import Access, access_log_record
from cases.models import OPEN_STATUSES, ResponsibilityCase
from directory.actor import Actor
from directory.models import Membership
from hemsjukvard.search import fold

from .models import Enrolment, Patient
from .personnummer import is_reservnummer, parse_identity, reservnummer_normalised


def _with_open_enrolment(queryset: QuerySet[Patient]) -> QuerySet[Patient]:
    return queryset.annotate(open_enrolment_kommun_id=open_enrolment_kommun("pk"))


def patients_visible(*, actor: Actor) -> QuerySet[Patient]:
    """Every patient ``actor`` may see, unread: for composing other queries, never for display."""
    return Patient.objects.filter(visible_patients_q(actor))


_DIGITS = re.compile(r"^[\d\-+ ]{6,}$")


@dataclass(frozen=True)
class PatientFilters:
    """What the patient list may be narrowed to, besides the search (each empty value: no filter).

    ``open_case`` and ``task_type`` look only at open cases the person may see themselves: a filter never
    tells about a case of another organisation that the person could not open.
    """

    housing: str = ""
    vardcentral: uuid.UUID | None = None
    enrolled: bool | None = None
    open_case: bool | None = None
    task_type: str = ""


def _filtered(queryset: QuerySet[Patient], *, actor: Actor, filters: PatientFilters) -> QuerySet[Patient]:
    if filters.housing:
        queryset = queryset.filter(housing_setting=filters.housing)
    if filters.vardcentral is not None:
        queryset = queryset.filter(listed_vardcentral__public_id=filters.vardcentral)
    if filters.enrolled is not None:
        enrolled = Exists(Enrolment.objects.filter(patient=OuterRef("pk"), ends_on__isnull=True))
        queryset = queryset.filter(enrolled if filters.enrolled else ~enrolled)
    if filters.open_case is not None or filters.task_type:
        open_cases = ResponsibilityCase.objects.filter(
            patient=OuterRef("pk"), status__in=OPEN_STATUSES
        ).filter(visible_cases_q(actor))
        if filters.open_case is not None:
            queryset = queryset.filter(Exists(open_cases) if filters.open_case else ~Exists(open_cases))
        if filters.task_type:
            queryset = queryset.filter(Exists(open_cases.filter(tasks__task_type__code=filters.task_type)))
    return queryset


def patient_list(
    *, actor: Actor, search: str = "", filters: PatientFilters | None = None
) -> QuerySet[Patient]:
    """Visible patients, optionally searched by personnummer or name and narrowed by ``filters``,
    unread: choose a page of it and show that page through ``patients_listed``, which logs it.

    A name is searched in ``search_name`` (``hemsjukvard.search``): each word typed, folded the same way,
    must occur in the patient's folded name, so "marta" finds Märta and "OSTLUND" finds Östlund, on
    PostgreSQL and SQLite alike.

    A search never matches on the identity of a patient with skyddad identitet whom the actor may not
    identify: finding such a patient by name would reveal exactly what the masking hides. For the same
    reason the order never depends on a masked identity: the patients whose identity the actor may see
    come first by name, then the masked ones in an order that says nothing about who they are (their
    random public id). The order is SQL's, so every page of a paginated list agrees with the others.
    """
    queryset = _with_open_enrolment(patients_visible(actor=actor)).select_related(
        "folkbokforing_kommun", "listed_vardcentral", "fast_lakarkontakt", "fast_vardkontakt"
    )
    if filters is not None:
        queryset = _filtered(queryset, actor=actor, filters=filters)
    search = search.strip()
    if search:
        if is_reservnummer(search):
            # The region's reserve number, found whole: it is no personnummer, so no part of it is a date.
            queryset = queryset.filter(personal_identity=reservnummer_normalised(search))
        elif _DIGITS.match(search):
            try:
                digits = parse_identity(search).digits
            except Exception:
                digits = re.sub(r"\D", "", search)
                queryset = queryset.filter(personal_identity__contains=digits)
            else:
                queryset = queryset.filter(personal_identity=digits)
        else:
            for word in fold(search).split():
                queryset = queryset.filter(search_name__contains=word)
        # Every patient found may be identified: the name order reveals nothing masked.
        return queryset.filter(identity_visible_q(actor)).order_by("family_name", "given_name", "pk")
    return _in_name_order_masked_last(queryset, actor=actor)


def _in_name_order_masked_last(queryset: QuerySet[Patient], *, actor: Actor) -> QuerySet[Patient]:
    # PostgreSQL evaluates CASE branches in order: the identity rule's EXISTS runs only for protected rows.
    masked = Case(
        When(protected_identity=False, then=Value(False)),
        When(identity_visible_q(actor), then=Value(False)),
        default=Value(True),
        output_field=BooleanField(),
    )
    return queryset.annotate(identity_masked_in_order=masked).order_by(
        "identity_masked_in_order",
        Case(When(identity_masked_in_order=False, then=F("family_name"))),
        Case(When(identity_masked_in_order=False, then=F("given_name"))),
        Case(When(identity_masked_in_order=True, then=F("public_id"))),
        "pk",
    )


def patients_listed(*, actor: Actor, patients: Sequence[Patient]) -> list[Seen[Patient]]:
    """``patients`` (a page of ``patient_list``) as ``actor`` sees them, each one logged as listed.

    One log write and at most two queries for the rule whatever the number of patients. A patient the
    actor may not see is left out (and not logged): the list's queryset already applies the same rule as
    a filter, so this is a second line, not the first.
    """
    grants = patients_granted(actor=actor, patients=patients)
    shown: list[Seen[Patient]] = []
    for patient in patients:
        grant = grants[patient.pk]
        if grant.membership is not None:
            shown.append(
                Seen(obj=patient, membership=grant.membership, identity_visible=grant.identity_visible)
            )
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=seen.obj.pk,
                record_type=RECORD_PATIENT,
                record_id=str(seen.obj.public_id),
                membership=seen.membership,
            )
            for seen in shown
        ],
        action=Action.LIST,
    )
    return shown


def _deny(actor: Actor, *, patient_id: int | None, record_type: str, record_id: str) -> Http404:
    access_log_record(
        actor=actor,
        accesses=[Access(patient_id=patient_id, record_type=record_type, record_id=record_id)],
        action=Action.READ,
        outcome=Outcome.DENIED,
        purpose=Purpose.NONE,
    )
    return Http404(_("No patient found."))


def _patient_by_key(
    *, actor: Actor, public_id: uuid.UUID | str, record_type: str
) -> tuple[uuid.UUID, Patient]:
    """The patient with this id, with what the access rule needs; a logged 404 if there is none."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404(_("No patient found.")) from None
    patient = (
        _with_open_enrolment(Patient.objects.filter(public_id=key))
        .select_related("folkbokforing_kommun", "listed_vardcentral", "fast_lakarkontakt", "fast_vardkontakt")
        .first()
    )
    if patient is None:
        raise _deny(actor, patient_id=None, record_type=record_type, record_id=str(key))
    return key, patient


def _granted(
    *,
    actor: Actor,
    patient: Patient,
    facts: PatientFacts,
    membership: Membership,
    record_type: str,
    record_id: str,
    action: str,
    purpose: str = Purpose.CARE_RELATIONSHIP,
    reason: str = "",
) -> Seen[Patient]:
    """Log the read of ``patient`` by ``actor`` through ``membership`` and return it as seen."""
    access_log_record(
        actor=actor,
        accesses=[
            Access(patient_id=patient.pk, record_type=record_type, record_id=record_id, membership=membership)
        ],
        action=action,
        purpose=purpose,
        reason=reason,
    )
    return Seen(
        obj=patient,
        membership=membership,
        identity_visible=identity_visible(actor, facts, protected_identity=patient.protected_identity),
    )


def patient_get(
    *,
    actor: Actor,
    public_id: uuid.UUID | str,
    action: str = Action.READ,
    record_type: str = RECORD_PATIENT,
) -> Seen[Patient]:
    """One patient, if ``actor`` may see them; logs the read (or the denied attempt) either way.

    Another organisation's patient and a patient that does not exist are the same 404.
    """
    key, patient = _patient_by_key(actor=actor, public_id=public_id, record_type=record_type)
    facts = patient_facts(patient)
    membership = granting_membership(actor, facts)
    if membership is None:
        raise _deny(actor, patient_id=patient.pk, record_type=record_type, record_id=str(key))
    return _granted(
        actor=actor,
        patient=patient,
        facts=facts,
        membership=membership,
        record_type=record_type,
        record_id=str(key),
        action=action,
    )


def enrolments_for_patient(*, actor: Actor, patient: Seen[Patient]) -> list[Enrolment]:
    """A patient's enrolments; ``patient`` is what ``patient_get`` returned (which logged the read)."""
    enrolments = list(
        Enrolment.objects.filter(patient=patient.obj)
        .select_related("kommun", "enrolled_by", "ended_by")
        .order_by("-starts_on", "-pk")
    )
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=patient.obj.pk,
                record_type=RECORD_ENROLMENT,
                record_id=str(e.public_id),
                membership=patient.membership,
            )
            for e in enrolments
        ],
        action=Action.READ,
    )
    return enrolments


def enrolment_get(*, actor: Actor, public_id: uuid.UUID | str) -> Seen[Enrolment]:
    """One enrolment, if ``actor`` may see its patient; logged like a patient read."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404(_("No enrolment found.")) from None
    patient_public_id = (
        Enrolment.objects.filter(public_id=key).values_list("patient__public_id", flat=True).first()
    )
    if patient_public_id is None:
        raise _deny(actor, patient_id=None, record_type=RECORD_ENROLMENT, record_id=str(key))
    seen = patient_get(actor=actor, public_id=patient_public_id, record_type=RECORD_ENROLMENT)
    enrolment = Enrolment.objects.select_related("kommun", "enrolled_by", "ended_by").get(public_id=key)
    enrolment.patient = seen.obj
    return seen.of(enrolment)


# --- Emergency access (nödåtkomst) ----------------------------------------------------------------


def patient_get_emergency(*, actor: Actor, public_id: uuid.UUID | str, reason: str) -> Seen[Patient]:
    """Open a patient without a care relationship, stating why (nödåtkomst, PDL 4 kap. 4 §).

    The reason is required. Only care roles in an organisation of the patient's region may do it; anyone
    else gets the same 404 as for a patient who does not exist. The read is logged with purpose
    ``emergency_access`` and the reason, and the access-log review always flags it. Someone who has a
    care relationship anyway is served like ``patient_get``: no emergency is needed.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("State why you need emergency access to this patient.")})
    key, patient = _patient_by_key(actor=actor, public_id=public_id, record_type=RECORD_PATIENT)
    facts = patient_facts(patient)
    if granting_membership(actor, facts) is not None:
        return patient_get(actor=actor, public_id=key)
    membership = emergency_membership(actor, region_id=patient.folkbokforing_kommun.region_id)
    if membership is None:
        access_log_record(
            actor=actor,
            accesses=[Access(patient_id=patient.pk, record_type=RECORD_PATIENT, record_id=str(key))],
            action=Action.READ,
            outcome=Outcome.DENIED,
            purpose=Purpose.NONE,
            reason=reason,
        )
        raise Http404(_("No patient found."))
    return _granted(
        actor=actor,
        patient=patient,
        facts=facts,
        membership=membership,
        record_type=RECORD_PATIENT,
        record_id=str(key),
        action=Action.READ,
        purpose=Purpose.EMERGENCY_ACCESS,
        reason=reason,
    )
