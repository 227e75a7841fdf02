"""Who may record, revoke and read the registers (pure functions over the acting person's memberships).

Competence transfers: the kommun's nurses at the receiving unit, and the staff of the unit that trained
(the specialist clinic's physicians, nurses and coordinators), record and revoke them; everyone in care
at either unit, MAS and MAR included, reads them, so MAS sees every training the kommun has received.
Delegations: a licensed person delegates in their own name; the delegator or the MAS/MAR of the
delegating organisation revokes; care staff of the delegating or the receiving organisation read them.
The registers hold staff and units, not patient data; a delegation's links to cases name the case only.
"""

from __future__ import annotations

from django.db.models import Q

from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind, Role

from .models import CompetenceTransfer, Delegation

RECEIVER_RECORDING_ROLES = frozenset({Role.NURSE})
TRAINER_RECORDING_ROLES = frozenset({Role.SPECIALIST, Role.NURSE, Role.COORDINATOR})
READING_ROLES = frozenset(
    {Role.NURSE, Role.REHAB, Role.MAS, Role.MAR, Role.COORDINATOR, Role.SPECIALIST, Role.GP}
)
# Legitimerad personal who may delegate a health-care task (SOSFS 1997:14).
LICENSED_ROLES = frozenset({Role.NURSE, Role.REHAB, Role.GP, Role.SPECIALIST, Role.MAS, Role.MAR})
OVERSIGHT_ROLES = frozenset({Role.MAS, Role.MAR})


def principal_of(organisation: Organisation) -> str:
    """The principal (huvudman) an organisation works for: the kommun, or the region."""
    return "kommun" if organisation.kind == OrganisationKind.KOMMUN else "region"


def reading_organisation_ids(actor: Actor) -> frozenset[int]:
    return frozenset(m.organisation_id for m in actor.memberships if m.role in READING_ROLES)


def transfers_visible_q(actor: Actor) -> Q:
    ids = reading_organisation_ids(actor)
    return Q(receiving_unit_id__in=ids) | Q(training_unit_id__in=ids)


def transfer_recording_membership(
    actor: Actor, *, training_unit: Organisation, receiving_unit: Organisation
) -> Membership | None:
    """The membership in which ``actor`` may record a transfer between the two units, or ``None``."""
    for membership in actor.memberships:
        if membership.organisation_id == receiving_unit.pk and membership.role in RECEIVER_RECORDING_ROLES:
            return membership
        if membership.organisation_id == training_unit.pk and membership.role in TRAINER_RECORDING_ROLES:
            return membership
    return None


def can_revoke_transfer(actor: Actor, transfer: CompetenceTransfer) -> Membership | None:
    if transfer.revoked_at is not None:
        return None
    return transfer_recording_membership(
        actor, training_unit=transfer.training_unit, receiving_unit=transfer.receiving_unit
    )


def delegations_visible_q(actor: Actor) -> Q:
    ids = reading_organisation_ids(actor)
    return (
        Q(delegating_organisation_id__in=ids)
        | Q(receiver_organisation_id__in=ids)
        | Q(delegated_by=actor.user)
    )


def delegating_membership(actor: Actor) -> Membership | None:
    """The membership in which ``actor`` delegates: their first as licensed staff."""
    return next((m for m in actor.memberships if m.role in LICENSED_ROLES), None)


def can_revoke_delegation(actor: Actor, delegation: Delegation) -> Membership | None:
    if delegation.revoked_at is not None:
        return None
    for membership in actor.memberships:
        if delegation.delegated_by_id == actor.user.pk and membership.role in LICENSED_ROLES:
            return membership
        if membership.organisation_id == delegation.delegating_organisation_id and membership.role in (
            OVERSIGHT_ROLES
        ):
            return membership
    return None
