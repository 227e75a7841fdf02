"""Writes of patient data: registering patients, correcting them, enrolling and ending enrolments.

Each service validates with messages a nurse understands, writes in one transaction and logs the change.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.patients import PatientFacts, granting_membership, identity_visible, patient_facts
from access.seen import Seen
from audit.models import Action, Outcome, Purpose
from audit.records import RECORD_ENROLMENT, RECORD_PATIENT, RECORD_PROTECTED_IDENTITY, RECORD_REGISTRATION
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind, User

from .models import Enrolment, HousingSetting, Patient, ProtectedIdentityChange
from .personnummer import parse_patient_identity
from .policies import can_enrol, can_register_patient, can_update_patient, protected_identity_membership

PATIENT_FIELDS = (
    "given_name",
    "family_name",
    "street_address",
    "postal_code",
    "city",
    "folkbokforing_kommun",
    "housing_setting",
    "housing_unit",
    "listed_vardcentral",
    "fast_lakarkontakt",
    "fast_vardkontakt",
    "interpreter_needed",
    "interpreter_language",
)
# Skyddad identitet is set at registration (so a protected person is never in the register unprotected)
# and changed afterwards only by ``patient_set_protected_identity``: never by an ordinary correction.
REGISTRATION_FIELDS = (*PATIENT_FIELDS, "protected_identity")


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


class RegistrationOutcome(enum.Enum):
    """What became of a registration. Only the API view turns it into an answer, and only ``patients``'
    own tests see it: ``REGISTERED`` and ``RECEIVED`` must reach the registrant as one and the same."""

    REGISTERED = "registered"  # a new patient, now within the registrant's care relationship
    ALREADY_VISIBLE = "already_visible"  # registered before, and the registrant may see the patient
    RECEIVED = "received"  # registered before, outside the registrant's reach: logged for the owner


@dataclass(frozen=True)
class Registration:
    outcome: RegistrationOutcome
    # The patient, when the registrant may see them (``REGISTERED``, ``ALREADY_VISIBLE``); never otherwise.
    patient: Patient | None


def _facts_as_registered(fields: dict[str, Any], enrolment: EnrolmentInput | None) -> PatientFacts:
    """The access-rule facts the patient will have once registered as submitted."""
    kommun = fields.get("folkbokforing_kommun")
    if kommun is None:
        raise ValidationError({"folkbokforing_kommun": _("This field is required.")})
    vardcentral = fields.get("listed_vardcentral")
    return PatientFacts(
        folkbokforing_kommun_id=kommun.pk,
        housing_setting=fields.get("housing_setting") or HousingSetting.ORDINARY_HOME,
        listed_vardcentral_id=vardcentral.pk if vardcentral is not None else None,
        open_enrolment_kommun_id=enrolment.kommun.pk if enrolment is not None else None,
    )


def _already_registered(*, actor: Actor, patient: Patient, registering: Membership) -> Registration:
    """A registration of a personnummer that is in the register already.

    Someone who may see the patient *and who they are* is told so and pointed to them. Anyone else
    learns nothing: the answer is the registrant's answer to a new patient, nothing is written to the
    patient, and the attempt goes to the access log as denied and without a care relationship, naming
    the registrant's organisation. That entry is flagged in the MAS/MAR review of the patient's kommun
    (folkbokföring or enrolment), which is how the organisation responsible for the patient hears of it.
    A coordinator who sees a patient with skyddad identitet masked is "anyone else": pointing her to the
    record would tie the personnummer she typed to it, which is what the masking hides.

    What no answer can hide is the sequel: a new patient is then in the registrant's list, a patient
    registered elsewhere is not (the register cannot give access to find out). Probing that way costs a
    real registration of every new person tried, and every try on a registered one is in the log above.
    """
    facts = patient_facts(patient)
    membership = granting_membership(actor, facts)
    if membership is not None and identity_visible(
        actor, facts, protected_identity=patient.protected_identity
    ):
        access_log_record(
            actor=actor,
            accesses=[
                Access(
                    patient_id=patient.pk,
                    record_type=RECORD_REGISTRATION,
                    record_id=str(patient.public_id),
                    membership=membership,
                )
            ],
            action=Action.READ,
            reason=_("Registration of a patient who is already registered."),
        )
        return Registration(outcome=RegistrationOutcome.ALREADY_VISIBLE, patient=patient)
    access_log_record(
        actor=actor,
        accesses=[Access(patient_id=patient.pk, record_type=RECORD_REGISTRATION, membership=registering)],
        action=Action.CREATE,
        outcome=Outcome.DENIED,
        purpose=Purpose.NONE,
        reason=_(
            "Attempt to register a patient who is already registered, by %(organisation)s, which has no "
            "care relationship with the patient. Nothing about the patient was shown."
        )
        % {"organisation": registering.organisation.name},
    )
    return Registration(outcome=RegistrationOutcome.RECEIVED, patient=None)


@transaction.atomic
def patient_register(
    *,
    actor: Actor,
    personal_identity: str,
    fields: dict[str, Any],
    enrolment: EnrolmentInput | None = None,
    identity_kind: str = "",
) -> Registration:
    """Register a patient, optionally enrolling them in home health care in the same step.

    The patient must end up within the registering person's care relationship (for a kommun nurse
    that means enrolling them, or special housing in the kommun); otherwise nobody who registered the
    patient could see the record they just made, and the registration is refused.

    Whether the personnummer is registered already is looked up only after everything else is valid,
    so that no error depends on it; and what follows then is ``_already_registered``: the register
    never tells someone without a care relationship whether a person is in it.
    """
    if not can_register_patient(actor):
        raise PermissionDenied(_("Your role cannot register patients."))
    try:
        # ``identity_kind`` may say which kind of number it is; a reservnummer is never read as a
        # personnummer (nor the other way round), and says nothing of age or sex.
        identity = parse_patient_identity(personal_identity, kind=identity_kind)
    except ValidationError as exc:
        raise ValidationError({"personal_identity": exc.messages}) from None
    unknown = set(fields) - set(REGISTRATION_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(unknown)})
    _validate_patient(fields)
    if enrolment is not None:
        _validate_enrolment(actor=actor, data=enrolment)
    registering = granting_membership(actor, _facts_as_registered(fields, enrolment))
    if registering is None:
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
    patient = Patient(personal_identity=identity.digits, identity_kind=identity.kind.value, **fields)
    patient.full_clean(validate_unique=False, validate_constraints=False)
    existing = Patient.objects.filter(personal_identity=identity.digits).first()
    if existing is not None:
        return _already_registered(actor=actor, patient=existing, registering=registering)
    try:
        with transaction.atomic():
            patient.save()
    except IntegrityError:
        # Registered by someone else a moment ago: the same answer as if it had been there before.
        return _already_registered(
            actor=actor,
            patient=Patient.objects.get(personal_identity=identity.digits),
            registering=registering,
        )
    created_enrolment = (
        _enrolment_create(actor=actor, patient=patient, data=enrolment) if enrolment is not None else None
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
    if patient.protected_identity:
        ProtectedIdentityChange.objects.create(
            patient=patient,
            protected_identity=True,
            reason=_("Registered with skyddad identitet."),
            changed_by=actor.user,
            role=registering.role,
            organisation=registering.organisation,
            api_client=actor.api_client,
        )
    return Registration(outcome=RegistrationOutcome.REGISTERED, patient=patient)


@transaction.atomic
def patient_update(*, actor: Actor, patient: Seen[Patient], fields: dict[str, Any]) -> Seen[Patient]:
    """Correct a patient's details. ``patient`` is what ``patient_get`` returned for this actor."""
    if not can_update_patient(actor, patient):
        raise PermissionDenied(_("You may not change this patient's details."))
    if "protected_identity" in fields:
        raise ValidationError({"protected_identity": protected_identity_not_here_message()})
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    record = patient.obj
    merged = {name: getattr(record, name) for name in PATIENT_FIELDS} | fields
    _validate_patient(merged)
    locked = Patient.objects.select_for_update().get(pk=record.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
        setattr(record, name, value)
    locked.full_clean(validate_unique=False, validate_constraints=False)
    locked.save(update_fields=[*fields, "updated_at"])
    record.updated_at = locked.updated_at
    _log_write(
        actor,
        locked,
        record_type=RECORD_PATIENT,
        record_id=str(record.public_id),
        action=Action.UPDATE,
    )
    return patient


def protected_identity_not_here_message() -> str:
    return _(
        "Skyddad identitet is Skatteverket's marking and is not changed with the patient's other details: "
        "the kommun's MAS records a change, with the reason."
    )


def protected_identity_refused_message() -> str:
    return _("Only the kommun's MAS can change a patient's skyddad identitet.")


@transaction.atomic
def patient_set_protected_identity(
    *, actor: Actor, patient: Seen[Patient], protected_identity: bool, reason: str
) -> Seen[Patient]:
    """Mark or unmark a patient's skyddad identitet, following Skatteverket's decision.

    Only through a membership ``protected_identity_membership`` names (a MAS of the patient's kommun);
    the reason is required; the change is a ``ProtectedIdentityChange`` row and its own access-log entry
    (record type ``protected_identity``, with the reason), never a generic update. ``patient`` is what
    ``patient_get`` returned for this actor; the answer is the patient as they see them after the change.
    """
    record = patient.obj
    facts = patient_facts(record)
    membership = protected_identity_membership(actor, facts)
    if membership is None:
        raise PermissionDenied(protected_identity_refused_message())
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("State why, for example Skatteverket's decision and its date.")})
    locked = Patient.objects.select_for_update().get(pk=record.pk)
    if locked.protected_identity == protected_identity:
        raise ValidationError(
            {
                "protected_identity": (
                    _("The patient already has skyddad identitet.")
                    if protected_identity
                    else _("The patient does not have skyddad identitet.")
                )
            }
        )
    locked.protected_identity = protected_identity
    locked.save(update_fields=["protected_identity", "updated_at"])
    change = ProtectedIdentityChange.objects.create(
        patient=locked,
        protected_identity=protected_identity,
        reason=reason,
        changed_by=actor.user,
        role=membership.role,
        organisation=membership.organisation,
        api_client=actor.api_client,
    )
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=locked.pk,
                record_type=RECORD_PROTECTED_IDENTITY,
                record_id=str(change.public_id),
                membership=membership,
            )
        ],
        action=Action.UPDATE,
        reason=reason,
    )
    record.protected_identity = protected_identity
    record.updated_at = locked.updated_at
    return Seen(
        obj=record,
        membership=patient.membership,
        identity_visible=identity_visible(actor, facts, protected_identity=protected_identity),
    )


def _validate_enrolment(*, actor: Actor, data: EnrolmentInput) -> None:
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


def _enrolment_create(*, actor: Actor, patient: Patient, data: EnrolmentInput) -> Enrolment:
    _validate_enrolment(actor=actor, data=data)
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
def enrolment_start(*, actor: Actor, patient: Seen[Patient], data: EnrolmentInput) -> Enrolment:
    """Enrol a patient in municipal home health care (inskrivning); ``patient`` is what ``patient_get``
    returned for this actor."""
    enrolment = _enrolment_create(actor=actor, patient=patient.obj, data=data)
    _log_write(
        actor,
        patient.obj,
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
