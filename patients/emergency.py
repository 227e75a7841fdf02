"""Emergency access (nödåtkomst) from the patient search: the person types the personnummer, not an id.

The API opens a patient by emergency access from the patient's id (``selectors.patient_get_emergency``).
A person at the browser has the personnummer instead; this is the same read, reached from it, and it
reveals no more than the API does:

* nothing is said about the patient — not even whether the personnummer is in the register — before
  the reason is given; a personnummer that is not in the register, and a patient the person may not
  open, are the same 404, logged as a denied attempt with the stated reason;
* a patient with skyddad identitet whose identity the person may not see is never found by identity
  (the rule of ``selectors.patient_list``): finding them by personnummer would tie the number to the
  record, which is exactly what the masking hides. That too is the same 404;
* everything else is ``selectors.patient_get_emergency``: care roles in an organisation of the
  patient's region only, the read logged with purpose ``emergency_access`` and the reason, always
  flagged in the log review of the care provider whose staff made it (a kommun's MAS/MAR, the region's
  log reviewer).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from access.patients import granting_membership, identity_visible, patient_facts
from access.roles import EMERGENCY_ROLES
from access.seen import Seen
from audit.models import Action, Outcome, Purpose
from audit.records import RECORD_PATIENT
from audit.services import Access, access_log_record
from directory.actor import Actor

from .models import Patient
from .personnummer import parse_patient_identity
from .selectors import patient_get, patient_get_emergency


@dataclass(frozen=True)
class EmergencyRead:
    """The patient as read, and whether it took emergency access (``False``: a care relationship)."""

    patient: Seen[Patient]
    emergency: bool


def may_use_emergency_access(actor: Actor) -> bool:
    """Whether ``actor`` acts in a role that may ever open a patient by emergency access.

    Whether they may open a given patient (an organisation in the patient's region) is known only once
    the reason is given.
    """
    return any(m.role in EMERGENCY_ROLES for m in actor.memberships)


def _denied(actor: Actor, *, patient_id: int | None, reason: str) -> Http404:
    access_log_record(
        actor=actor,
        accesses=[Access(patient_id=patient_id, record_type=RECORD_PATIENT)],
        action=Action.READ,
        outcome=Outcome.DENIED,
        purpose=Purpose.NONE,
        reason=reason,
    )
    return Http404(_("No patient found."))


def patient_get_emergency_by_identity(*, actor: Actor, personal_identity: str, reason: str) -> EmergencyRead:
    """Open the patient with ``personal_identity`` by emergency access, stating ``reason``.

    Someone who has a care relationship with the patient after all is served like ``patient_get``
    (``emergency=False``): no emergency is needed. Raises ``ValidationError`` for a missing reason or a
    malformed personnummer and ``Http404`` as described in the module docstring.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("State why you need emergency access to this patient.")})
    try:
        digits = parse_patient_identity(personal_identity).digits
    except ValidationError as error:
        raise ValidationError({"personal_identity": error.messages}) from None
    patient = Patient.objects.filter(personal_identity=digits).select_related("folkbokforing_kommun").first()
    if patient is None:
        raise _denied(actor, patient_id=None, reason=reason)
    facts = patient_facts(patient)
    if not identity_visible(actor, facts, protected_identity=patient.protected_identity):
        raise _denied(actor, patient_id=patient.pk, reason=reason)
    if granting_membership(actor, facts) is not None:
        return EmergencyRead(patient=patient_get(actor=actor, public_id=patient.public_id), emergency=False)
    return EmergencyRead(
        patient=patient_get_emergency(actor=actor, public_id=patient.public_id, reason=reason), emergency=True
    )
