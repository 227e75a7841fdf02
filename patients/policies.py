"""Who may change patient data. Pure functions over the actor and the record as a selector returned it
(``Seen[Patient]``); the role sets are ``access.roles``."""

from __future__ import annotations

from access.patients import PatientFacts
from access.roles import DECIDING_ROLES, ENROLLING_ROLES, PROTECTED_IDENTITY_ROLES, VARDCENTRAL_CARE_ROLES
from access.seen import Seen
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind

from .models import Patient


def can_register_patient(actor: Actor) -> bool:
    """Kommun nursing staff and vårdcentral care staff register patients."""
    return any(
        (m.organisation.kind == OrganisationKind.KOMMUN and m.role in ENROLLING_ROLES)
        or (m.organisation.kind == OrganisationKind.VARDCENTRAL and m.role in VARDCENTRAL_CARE_ROLES)
        for m in actor.memberships
    )


def can_update_patient(actor: Actor, patient: Seen[Patient]) -> bool:
    """Whoever sees the patient *and* their identity through a care role may correct the patient's details.

    ``patient`` was read by ``actor`` through ``patients.selectors``: that they may see the patient is
    what the read established. A joint body's member reads a patient whose case is before the body, to
    decide it; they do not keep the patient's record, so they never change it.
    """
    return patient.identity_visible and patient.membership.role not in DECIDING_ROLES


def can_enrol(actor: Actor, kommun: Organisation) -> bool:
    return kommun.kind == OrganisationKind.KOMMUN and any(
        m.organisation_id == kommun.pk and m.role in ENROLLING_ROLES for m in actor.memberships
    )


def protected_identity_membership(actor: Actor, facts: PatientFacts) -> Membership | None:
    """The membership through which ``actor`` may change the patient's skyddad identitet, or ``None``.

    A MAS of the kommun responsible for the patient: where they are enrolled, or where they are
    folkbokförda, and only for a patient the MAS may read at all (``access.patients``: one the kommun
    gives, gave or was asked to give care; the API answers 404 before this is asked). Never a care role
    through an ordinary correction (``patient_update`` refuses the field).
    """
    kommuner = {facts.open_enrolment_kommun_id, facts.folkbokforing_kommun_id} - {None}
    for membership in actor.memberships:
        if (
            membership.role in PROTECTED_IDENTITY_ROLES
            and membership.organisation.kind == OrganisationKind.KOMMUN
            and membership.organisation_id in kommuner
        ):
            return membership
    return None
