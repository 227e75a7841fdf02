"""Who may attach a file and who may remove one. Reading follows the record the file belongs to
(``attachments.selectors``: the case rule, or the SIP's patient rule and consent); a SIP takes
attachments from those who may keep it (``sip.policies.editing_membership``)."""

from __future__ import annotations

from access.roles import CASE_PARTY_ROLES
from directory.actor import Actor
from directory.models import Membership, Role

from .models import Attachment

# Who attaches a file to a case they take part in: the care parties. A joint body's member reads what is
# before the body and changes no patient's record.
ATTACHING_ROLES = CASE_PARTY_ROLES - {Role.GOVERNANCE}


def can_attach_to_case(membership: Membership) -> bool:
    """``membership`` is the one through which the person sees the case (``access.cases``)."""
    return membership.role in ATTACHING_ROLES


def removing_membership(actor: Actor, attachment: Attachment) -> Membership | None:
    """The membership in which ``actor`` may remove ``attachment``: the uploading organisation's care
    staff, or its administrator (who reaches no patient data, and removes without reading the file)."""
    for membership in actor.memberships:
        if membership.organisation_id == attachment.organisation_id and (
            membership.role in ATTACHING_ROLES or membership.role == Role.ADMIN
        ):
            return membership
    return None


def can_remove(actor: Actor, attachment: Attachment) -> bool:
    return not attachment.removed and removing_membership(actor, attachment) is not None
