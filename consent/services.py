"""Writes of a case's legal basis for sharing, objections and spärrar.

Each write checks ``consent.policies``, validates (bounded sizes, no dates in the future, Swedish
messages naming the field), is one transaction, bumps the case's version (its representation shows the
basis, so its ETag must change), writes one event on the case's timeline (``EventKind.SHARING``, the
action saying which) and one access-log row with the purpose ``sharing_basis``.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action, Purpose
from audit.records import RECORD_SHARING
from audit.services import Access, access_log_record
from cases.models import CaseEvent, EventKind, ResponsibilityCase
from directory.actor import Actor
from directory.models import Membership, Organisation
from hemsjukvard.errors import NotPermitted, StateConflictError
from hemsjukvard.writes import save_next_version

from .models import (
    NAME_MAX,
    SCOPE_MAX,
    TEXT_MAX,
    BasisKind,
    ConsentForm,
    GivenBy,
    OtherGround,
    SharedPart,
    SharingBasis,
    SharingBlock,
    SharingObjection,
)
from .policies import sharing_membership

# The timeline's actions (``CaseEvent.action`` of an ``EventKind.SHARING`` event).
BASIS_RECORDED = "basis_recorded"
BASIS_WITHDRAWN = "basis_withdrawn"
OBJECTION_RECORDED = "objection_recorded"
OBJECTION_LIFTED = "objection_lifted"
BLOCK_SET = "block_set"
BLOCK_LIFTED = "block_lifted"


@dataclass(frozen=True)
class BasisInput:
    """A legal basis as a form or the API gives it; only the fields of ``kind`` are kept."""

    kind: str
    scope: str = ""
    given_by: str = ""
    representative_name: str = ""
    form: str = ""
    given_on: datetime.date | None = None
    valid_until: datetime.date | None = None
    assessed_by_name: str = ""
    assessed_on: datetime.date | None = None
    reasoning: str = ""
    ground: str = ""
    ground_text: str = ""


def _too_long(errors: dict[str, list[str]], name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors.setdefault(name, []).append(_("At most %(limit)d characters.") % {"limit": limit})


def _required(errors: dict[str, list[str]], name: str, value: object) -> None:
    if value in ("", None):
        errors.setdefault(name, []).append(_("This field is required for the chosen legal basis."))


def _not_future(errors: dict[str, list[str]], name: str, value: datetime.date | None) -> None:
    if value is not None and value > timezone.localdate():
        errors.setdefault(name, []).append(_("The date cannot be in the future."))


def basis_clean(data: BasisInput) -> BasisInput:
    """``data`` checked, with the fields of other kinds emptied; a ``ValidationError`` by field."""
    errors: dict[str, list[str]] = {}
    if data.kind not in (BasisKind.CONSENT, BasisKind.MENPROVNING, BasisKind.OTHER_GROUND):
        raise ValidationError({"kind": [_("Choose consent, a menprövning or another legal ground.")]})
    for name, limit in (
        ("scope", SCOPE_MAX),
        ("representative_name", NAME_MAX),
        ("assessed_by_name", NAME_MAX),
        ("reasoning", TEXT_MAX),
        ("ground_text", TEXT_MAX),
    ):
        _too_long(errors, name, getattr(data, name), limit)
    kept: dict[str, Any] = {"kind": data.kind}
    if data.kind == BasisKind.CONSENT:
        for name in ("scope", "given_by", "form", "given_on"):
            _required(errors, name, getattr(data, name))
        if data.given_by and data.given_by not in GivenBy.values:
            errors.setdefault("given_by", []).append(_("Choose the person or a representative."))
        if data.given_by == GivenBy.REPRESENTATIVE:
            _required(errors, "representative_name", data.representative_name)
        if data.form and data.form not in ConsentForm.values:
            errors.setdefault("form", []).append(_("Choose orally or in writing."))
        _not_future(errors, "given_on", data.given_on)
        if data.valid_until is not None and data.given_on is not None and data.valid_until < data.given_on:
            errors.setdefault("valid_until", []).append(_("The consent cannot end before it was given."))
        keep = ["scope", "given_by", "form", "given_on", "valid_until"]
        if data.given_by == GivenBy.REPRESENTATIVE:
            keep.append("representative_name")
    elif data.kind == BasisKind.MENPROVNING:
        for name in ("assessed_by_name", "assessed_on", "reasoning"):
            _required(errors, name, getattr(data, name))
        _not_future(errors, "assessed_on", data.assessed_on)
        keep = ["assessed_by_name", "assessed_on", "reasoning"]
    else:
        _required(errors, "ground", data.ground)
        _required(errors, "ground_text", data.ground_text)
        if data.ground and data.ground not in OtherGround.values:
            errors.setdefault("ground", []).append(_("Choose one of the legal grounds offered."))
        keep = ["ground", "ground_text"]
    if errors:
        raise ValidationError(errors)
    kept.update({name: getattr(data, name) for name in keep})
    return BasisInput(**kept)


def acting_membership(actor: Actor, case: ResponsibilityCase) -> Membership:
    """The membership through which ``actor`` records on ``case``; ``NotPermitted`` if none."""
    membership = sharing_membership(actor, case)
    if membership is None:
        raise NotPermitted(
            _(
                "Only the staff of the organisation that opened the case, or the kommun's MAS, record "
                "the legal basis for sharing, objections and spärrar."
            ),
            code="sharing_not_permitted",
        )
    return membership


def _record(
    actor: Actor,
    case: ResponsibilityCase,
    membership: Membership,
    *,
    action: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    record_id: str = "",
) -> None:
    locked = ResponsibilityCase.objects.select_for_update().get(pk=case.pk)
    save_next_version(locked, version_field="version")
    case.version = locked.version
    CaseEvent.objects.create(
        case=case,
        user=actor.user,
        organisation=membership.organisation,
        role=membership.role,
        api_client=actor.api_client,
        kind=EventKind.SHARING,
        action=action,
        from_status=locked.status,
        to_status=locked.status,
        reason=reason,
        payload=payload or {},
    )
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=case.patient_id,
                record_type=RECORD_SHARING,
                record_id=record_id or str(case.public_id),
                membership=membership,
            )
        ],
        action=Action.UPDATE,
        purpose=Purpose.SHARING_BASIS,
        reason=reason[:500],
    )


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = reason.strip()
    if required and not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    if len(reason) > TEXT_MAX:
        raise ValidationError({"reason": [_("At most %(limit)d characters.") % {"limit": TEXT_MAX}]})
    return reason


def _basis_payload(basis: SharingBasis) -> dict[str, Any]:
    data = {k: v for k, v in asdict(basis_input_of(basis)).items() if v not in ("", None)}
    return {"basis": str(basis.public_id), **{k: str(v) for k, v in data.items()}}


def basis_input_of(basis: SharingBasis) -> BasisInput:
    return BasisInput(
        kind=basis.kind,
        scope=basis.scope,
        given_by=basis.given_by,
        representative_name=basis.representative_name,
        form=basis.form,
        given_on=basis.given_on,
        valid_until=basis.valid_until,
        assessed_by_name=basis.assessed_by_name,
        assessed_on=basis.assessed_on,
        reasoning=basis.reasoning,
        ground=basis.ground,
        ground_text=basis.ground_text,
    )


@transaction.atomic
def basis_record(*, actor: Actor, case: ResponsibilityCase, data: BasisInput) -> SharingBasis:
    """Record the legal basis on which ``case`` is shared with the other parties."""
    membership = acting_membership(actor, case)
    clean = basis_clean(data)
    basis = SharingBasis.objects.create(
        case=case,
        recorded_by=actor.user,
        recorded_by_organisation=membership.organisation,
        **asdict(clean),
    )
    _record(actor, case, membership, action=BASIS_RECORDED, payload=_basis_payload(basis))
    return basis


@transaction.atomic
def basis_withdraw(*, actor: Actor, case: ResponsibilityCase, reason: str = "") -> int:
    """The person withdrew their consent (or the basis no longer holds): every basis in force on the
    case is withdrawn, and the other parties stop seeing its health details at once. The number of
    bases withdrawn."""
    membership = acting_membership(actor, case)
    reason = _clean_reason(reason, required=False)
    now = timezone.now()
    withdrawn = SharingBasis.objects.filter(case=case, withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by=actor.user, withdrawal_reason=reason
    )
    if not withdrawn:
        raise StateConflictError(_("The case has no legal basis in force to withdraw."))
    _record(actor, case, membership, action=BASIS_WITHDRAWN, reason=reason)
    return withdrawn


@transaction.atomic
def objection_record(
    *, actor: Actor, case: ResponsibilityCase, organisation: Organisation | None, reason: str = ""
) -> SharingObjection:
    """The person objects to sharing ``case`` with ``organisation`` (with every other organisation when
    ``None``). The opener's own organisation cannot be named."""
    membership = acting_membership(actor, case)
    reason = _clean_reason(reason, required=False)
    if organisation is not None and organisation.pk == case.opened_by_organisation_id:
        raise ValidationError(
            {"organisation": [_("The organisation that opened the case keeps it; name another one.")]}
        )
    objection = SharingObjection.objects.create(
        case=case,
        organisation=organisation,
        reason=reason,
        recorded_by=actor.user,
        recorded_by_organisation=membership.organisation,
    )
    payload = {
        "objection": str(objection.public_id),
        "organisation": organisation.name if organisation is not None else "",
    }
    _record(actor, case, membership, action=OBJECTION_RECORDED, reason=reason, payload=payload)
    return objection


