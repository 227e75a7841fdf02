"""Reads of patient data. Each one takes the acting person, applies ``patients.access`` and logs."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from audit.models import Action, Outcome, Purpose
from audit.records import RECORD_ENROLMENT, RECORD_PATIENT
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Membership, OrganisationKind

from .access import (
    PatientFacts,
    case_organisation_ids,
    case_organisation_ids_many,
    granting_membership,
    identity_visible,
    identity_visible_q,
    visible_patients_q,
)
from .models import Enrolment, Patient
from .personnummer import parse_identity


def _with_open_enrolment(queryset: QuerySet[Patient]) -> QuerySet[Patient]:
    open_enrolment = Enrolment.objects.filter(patient=OuterRef("pk"), ends_on__isnull=True)
    return queryset.annotate(open_enrolment_kommun_id=Subquery(open_enrolment.values("kommun_id")[:1]))


def patient_facts(patient: Patient, *, with_cases: bool = True) -> PatientFacts:
    open_kommun = getattr(patient, "open_enrolment_kommun_id", None)
    if not hasattr(patient, "open_enrolment_kommun_id"):
        open_kommun = (
            Enrolment.objects.open().filter(patient=patient).values_list("kommun_id", flat=True).first()
        )
    return PatientFacts(
        folkbokforing_kommun_id=patient.folkbokforing_kommun_id,
        housing_setting=patient.housing_setting,
        listed_vardcentral_id=patient.listed_vardcentral_id,
        open_enrolment_kommun_id=open_kommun,
        case_organisation_ids=case_organisation_ids(patient.pk) if with_cases else (),
    )


def patients_visible(*, actor: Actor) -> QuerySet[Patient]:
    """Every patient ``actor`` may see, unread: for composing other queries, never for display."""
    return Patient.objects.filter(visible_patients_q(actor))


_DIGITS = re.compile(r"^[\d\-+ ]{6,}$")


def patient_list(*, actor: Actor, search: str = "") -> QuerySet[Patient]:
    """Visible patients, optionally searched by personnummer or name.

    A search never matches on the identity of a patient with skyddad identitet whom the actor may not
    identify: finding such a patient by name would reveal exactly what the masking hides. For the same
    reason the order never depends on a masked identity: the patients whose identity the actor may see
    come first by name, then the masked ones in an order that says nothing about who they are (their
    random public id). The order is SQL's, so every page of a paginated list agrees with the others.
    """
    queryset = _with_open_enrolment(patients_visible(actor=actor)).select_related(
        "folkbokforing_kommun", "listed_vardcentral", "fast_lakarkontakt", "fast_vardkontakt"
    )
    search = search.strip()
    if search:
        if _DIGITS.match(search):
            try:
                digits = parse_identity(search).digits
            except Exception:
                digits = re.sub(r"\D", "", search)
                queryset = queryset.filter(personal_identity__contains=digits)
            else:
                queryset = queryset.filter(personal_identity=digits)
        else:
            for word in search.split():
                queryset = queryset.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
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


def patient_grants(
    *, actor: Actor, patients: Sequence[Patient]
) -> dict[int, tuple[PatientFacts, Membership | None]]:
    """The access-rule facts of each patient and the membership of ``actor`` that grants access (or
    ``None``), in at most two queries whatever the number of patients. Marks ``identity_visible``."""
    unannotated = {p.pk for p in patients if not hasattr(p, "open_enrolment_kommun_id")}
    if unannotated:
        open_kommun = dict(
            Enrolment.objects.open().filter(patient_id__in=unannotated).values_list("patient_id", "kommun_id")
        )
        for patient in patients:
            if patient.pk in unannotated:
                patient.open_enrolment_kommun_id = open_kommun.get(patient.pk)  # type: ignore[attr-defined]
    granted: dict[int, Membership | None] = {}
    facts_of: dict[int, PatientFacts] = {}
    for patient in patients:
        facts_of[patient.pk] = patient_facts(patient, with_cases=False)
        granted[patient.pk] = granting_membership(actor, facts_of[patient.pk])
    # Patients seen only through an open case: one query finds the organisations on their cases.
    through_cases = [pk for pk, membership in granted.items() if membership is None]
    if through_cases:
        case_orgs = case_organisation_ids_many(through_cases)
        for pk in through_cases:
            facts_of[pk] = dataclasses.replace(facts_of[pk], case_organisation_ids=case_orgs.get(pk, ()))
            granted[pk] = granting_membership(actor, facts_of[pk])
    for patient in patients:
        patient.identity_visible = identity_visible(  # type: ignore[attr-defined]
            actor, facts_of[patient.pk], protected_identity=patient.protected_identity
        )
    return {pk: (facts_of[pk], granted[pk]) for pk in facts_of}


def patients_log_listed(*, actor: Actor, patients: Sequence[Patient]) -> None:
    """Log that ``patients`` were shown to ``actor`` in a list, one row each, and mark masking."""
    grants = patient_grants(actor=actor, patients=patients)
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=patient.pk,
                record_type=RECORD_PATIENT,
                record_id=str(patient.public_id),
                membership=grants[patient.pk][1],
            )
            for patient in patients
        ],
        action=Action.LIST,
    )


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
) -> Patient:
    """Mark the patient as read by ``actor`` through ``membership`` (masking too) and log the read."""
    patient.identity_visible = identity_visible(  # type: ignore[attr-defined]
        actor, facts, protected_identity=patient.protected_identity
    )
    patient.granted_by = membership  # type: ignore[attr-defined]
    access_log_record(
        actor=actor,
        accesses=[
            Access(patient_id=patient.pk, record_type=record_type, record_id=record_id, membership=membership)
        ],
        action=action,
        purpose=purpose,
        reason=reason,
    )
    return patient


def patient_get(
    *,
    actor: Actor,
    public_id: uuid.UUID | str,
    action: str = Action.READ,
    record_type: str = RECORD_PATIENT,
) -> Patient:
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


def enrolments_for_patient(*, actor: Actor, patient: Patient) -> list[Enrolment]:
    """A patient's enrolments; ``patient`` must come from ``patient_get`` (which logged the read)."""
    membership = getattr(patient, "granted_by", None)
    if membership is None:
        raise Http404(_("No patient found."))
    enrolments = list(
        Enrolment.objects.filter(patient=patient)
        .select_related("kommun", "enrolled_by", "ended_by")
        .order_by("-starts_on", "-pk")
    )
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=patient.pk,
                record_type=RECORD_ENROLMENT,
                record_id=str(e.public_id),
                membership=membership,
            )
            for e in enrolments
        ],
        action=Action.READ,
    )
    return enrolments


def enrolment_get(*, actor: Actor, public_id: uuid.UUID | str) -> Enrolment:
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
    patient = patient_get(actor=actor, public_id=patient_public_id, record_type=RECORD_ENROLMENT)
    enrolment = Enrolment.objects.select_related("kommun", "enrolled_by", "ended_by").get(public_id=key)
    enrolment.patient = patient
    return enrolment


# --- Emergency access (nödåtkomst) ----------------------------------------------------------------

EMERGENCY_ROLES = frozenset({"nurse", "rehab", "gp", "specialist", "mas", "mar"})


def emergency_membership(actor: Actor, *, region_id: int | None) -> Membership | None:
    """A care-role membership of ``actor`` in an organisation of the patient's region, or ``None``.

    Admin, governance and coordinator roles never open a patient in an emergency: they give no care.
    """
    for membership in actor.memberships:
        organisation = membership.organisation
        org_region = (
            organisation.pk if organisation.kind == OrganisationKind.REGION else organisation.region_id
        )
        if membership.role in EMERGENCY_ROLES and region_id is not None and org_region == region_id:
            return membership
    return None


def patient_get_emergency(*, actor: Actor, public_id: uuid.UUID | str, reason: str) -> Patient:
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
