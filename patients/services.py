"""Writes of patient data: registering patients, correcting them, enrolling and ending enrolments.

Each service validates with messages a nurse understands, writes in one transaction and logs the change.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind, User

from .access import granting_membership
from .models import Enrolment, HousingSetting, Patient
from .personnummer import parse_identity
from .policies import can_enrol, can_register_patient, can_update_patient
from .selectors import RECORD_ENROLMENT, RECORD_PATIENT, patient_facts

PATIENT_FIELDS = (
    "given_name",
    "family_name",
    "street_address",
    "postal_code",
    "city",
    "folkbokforing_kommun",
    "housing_setting",
    "listed_vardcentral",
    "fast_lakarkontakt",
    "fast_vardkontakt",
    "interpreter_needed",
    "interpreter_language",
    "protected_identity",
)


@dataclass(frozen=True)
class EnrolmentInput:
    kommun: Organisation
    starts_on: datetime.date
    threshold_justification: str


def _validate_patient(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    kommun = fields.get("folkbokforing_kommun")
    if kommun is not None and kommun.kind != OrganisationKind.KOMMUN:
        errors["folkbokforing_kommun"] = _("Choose a kommun.")
    vardcentral = fields.get("listed_vardcentral")
    if vardcentral is not None and vardcentral.kind != OrganisationKind.VARDCENTRAL:
        errors["listed_vardcentral"] = _("Choose a vårdcentral.")
    for name in ("given_name", "family_name"):
        if name in fields and not str(fields[name]).strip():
            errors[name] = _("This field is required.")
    if fields.get("interpreter_needed") and not str(fields.get("interpreter_language", "")).strip():
        errors["interpreter_language"] = _("State the language the interpreter is needed for.")
    if fields.get("housing_setting") and fields["housing_setting"] not in HousingSetting.values:
        errors["housing_setting"] = _("Choose a housing setting from the list.")
    for name in ("fast_lakarkontakt", "fast_vardkontakt"):
        user = fields.get(name)
        if user is not None and not isinstance(user, User):
            errors[name] = _("Choose a person.")
    if errors:
        raise ValidationError(errors)


def _log_write(actor: Actor, patient: Patient, *, record_type: str, record_id: str, action: str) -> None:
    membership = granting_membership(actor, patient_facts(patient))
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=patient.pk,
                record_type=record_type,
                record_id=record_id,
                membership=membership,
            )
        ],
        action=action,
    )


@transaction.atomic
def patient_register(
    *,
    actor: Actor,
    personal_identity: str,
    fields: dict[str, Any],
    enrolment: EnrolmentInput | None = None,
) -> Patient:
    """Register a patient, optionally enrolling them in home health care in the same step.

    The patient must end up within the registering person's care relationship (for a kommun nurse
    that means enrolling them, or special housing in the kommun); otherwise nobody who registered the
    patient could see the record they just made, and the registration is refused.
    """
    if not can_register_patient(actor):
        raise PermissionDenied(_("Your role cannot register patients."))
    try:
        identity = parse_identity(personal_identity)
    except ValidationError as exc:
        raise ValidationError({"personal_identity": exc.messages}) from None
    _validate_patient(fields)
    if Patient.objects.filter(personal_identity=identity.digits).exists():
        raise ValidationError(
            {"personal_identity": _("A patient with this personnummer is already registered.")}
        )
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(unknown)})
    patient = Patient(personal_identity=identity.digits, identity_kind=identity.kind.value, **fields)
    patient.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        raise ValidationError(
            {"personal_identity": _("A patient with this personnummer is already registered.")}
        ) from None
    created_enrolment = (
        _enrolment_create(actor=actor, patient=patient, data=enrolment) if enrolment is not None else None
    )
    if granting_membership(actor, patient_facts(patient)) is None:
        raise ValidationError(
            {
                "non_field_errors": [
                    _(
                        "You can only register a patient your organisation has a care relationship "
                        "with: enrol the patient in your kommun, or list them at your vårdcentral."
                    )
                ]
            }
        )
    _log_write(
        actor,
        patient,
        record_type=RECORD_PATIENT,
        record_id=str(patient.public_id),
        action=Action.CREATE,
    )
    if created_enrolment is not None:
        _log_write(
            actor,
            patient,
            record_type=RECORD_ENROLMENT,
            record_id=str(created_enrolment.public_id),
            action=Action.CREATE,
        )
    return patient


@transaction.atomic
def patient_update(*, actor: Actor, patient: Patient, fields: dict[str, Any]) -> Patient:
    """Correct a patient's details. ``patient`` comes from ``patient_get`` for this actor."""
    if not can_update_patient(actor, patient):
        raise PermissionDenied(_("You may not change this patient's details."))
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    merged = {name: getattr(patient, name) for name in PATIENT_FIELDS} | fields
    _validate_patient(merged)
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
        setattr(patient, name, value)
    locked.full_clean(validate_unique=False, validate_constraints=False)
    locked.save(update_fields=[*fields, "updated_at"])
    patient.updated_at = locked.updated_at
    _log_write(
        actor,
        locked,
        record_type=RECORD_PATIENT,
        record_id=str(patient.public_id),
        action=Action.UPDATE,
    )
    return patient


