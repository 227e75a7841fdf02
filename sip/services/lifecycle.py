"""A finalised plan's life: new versions, withdrawal of consent, follow-up."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import policies as case_policies
from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import CaseStatus, ResponsibilityCase
from cases.transitions import A as CaseAction
from directory.actor import Actor

from .. import selectors
from ..inputs import (
    CONSENT_FIELDS,
    DRAFT_FIELDS,
)
from ..models import (
    ConsentGivenBy,
    ConsentWithdrawal,
    FollowUpOutcome,
    Sip,
    SipContactPath,
    SipEventKind,
    SipFollowUp,
    SipInsats,
    SipOtherMeasure,
    SipParticipant,
    SipStatus,
    SipVersion,
    VersionStatus,
)
from ..notifications import sip_handlaggare_notify
from ..policies import (
    SipAction,
)
from .common import _authorise, _event, _lock, _save

# --- New versions --------------------------------------------------------------------------------------


def _copy_rows(model: type[models.Model], rows: Iterable[models.Model], *, version: SipVersion) -> None:
    """Copy a version's rows of ``model`` to ``version``: every concrete field but the key and version."""
    names = [f.attname for f in model._meta.concrete_fields if f.name not in {"id", "version"}]
    model._default_manager.bulk_create(
        [model(version=version, **{name: getattr(row, name) for name in names}) for row in rows]
    )


def _copy(source: SipVersion, *, actor: Actor, keep_consent: bool) -> SipVersion:
    fields = {name: getattr(source, name) for name in DRAFT_FIELDS}
    if not keep_consent:
        fields.update(dict.fromkeys(CONSENT_FIELDS, ""))
        fields.update({"consent_given_on": None, "consent_valid_to": None})
    version = SipVersion.objects.create(
        sip=source.sip, number=source.number + 1, based_on=source, created_by=actor.user, **fields
    )
    for model, rows in (
        (SipInsats, source.insatser.all()),
        (SipOtherMeasure, source.other_measures.all()),
        (SipParticipant, source.participants.all()),
        (SipContactPath, source.contact_paths.all()),
    ):
        _copy_rows(model, rows, version=version)
    return version


def _start_new_version(actor: Actor, sip: Sip) -> SipVersion:
    source = selectors.current_version(sip)
    withdrawn = ConsentWithdrawal.objects.filter(version=source).exists()
    # A withdrawn consent is not carried over: the new version needs the person's consent again.
    version = _copy(source, actor=actor, keep_consent=not withdrawn)
    sip.status = SipStatus.DRAFT
    return version


@transaction.atomic
def sip_new_version(*, actor: Actor, sip: Sip, expected_revision: int | None) -> SipVersion:
    """Start a new draft as a copy of the finalised version; the finalised one stays as it was."""
    sip = _lock(sip, expected_revision)
    membership = _authorise(actor, sip, SipAction.NEW_VERSION)
    version = _start_new_version(actor, sip)
    event = _event(
        actor, sip, membership, SipEventKind.NEW_VERSION, version=version, payload={"number": version.number}
    )
    if sip.bistandshandlaggare_id is not None:
        sip_handlaggare_notify(sip=sip, event=event, new_draft=True)  # her SoL part is open again
    _save(actor, sip, membership)
    return version


# --- Consent -------------------------------------------------------------------------------------------


