"""Who may see a responsibility case, and how a case is shown to them.

A case is seen by the members, in a care role (``roles.CASE_PARTY_ROLES``, never ``admin``), of the
organisations it names (``access.parties``), and by the members of each joint body that has handled it
(the case was escalated to the body, or the body decided on it). Whether the patient's identity is
shown with the case is the patient's rule (``access.patients.identity_visible``): the same for a case
page, a row of a work list and the patient's own page, and the case's legal basis for sharing
(``access.legal_basis``): without one, only the organisation that opened the case sees who it is about.
A joint body's member who reaches the case only through a body at a pseudonymised escalation level sees
it pseudonymised (``access.pseudonym``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Q, QuerySet

from cases.models import CaseEvent, EscalationDecision, EventKind, ResponsibilityCase
from directory.actor import Actor
from directory.models import Membership

from .legal_basis import objection_free_q, sharing_many
from .parties import case_organisation_ids, case_parties_q
from .patients import identity_visible_many, open_enrolment_kommun
from .roles import CASE_PARTY_ROLES, DECIDING_ROLES
from .seen import Seen

# The annotation ``with_patient_open_enrolment`` adds, which ``cases_seen`` reads.
PATIENT_OPEN_KOMMUN = "patient_open_enrolment_kommun_id"


def party_organisation_ids(actor: Actor) -> frozenset[int]:
    """The organisations through which ``actor`` may be a party to a case."""
    return frozenset(m.organisation_id for m in actor.memberships if m.role in CASE_PARTY_ROLES)


def _deciding_memberships(actor: Actor) -> dict[int, Membership]:
    """``actor``'s memberships of joint bodies, by body."""
    return {m.organisation_id: m for m in actor.memberships if m.role in DECIDING_ROLES}


def _escalations_to(bodies: dict[int, Membership]) -> QuerySet[CaseEvent]:
    """The escalation events that sent a case to one of ``bodies`` (the event names the body)."""
    public_ids = [str(m.organisation.public_id) for m in bodies.values()]
    return CaseEvent.objects.filter(kind=EventKind.ESCALATED, payload__body__id__in=public_ids)


def visible_cases_q(actor: Actor) -> Q:
    """A filter on ``ResponsibilityCase`` keeping exactly the cases ``granting_membership`` allows."""
    q = case_parties_q(party_organisation_ids(actor))
    bodies = _deciding_memberships(actor)
    if bodies:
        q |= Q(Exists(EscalationDecision.objects.filter(case=OuterRef("pk"), body_id__in=list(bodies))))
        q |= Q(Exists(_escalations_to(bodies).filter(case=OuterRef("pk"))))
    # The person's objection to sharing with the reader's organisation (``access.legal_basis``).
    return q & objection_free_q(actor)


def granting_membership(actor: Actor, case: ResponsibilityCase) -> Membership | None:
    """The first membership of ``actor`` that lets them see ``case``, or ``None``.

    A joint body sees a case while it is escalated to the body, and keeps reading it once the case has
    moved on (its decision, or its part in the escalation, stays its record); only the body of the
    current level acts on it (``cases.policies``).
    """
    on_case = case_organisation_ids(case)
    for membership in actor.memberships:
        if membership.role in CASE_PARTY_ROLES and membership.organisation_id in on_case:
            return membership
    bodies = _deciding_memberships(actor)
    if bodies:
        decided = (
            EscalationDecision.objects.filter(case=case, body_id__in=list(bodies))
            .values_list("body_id", flat=True)
            .first()
        )
        if decided is not None:
            return bodies[decided]
        by_public_id = {str(m.organisation.public_id): m for m in bodies.values()}
        for handled in _escalations_to(bodies).filter(case=case).values_list("payload__body__id", flat=True):
            if str(handled) in by_public_id:
                return by_public_id[str(handled)]
    return None


def with_patient_open_enrolment(cases: QuerySet[ResponsibilityCase]) -> QuerySet[ResponsibilityCase]:
    """``cases`` annotated with their patient's open enrolment, so that ``cases_seen`` decides whether
    each row may show the patient's identity without another query."""
    return cases.annotate(**{PATIENT_OPEN_KOMMUN: open_enrolment_kommun("patient_id")})


def cases_seen(*, actor: Actor, cases: Sequence[ResponsibilityCase]) -> list[Seen[ResponsibilityCase]]:
    """``cases`` as ``actor`` sees them, in their order; a case they may not see is left out.

    The cases must be loaded with their patient. Whether a row shows the patient's identity is the
    patient rule (``access.patients.identity_visible``); it needs no query for cases loaded through
    ``with_patient_open_enrolment`` and at most one (only if a patient has skyddad identitet) otherwise.
    """
    granted = [(case, granting_membership(actor, case)) for case in cases]
    shown = [(case, membership) for case, membership in granted if membership is not None]
    open_kommun: dict[int, int | None] = {}
    for case, _membership in shown:
        if hasattr(case, PATIENT_OPEN_KOMMUN):
            open_kommun[case.patient_id] = getattr(case, PATIENT_OPEN_KOMMUN)
    visible = identity_visible_many(
        actor=actor, patients=[case.patient for case, _membership in shown], open_kommun=open_kommun
    )
    # Without a legal basis for sharing the patient's identity is the opener's only (``access.legal_basis``).
    shared = sharing_many(actor, [case for case, _membership in shown]) if shown else {}
    for case, _membership in shown:
        case.sharing = shared[case.pk]  # type: ignore[attr-defined]  # the reader's rule, for the representation
    return [
        Seen(
            obj=case,
            membership=membership,
            identity_visible=visible[case.patient_id] and shared[case.pk].health,
        )
        for case, membership in shown
    ]
