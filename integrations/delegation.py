"""Calls an API client makes on behalf of the person signed in to it (``X-On-Behalf-Of: <HSA-id>``).

A kommun's care documentation system or a region's EHR calls on behalf of the clinician using it, as
Swedish integrations do. The call then acts as that person, but only in the person's active roles in the
organisations of the client's scope: never in an organisation the client may not reach, never in a role
the person does not hold, never as administrator (an integration does care work, not system
administration). Only a read-and-write client may do this; the token's own scope still decides whether it
may write. ``X-Acting-Membership`` narrows the call to one of those roles, as the choice of acting role
does in the browser (``directory.actor``). The access log then names the person and the client.
"""

from __future__ import annotations

import uuid

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions

from directory.actor import ACTING_MEMBERSHIP_HEADER, ON_BEHALF_OF_HEADER
from directory.models import Membership, Role, User

from .models import ApiClient, Delegation

# HSA-ids are at most 31 characters; the column allows 64. Anything longer names nobody.
MAX_HSA_ID_LENGTH = 64


def _denied(message: str, code: str) -> exceptions.PermissionDenied:
    return exceptions.PermissionDenied(message, code=code)


def delegation_resolve(*, client: ApiClient, hsa_id: str, acting_membership: str | None) -> Delegation:
    """The person named by ``hsa_id`` with their memberships inside ``client``'s scope, or a 400/403."""
    if client.read_only:
        raise _denied(
            _("This API client may only read, so it cannot act on behalf of a person."),
            "on_behalf_of_not_allowed",
        )
    hsa_id = hsa_id.strip()
    if not hsa_id:
        raise exceptions.ValidationError({ON_BEHALF_OF_HEADER: [_("Give the person's HSA-id.")]})
    acting_id: uuid.UUID | None = None
    if acting_membership is not None:
        try:
            acting_id = uuid.UUID(acting_membership.strip())
        except ValueError:
            raise exceptions.ValidationError(
                {ACTING_MEMBERSHIP_HEADER: [_("Give the id (a UUID) of one of the person's memberships.")]}
            ) from None
    shown = hsa_id[:MAX_HSA_ID_LENGTH]
    person = (
        # A client's service user has no HSA-id, but it must never be named here even if given one.
        User.objects.filter(hsa_id=hsa_id, is_active=True, api_client__isnull=True).first()
        if len(hsa_id) <= MAX_HSA_ID_LENGTH
        else None
    )
    if person is None:
        raise _denied(
            _("No active person with HSA-id %(hsa_id)s is registered.") % {"hsa_id": shown},
            "person_unknown",
        )
    memberships = tuple(
        Membership.objects.active(timezone.localdate())
        .filter(
            user=person,
            organisation__is_active=True,
            organisation__in=client.scope_organisations.all(),
        )
        .exclude(role=Role.ADMIN)
        .select_related("organisation")
        .order_by("pk")
    )
    if not memberships:
        raise _denied(
            _("The person with HSA-id %(hsa_id)s has no role in any organisation this API client may reach.")
            % {"hsa_id": shown},
            "person_outside_scope",
        )
    if acting_id is not None:
        chosen = [m for m in memberships if m.public_id == acting_id]
        if not chosen:
            raise _denied(
                _(
                    "The acting membership is not one of the person's active roles in the organisations "
                    "this API client may reach."
                ),
                "acting_membership_invalid",
            )
        memberships = (chosen[0],)
    return Delegation(person=person, memberships=memberships)