def _enrolment_create(*, actor: Actor, patient: Patient, data: EnrolmentInput) -> Enrolment:
    if not can_enrol(actor, data.kommun):
        raise PermissionDenied(_("You can only enrol patients in a kommun where you work as nursing staff."))
    errors: dict[str, str] = {}
    if not data.threshold_justification.strip():
        errors["threshold_justification"] = _(
            "Explain why the patient cannot get to the vårdcentral on their own or with support "
            "(the threshold principle)."
        )
    if data.starts_on > timezone.localdate() + datetime.timedelta(days=30):
        errors["starts_on"] = _("An enrolment cannot start more than 30 days from today.")
    if errors:
        raise ValidationError(errors)
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    if Enrolment.objects.open().filter(patient=patient).exists():
        raise ValidationError(
            {"non_field_errors": [_("The patient already has an open enrolment; end it first.")]}
        )
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                patient=patient,
                kommun=data.kommun,
                starts_on=data.starts_on,
                threshold_justification=data.threshold_justification.strip(),
                enrolled_by=actor.user,
            )
    except IntegrityError:
        raise ValidationError(
            {"non_field_errors": [_("The patient already has an open enrolment; end it first.")]}
        ) from None
    if hasattr(patient, "open_enrolment_kommun_id"):
        patient.open_enrolment_kommun_id = data.kommun.pk
    return enrolment


@transaction.atomic
def enrolment_start(*, actor: Actor, patient: Patient, data: EnrolmentInput) -> Enrolment:
    """Enrol a patient in municipal home health care (inskrivning)."""
    enrolment = _enrolment_create(actor=actor, patient=patient, data=data)
    _log_write(
        actor,
        patient,
        record_type=RECORD_ENROLMENT,
        record_id=str(enrolment.public_id),
        action=Action.CREATE,
    )
    return enrolment


@transaction.atomic
def enrolment_end(*, actor: Actor, enrolment: Enrolment, ends_on: datetime.date, reason: str) -> Enrolment:
    """End an open enrolment (utskrivning ur hemsjukvården)."""
    if not can_enrol(actor, enrolment.kommun):
        raise PermissionDenied(_("You can only end enrolments in a kommun where you work as nursing staff."))
    locked = Enrolment.objects.select_for_update().select_related("patient").get(pk=enrolment.pk)
    membership = granting_membership(actor, patient_facts(locked.patient))
    errors: dict[str, str] = {}
    if locked.ends_on is not None:
        errors["non_field_errors"] = _("The enrolment has already ended.")
    elif ends_on < locked.starts_on:
        errors["ends_on"] = _("The end date cannot be before the enrolment started.")
    if not reason.strip():
        errors["reason"] = _("State why the enrolment ends.")
    if errors:
        raise ValidationError(errors)
    locked.ends_on = ends_on
    locked.end_reason = reason.strip()
    locked.ended_by = actor.user
    locked.save(update_fields=["ends_on", "end_reason", "ended_by", "updated_at"])
    # Logged with the membership that held before the end: afterwards the care relationship is gone.
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=locked.patient_id,
                record_type=RECORD_ENROLMENT,
                record_id=str(locked.public_id),
                membership=membership,
            )
        ],
        action=Action.UPDATE,
    )
    return locked