@transaction.atomic
def objection_lift(
    *, actor: Actor, case: ResponsibilityCase, objection: SharingObjection, reason: str
) -> SharingObjection:
    membership = acting_membership(actor, case)
    reason = _clean_reason(reason, required=True)
    lifted = SharingObjection.objects.filter(pk=objection.pk, case=case, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=actor.user, lift_reason=reason
    )
    if not lifted:
        raise StateConflictError(_("The objection is already lifted."))
    payload = {"objection": str(objection.public_id)}
    _record(actor, case, membership, action=OBJECTION_LIFTED, reason=reason, payload=payload)
    objection.refresh_from_db()
    return objection


@transaction.atomic
def block_set(*, actor: Actor, case: ResponsibilityCase, part: str, reason: str = "") -> SharingBlock:
    """A spärr on ``part`` of ``case``: hidden from every organisation but the one that opened it."""
    membership = acting_membership(actor, case)
    reason = _clean_reason(reason, required=False)
    if part not in SharedPart.values:
        raise ValidationError({"part": [_("Choose free text, risk analyses or documents.")]})
    if SharingBlock.objects.filter(case=case, part=part, lifted_at__isnull=True).exists():
        raise StateConflictError(_("That part of the case is already under a spärr."))
    block = SharingBlock.objects.create(
        case=case,
        part=part,
        reason=reason,
        recorded_by=actor.user,
        recorded_by_organisation=membership.organisation,
    )
    payload = {"block": str(block.public_id), "part": part}
    _record(actor, case, membership, action=BLOCK_SET, reason=reason, payload=payload)
    return block


@transaction.atomic
def block_lift(*, actor: Actor, case: ResponsibilityCase, block: SharingBlock, reason: str) -> SharingBlock:
    """Lift a spärr; the reason is required and logged."""
    membership = acting_membership(actor, case)
    reason = _clean_reason(reason, required=True)
    lifted = SharingBlock.objects.filter(pk=block.pk, case=case, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=actor.user, lift_reason=reason
    )
    if not lifted:
        raise StateConflictError(_("The spärr is already lifted."))
    payload = {"block": str(block.public_id), "part": block.part}
    _record(actor, case, membership, action=BLOCK_LIFTED, reason=reason, payload=payload)
    block.refresh_from_db()
    return block
