"""Writes on the registers: record and revoke competence transfers and delegations, link a delegation to
a case's delegable tasks. Each is keyword-only, runs in one transaction, validates before it writes and
leaves one ``RegisterEvent`` naming who acted, in which organisation and from where."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.cases import granting_membership
from agreements.models import CareTaskType
from audit.models import Action
from audit.records import RECORD_CASE
from audit.services import Access, access_log_record
from cases.models import CaseTask
from directory.actor import Actor
from directory.models import Membership, Organisation
from hemsjukvard.errors import NotPermitted

from . import policies
from .models import NAMES_MAX, TEXT_MAX, CompetenceTransfer, Delegation, RegisterAction, RegisterEvent
from .rules import task_name

DELEGATION_MAX_MONTHS = 12  # SOSFS 1997:14: a delegation holds for at most a year


def twelve_months_after(day: datetime.date) -> datetime.date:
    """The last day a delegation from ``day`` may hold: the day before the same date a year on."""
    try:
        same_day = day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        same_day = day.replace(year=day.year + 1, day=28) + datetime.timedelta(days=1)
    return same_day - datetime.timedelta(days=1)


def _event(
    actor: Actor,
    membership: Membership | None,
    action: str,
    *,
    transfer: CompetenceTransfer | None = None,
    delegation: Delegation | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    RegisterEvent.objects.create(
        transfer=transfer,
        delegation=delegation,
        action=action,
        user=actor.user,
        organisation=membership.organisation if membership is not None else None,
        role=membership.role if membership is not None else "",
        api_client=actor.api_client,
        client_address=actor.client_address,
        detail=detail or {},
    )


def _text(errors: dict[str, list[str]], field: str, value: str, limit: int, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        errors.setdefault(field, []).append(_("This field is required."))
    if len(value) > limit:
        errors.setdefault(field, []).append(_("Write at most %(limit)s characters.") % {"limit": limit})
    return value


@transaction.atomic
def transfer_record(
    *,
    actor: Actor,
    task_type: CareTaskType,
    training_unit: Organisation,
    trainers: str,
    receiving_unit: Organisation,
    trained_staff: str,
    trained_on: datetime.date,
    valid_until: datetime.date,
    note: str = "",
) -> CompetenceTransfer:
    """Record that ``training_unit`` (named trainers) trained ``receiving_unit`` (named staff) in a task."""
    membership = policies.transfer_recording_membership(
        actor, training_unit=training_unit, receiving_unit=receiving_unit
    )
    if membership is None:
        raise NotPermitted(
            _(
                "Only the receiving unit's nurses or the training unit's staff may record a competence "
                "transfer."
            )
        )
    errors: dict[str, list[str]] = {}
    trainers = _text(errors, "trainers", trainers, NAMES_MAX, required=True)
    trained_staff = _text(errors, "trained_staff", trained_staff, NAMES_MAX, required=True)
    note = _text(errors, "note", note, TEXT_MAX, required=False)
    if training_unit.pk == receiving_unit.pk:
        errors.setdefault("receiving_unit", []).append(
            _("A unit cannot train itself; choose the unit trained.")
        )
    if trained_on > timezone.localdate():
        errors.setdefault("trained_on", []).append(_("The training cannot be dated in the future."))
    if valid_until < trained_on:
        errors.setdefault("valid_until", []).append(_("The training cannot end before it was given."))
    if errors:
        raise ValidationError(errors)
    transfer = CompetenceTransfer.objects.create(
        task_type=task_type,
        training_unit=training_unit,
        trainers=trainers,
        receiving_unit=receiving_unit,
        trained_staff=trained_staff,
        trained_on=trained_on,
        valid_until=valid_until,
        note=note,
        recorded_by=actor.user,
    )
    _event(actor, membership, RegisterAction.RECORDED, transfer=transfer)
    return transfer


@transaction.atomic
def transfer_revoke(*, actor: Actor, transfer: CompetenceTransfer, reason: str) -> CompetenceTransfer:
    transfer = (
        CompetenceTransfer.objects.select_for_update()
        .select_related("training_unit", "receiving_unit")
        .get(pk=transfer.pk)
    )
    membership = policies.can_revoke_transfer(actor, transfer)
    if membership is None:
        raise NotPermitted(_("You cannot revoke this competence transfer."))
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, TEXT_MAX, required=True)
    if errors:
        raise ValidationError(errors)
    transfer.revoked_at, transfer.revoked_by, transfer.revoke_reason = timezone.now(), actor.user, reason
    transfer.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    _event(actor, membership, RegisterAction.REVOKED, transfer=transfer, detail={"reason": reason})
    return transfer


@transaction.atomic
def delegation_record(
    *,
    actor: Actor,
    task_type: CareTaskType,
    receiver_name: str,
    receiver_title: str = "",
    receiver_organisation: Organisation,
    decision: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    consulted_with: str = "",
    consulted_on: datetime.date | None = None,
    consultation_note: str = "",
    case_tasks: Sequence[CaseTask] = (),
) -> Delegation:
    """Record a delegation decision (SOSFS 1997:14) in the acting person's name: personal (a named
    receiver), written, at most twelve months; where the receiver works for the other principal, only
    after consultation, which is recorded with it."""
    membership = policies.delegating_membership(actor)
    if membership is None:
        raise NotPermitted(_("Only licensed staff (nurses, therapists, physicians) may delegate a task."))
    errors: dict[str, list[str]] = {}
    receiver_name = _text(errors, "receiver_name", receiver_name, 200, required=True)
    receiver_title = _text(errors, "receiver_title", receiver_title, 200, required=False)
    decision = _text(errors, "decision", decision, TEXT_MAX, required=True)
    consulted_with = _text(errors, "consulted_with", consulted_with, 200, required=False)
    consultation_note = _text(errors, "consultation_note", consultation_note, TEXT_MAX, required=False)
    if valid_until < valid_from:
        errors.setdefault("valid_until", []).append(_("The delegation cannot end before it starts."))
    elif valid_until > twelve_months_after(valid_from):
        errors.setdefault("valid_until", []).append(
            _("A delegation holds for at most 12 months: choose %(date)s or earlier.")
            % {"date": twelve_months_after(valid_from).isoformat()}
        )
    if valid_until < timezone.localdate():
        errors.setdefault("valid_until", []).append(
            _("The delegation has already ended; choose a later date.")
        )
    across = policies.principal_of(membership.organisation) != policies.principal_of(receiver_organisation)
    if across and (not consulted_with or consulted_on is None):
        errors.setdefault("consulted_with", []).append(
            _(
                "The receiver works for the other principal: record with whom the delegation was "
                "consulted, and when."
            )
        )
    if consulted_on is not None and consulted_on > timezone.localdate():
        errors.setdefault("consulted_on", []).append(_("The consultation cannot be dated in the future."))
    if errors:
        raise ValidationError(errors)
    delegation = Delegation.objects.create(
        task_type=task_type,
        delegated_by=actor.user,
        delegating_organisation=membership.organisation,
        delegating_role=membership.role,
        receiver_name=receiver_name,
        receiver_title=receiver_title,
        receiver_organisation=receiver_organisation,
        decision=decision,
        valid_from=valid_from,
        valid_until=valid_until,
        consulted_with=consulted_with,
        consulted_on=consulted_on,
        consultation_note=consultation_note,
    )
    _event(actor, membership, RegisterAction.RECORDED, delegation=delegation)
    for task in case_tasks:
        _link(actor, delegation, task)
    return delegation


@transaction.atomic
def delegation_revoke(*, actor: Actor, delegation: Delegation, reason: str) -> Delegation:
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    membership = policies.can_revoke_delegation(actor, delegation)
    if membership is None:
        raise NotPermitted(_("Only the person who delegated, or MAS/MAR, may revoke this delegation."))
    errors: dict[str, list[str]] = {}
    reason = _text(errors, "reason", reason, TEXT_MAX, required=True)
    if errors:
        raise ValidationError(errors)
    delegation.revoked_at, delegation.revoked_by, delegation.revoke_reason = (
        timezone.now(),
        actor.user,
        reason,
    )
    delegation.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    _event(actor, membership, RegisterAction.REVOKED, delegation=delegation, detail={"reason": reason})
    return delegation


@transaction.atomic
def delegation_link(*, actor: Actor, delegation: Delegation, case_task: CaseTask) -> Delegation:
    """Link a delegation to a case's task (the one the case's rule allows to be delegated)."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if (
        delegation.delegated_by_id != actor.user.pk
        and policies.can_revoke_delegation(actor, delegation) is None
    ):
        raise NotPermitted(_("Only the person who delegated, or MAS/MAR, may link this delegation."))
    _link(actor, delegation, case_task)
    return delegation


