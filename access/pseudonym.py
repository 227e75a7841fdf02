"""Pseudonymised cases for the members of joint bodies (PDL 4 kap. 1 §, OSL 25 kap. 1 §).

A joint body above lokal samverkan (RUG, GNHH, a samverkansnämnd) has no care relationship with the
patient: its members decide who is responsible for a task, and need the tasks, the positions, the rules,
the patient's age, sex and housing, not who the person is. Each level of the agreement's escalation
ladder says which it is (``agreements.EscalationLevel.identity``; identified at level 1, pseudonymised
from level 2), and the escalation event records the setting under which the case reached the body
(``payload.identity``; an event without it takes the default for its level).

A person is **pseudonymised** for a patient when they hold a membership of a joint body
(``roles.DECIDING_ROLES``), reach the patient by no other membership (``access.patients``' rule over their
other memberships), and none of their bodies handled one of the patient's cases at an identified level.
``access.patients.identity_visible`` (and its filter twin) then hides the identity, exactly as for
skyddad identitet: pages, API, PDFs, CSV and e-mail show the pseudonym (``patients.pseudonym``) instead.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, OuterRef, Q, QuerySet

from agreements.choices import EscalationIdentity
from cases.models import CaseEvent, EventKind
from directory.actor import Actor
from directory.models import Membership

from .roles import DECIDING_ROLES


def deciding_bodies(actor: Actor) -> dict[str, Membership]:
    """``actor``'s memberships of joint bodies, by the body's public id (as escalation events name it)."""
    return {str(m.organisation.public_id): m for m in actor.memberships if m.role in DECIDING_ROLES}


def care_actor(actor: Actor) -> Actor:
    """``actor`` with only the memberships that are not of a joint body: their other routes to a patient."""
    return Actor(
        user=actor.user,
        memberships=tuple(m for m in actor.memberships if m.role not in DECIDING_ROLES),
        client_address=actor.client_address,
        api_client=actor.api_client,
    )


def identified_escalations(body_ids: Collection[str] | None = None) -> QuerySet[CaseEvent]:
    """The escalation events that sent a case to a body at an identified level (to one of ``body_ids``)."""
    identified = Q(payload__identity=EscalationIdentity.IDENTIFIED.value) | (
        (~Q(payload__has_key="identity") | Q(payload__identity="")) & Q(payload__level=1)
    )
    events = CaseEvent.objects.filter(kind=EventKind.ESCALATED).filter(identified)
    if body_ids is not None:
        events = events.filter(payload__body__id__in=list(body_ids))
    return events


def identified_bodies(patient_ids: Collection[int]) -> dict[int, frozenset[str]]:
    """For each patient, the bodies (public ids) that handled one of their cases at an identified level;
    one query."""
    found: dict[int, set[str]] = {pk: set() for pk in patient_ids}
    rows = identified_escalations().filter(case__patient_id__in=list(patient_ids))
    for patient_id, body_id in rows.values_list("case__patient_id", "payload__body__id"):
        found[patient_id].add(str(body_id))
    return {pk: frozenset(ids) for pk, ids in found.items()}


def identified_q(actor: Actor) -> Q:
    """A filter on ``Patient``: patients one of ``actor``'s bodies handled at an identified level."""
    bodies = deciding_bodies(actor)
    if not bodies:
        return Q(pk__in=[])
    return Q(Exists(identified_escalations(bodies).filter(case__patient_id=OuterRef("pk"))))