@transaction.atomic
def sip_withdraw_consent(
    *,
    actor: Actor,
    sip: Sip,
    expected_revision: int | None,
    withdrawn_by: str,
    withdrawn_by_name: str,
    withdrawn_on: datetime.date,
    reason: str = "",
) -> ConsentWithdrawal | None:
    """The person (or their representative) withdraws consent. Sharing of the plan stops at once.

    The withdrawal is recorded against the latest finalised version (which stays as it was, and shows
    the withdrawal); a draft's consent is cleared, so it cannot be finalised without a new consent.
    Returns the withdrawal row, or ``None`` when only a draft had consent.
    """
    sip = _lock(sip, expected_revision)
    membership = _authorise(actor, sip, SipAction.WITHDRAW_CONSENT)
    errors: dict[str, list[str]] = {}
    if withdrawn_by not in ConsentGivenBy.values:
        errors["withdrawn_by"] = [_("Say whether the person or a representative withdrew the consent.")]
    if not withdrawn_by_name.strip():
        errors["withdrawn_by_name"] = [_("Give the name of who withdrew the consent.")]
    if withdrawn_on > timezone.localdate():
        errors["withdrawn_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    finalised = selectors.latest_finalised(sip)
    withdrawal = None
    if finalised is not None and not ConsentWithdrawal.objects.filter(version=finalised).exists():
        withdrawal = ConsentWithdrawal.objects.create(
            sip=sip,
            version=finalised,
            withdrawn_by=withdrawn_by,
            withdrawn_by_name=withdrawn_by_name.strip(),
            withdrawn_on=withdrawn_on,
            reason=reason,
            recorded_by=actor.user,
            recorded_by_organisation=membership.organisation,
        )
    draft = SipVersion.objects.select_for_update().filter(sip=sip, status=VersionStatus.DRAFT).first()
    if draft is not None and draft.consent_given_by:
        for name in CONSENT_FIELDS:
            setattr(draft, name, None if name in ("consent_given_on", "consent_valid_to") else "")
        draft.save()
    _event(
        actor,
        sip,
        membership,
        SipEventKind.CONSENT_WITHDRAWN,
        version=finalised or draft,
        payload={"withdrawn_by": withdrawn_by, "withdrawn_on": withdrawn_on.isoformat()},
    )
    _save(actor, sip, membership)
    return withdrawal


# --- Follow-up -----------------------------------------------------------------------------------------


def _follow_case(actor: Actor, case: ResponsibilityCase | None, outcome: str) -> None:
    """Take the case the plan came from through its follow-up, where the person may do that.

    The case's follow-up cycle (active → follow_up → active | closed) is the cases app's: it is driven
    here through its services, and only by someone its transition table allows.
    """
    if case is None:
        return
    fresh = case_selectors.case_reload(case=case)
    steps = []
    if fresh.status == CaseStatus.ACTIVE:
        steps.append(CaseAction.START_FOLLOW_UP)
    if fresh.status in (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP):
        steps.append(CaseAction.CLOSE if outcome == FollowUpOutcome.CLOSE else CaseAction.RESUME)
    for step in steps:
        fresh = case_selectors.case_reload(case=fresh)
        allowed = case_policies.allowed_actions(actor, fresh, case_selectors.case_facts(fresh))
        if step not in allowed:
            return
        case_services.case_move(
            actor=actor,
            case=fresh,
            expected_version=None,
            action=step,
            reason=_("The SIP was followed up."),
        )


@transaction.atomic
def sip_record_follow_up(
    *,
    actor: Actor,
    sip: Sip,
    expected_revision: int | None,
    held_on: datetime.date,
    outcome: str,
    notes: str,
) -> SipFollowUp:
    """Record the follow-up of the current finalised version; it leads to a new version or closure."""
    case = sip.case
    sip = _lock(sip, expected_revision)
    membership = _authorise(actor, sip, SipAction.RECORD_FOLLOW_UP)
    errors: dict[str, list[str]] = {}
    if outcome not in FollowUpOutcome.values:
        errors["outcome"] = [_("Choose whether the plan goes on in a new version or is closed.")]
    if not notes.strip():
        errors["notes"] = [_("Write down how the follow-up went.")]
    if held_on > timezone.localdate():
        errors["held_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    followed = selectors.current_version(sip)
    new_version = None
    if outcome == FollowUpOutcome.NEW_VERSION:
        new_version = _start_new_version(actor, sip)
    else:
        sip.status = SipStatus.CLOSED
        sip.closed_at = timezone.now()
    follow_up = SipFollowUp.objects.create(
        sip=sip,
        version=followed,
        held_on=held_on,
        held_by=actor.user,
        organisation=membership.organisation,
        outcome=outcome,
        notes=notes,
        new_version=new_version,
    )
    _event(
        actor,
        sip,
        membership,
        SipEventKind.FOLLOWED_UP,
        version=followed,
        payload={"outcome": outcome, "new_version": new_version.number if new_version else None},
    )
    if outcome == FollowUpOutcome.CLOSE:
        _event(actor, sip, membership, SipEventKind.CLOSED, version=followed)
    _save(actor, sip, membership)
    _follow_case(actor, case, outcome)
    return follow_up
