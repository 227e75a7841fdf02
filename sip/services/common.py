"""The machinery every SIP write shares: lock the plan, check who acts, record the event and the
access log, bump the revision (the ETag)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from access.patients import identity_visible, patient_facts
from access.sips import handlaggare_membership, keeps_the_plan
from audit.models import Action
from audit.records import RECORD_SIP
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Membership
from hemsjukvard.errors import NotPermitted, StateConflictError
from hemsjukvard.writes import lock_current, save_next_version

from .. import selectors
from ..events import sip_changed_publish
from ..models import (
    Sip,
    SipEvent,
    SipStatus,
    SipVersion,
    VersionStatus,
)
from ..notifications import sip_step_notify
from ..policies import (
    SOL_EDITOR_ACTIONS,
    SipAction,
    action_allowed_by_status,
    editing_membership,
)

# --- The machinery every write shares ----------------------------------------------------------------


def _lock(sip: Sip, expected_revision: int | None) -> Sip:
    return lock_current(
        selectors.sip_queryset(), sip.pk, version_field="revision", expected=expected_revision
    )


def _authorise(actor: Actor, sip: Sip, action: str) -> Membership:
    facts = selectors.sip_facts(sip)
    membership = editing_membership(actor, facts.organisation_ids)
    if membership is None and action in SOL_EDITOR_ACTIONS:
        membership = handlaggare_membership(actor, sip)
    if membership is None:
        raise NotPermitted(_("Only the care staff on the plan may change it."))
    # After a withdrawal of consent the plan is no longer shared (``sip.selectors``): whoever no longer
    # sees its content cannot change it either.
    if selectors.consent_withdrawal(sip) is not None and not keeps_the_plan(actor, sip):
        raise NotPermitted(
            _(
                "Consent to share the plan has been withdrawn; only the organisation that keeps it "
                "may change it."
            )
        )
    if not action_allowed_by_status(action, facts):
        raise StateConflictError(_state_message(action, sip), extra={"status": sip.status})
    return membership


def _state_message(action: str, sip: Sip) -> str:
    if sip.status == SipStatus.CLOSED:
        return _("The plan is closed and can no longer be changed.")
    if action in (SipAction.UPDATE_DRAFT, SipAction.FINALISE):
        return _("The plan has no draft: it is finalised. Start a new version to change it.")
    if action in (SipAction.NEW_VERSION, SipAction.RECORD_FOLLOW_UP):
        return _("A draft of the plan is being written; finalise it first.")
    return _("The person's consent has already been withdrawn, or none was given.")


def _event(
    actor: Actor,
    sip: Sip,
    membership: Membership,
    kind: str,
    *,
    version: SipVersion | None = None,
    payload: dict[str, Any] | None = None,
) -> SipEvent:
    event = SipEvent.objects.create(
        sip=sip,
        version=version,
        user=actor.user,
        organisation=membership.organisation,
        role=membership.role,
        kind=kind,
        payload=payload or {},
    )
    sip_step_notify(actor=actor, sip=sip, event=event)  # the plan's organisations are told of the step
    sip_changed_publish(sip=sip, change=kind, version=version)  # and API clients that follow the plan
    return event


def _log(actor: Actor, sip: Sip, membership: Membership, action: str) -> None:
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=sip.patient_id,
                record_type=RECORD_SIP,
                record_id=str(sip.public_id),
                membership=membership,
            )
        ],
        action=action,
    )


def _save(actor: Actor, sip: Sip, membership: Membership, *, action: str = Action.UPDATE) -> None:
    save_next_version(sip, version_field="revision")
    _log(actor, sip, membership, action)


def _identity_visible(actor: Actor, sip: Sip) -> bool:
    patient = sip.patient
    return identity_visible(actor, patient_facts(patient), protected_identity=patient.protected_identity)


def _draft(sip: Sip) -> SipVersion:
    """The current draft, locked (the caller already holds the plan's lock)."""
    version = SipVersion.objects.select_for_update().filter(sip=sip, status=VersionStatus.DRAFT).first()
    if version is None:
        raise StateConflictError(_state_message(SipAction.UPDATE_DRAFT, sip), extra={"status": sip.status})
    return version