def _link(actor: Actor, delegation: Delegation, task: CaseTask) -> None:
    case = task.case
    seeing = granting_membership(actor, case)
    if seeing is None:
        raise ValidationError({"case_tasks": _("No case task %(id)s.") % {"id": task.public_id}})
    if delegation.revoked_at is not None:
        raise ValidationError({"case_tasks": _("A revoked delegation cannot be linked.")})
    if task.task_type_id != delegation.task_type_id:
        raise ValidationError(
            {
                "case_tasks": _("The case task is %(task)s; the delegation is for another task.")
                % {"task": task_name(task.task_type.name_sv)}
            }
        )
    conditions = (task.proposal or {}).get("conditions") or {}
    if not conditions.get("delegation_allowed"):
        raise ValidationError(
            {
                "case_tasks": _("The agreement does not allow %(task)s to be delegated.")
                % {"task": task_name(task.task_type.name_sv)}
            }
        )
    delegation.case_tasks.add(task)
    _event(
        actor,
        seeing,
        RegisterAction.LINKED,
        delegation=delegation,
        detail={"case": str(case.public_id), "case_task": str(task.public_id)},
    )
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=case.patient_id,
                record_type=RECORD_CASE,
                record_id=str(case.public_id),
                membership=seeing,
            )
        ],
        action=Action.UPDATE,
    )
