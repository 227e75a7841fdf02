"""Who may write, answer and close a message on a case, and who is asked to answer it.

A case's parties are its kommun, the patient's listed vårdcentral and the ordering specialist clinic
(``access.parties``; a joint body judges the case and is no party to a question between the others).
A member of a party in a care role (``WRITER_ROLES``) writes to another party of the case, and either
side writes in the thread; only the addressed organisation answers it, and only the sender's
organisation closes it (a colleague may close it for a sender who is away). Reading follows the case:
whoever sees the case sees its messages (``access.cases``).
"""

from __future__ import annotations

from access.roles import CASE_PARTY_ROLES
from agreements.choices import TaskKind
from cases.models import CaseStatus, CaseTask, ResponsibilityCase
from directory.actor import Actor
from directory.models import Membership, Organisation, Role

# Who writes for a party: every role that reaches the case as a party, but the joint bodies'.
WRITER_ROLES = CASE_PARTY_ROLES - {Role.GOVERNANCE}
# A question waits on the people of the addressed party who act on the case, as the steps of the case
# tell them (``cases.notify``): the kommun's nurses, the vårdcentral's GPs, the clinic's specialists.
ANSWERING_ROLES_BY_PARTY = {
    "kommun": frozenset({Role.NURSE}),
    "vardcentral": frozenset({Role.GP}),
    "specialist_clinic": frozenset({Role.SPECIALIST}),
}
# A new message may be written while the case is shared and open (a draft has asked nobody yet).
WRITABLE_STATUSES = frozenset(s.value for s in CaseStatus) - {CaseStatus.DRAFT, CaseStatus.CLOSED}


def case_parties(case: ResponsibilityCase) -> dict[int, str]:
    """The case's parties a message may go between: organisation id → which party it is."""
    parties = {
        case.kommun_id: "kommun",
        case.stay_kommun_id: "kommun",  # where the person stays, if not at home (HSL 12 kap. 2 §)
        case.vardcentral_id: "vardcentral",
        case.specialist_clinic_id: "specialist_clinic",
    }
    return {organisation_id: party for organisation_id, party in parties.items() if organisation_id}


def sender_membership(actor: Actor, case: ResponsibilityCase) -> Membership | None:
    """The membership in which ``actor`` writes on ``case`` as a party, if any."""
    parties = case_parties(case)
    for membership in actor.memberships:
        if membership.role in WRITER_ROLES and membership.organisation_id in parties:
            return membership
    return None


def addressable(case: ResponsibilityCase, sender_organisation_id: int) -> list[Organisation]:
    """The parties a member of ``sender_organisation_id`` may write to on ``case``."""
    ids = [i for i in case_parties(case) if i != sender_organisation_id]
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def answering_roles(case: ResponsibilityCase, organisation_id: int, task: CaseTask | None) -> frozenset[str]:
    """Who in the addressed organisation is asked to answer (a rehabilitation task's therapists too)."""
    party = case_parties(case).get(organisation_id)
    roles = ANSWERING_ROLES_BY_PARTY.get(party or "", frozenset())
    if party == "kommun" and task is not None and task.task_type.kind == TaskKind.REHAB:
        roles = roles | {Role.REHAB}
    return roles


def reply_membership(actor: Actor, *, sender_organisation_id: int, addressed_id: int) -> Membership | None:
    """The membership in which ``actor`` writes in the thread: the addressed side first (its reply is
    the answer), else the sender's side."""
    writers = [m for m in actor.memberships if m.role in WRITER_ROLES]
    for organisation_id in (addressed_id, sender_organisation_id):
        for membership in writers:
            if membership.organisation_id == organisation_id:
                return membership
    return None


def close_membership(actor: Actor, *, sender_organisation_id: int) -> Membership | None:
    """The membership in which ``actor`` closes a message: one of the sender's organisation."""
    for membership in actor.memberships:
        if membership.role in WRITER_ROLES and membership.organisation_id == sender_organisation_id:
            return membership
    return None
