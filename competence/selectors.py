"""Reads of the registers for a person: only what the person may see (``competence.policies``), the
rest answers 404. The entries name staff and units, not patients."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from directory.actor import Actor

from . import policies
from .models import CompetenceTransfer, Delegation

LIST_MAX = 500


def transfers_visible(*, actor: Actor) -> QuerySet[CompetenceTransfer]:
    return (
        CompetenceTransfer.objects.filter(policies.transfers_visible_q(actor))
        .select_related("task_type", "training_unit", "receiving_unit", "recorded_by", "revoked_by")
        .order_by("receiving_unit__name", "task_type__name_sv", "-valid_until", "-pk")
    )


def transfer_get(*, actor: Actor, public_id: uuid.UUID) -> CompetenceTransfer:
    found = transfers_visible(actor=actor).filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def delegations_visible(*, actor: Actor) -> QuerySet[Delegation]:
    return (
        Delegation.objects.filter(policies.delegations_visible_q(actor))
        .select_related("task_type", "delegated_by", "delegating_organisation", "receiver_organisation")
        .prefetch_related("case_tasks__case", "case_tasks__task_type")
        .order_by("-valid_until", "-pk")
    )


def delegation_get(*, actor: Actor, public_id: uuid.UUID) -> Delegation:
    found = delegations_visible(actor=actor).filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found
