"""Who may change patient data. Pure functions over the actor and the record."""

from __future__ import annotations

from directory.actor import Actor
from directory.models import Organisation, OrganisationKind, Role

from .access import KOMMUN_NURSING_STAFF, VARDCENTRAL_CARE_ROLES
from .models import Patient

ENROLLING_ROLES = frozenset({*KOMMUN_NURSING_STAFF, Role.COORDINATOR})


def can_register_patient(actor: Actor) -> bool:
    """Kommun nursing staff and vårdcentral care staff register patients."""
    return any(
        (m.organisation.kind == OrganisationKind.KOMMUN and m.role in ENROLLING_ROLES)
        or (m.organisation.kind == OrganisationKind.VARDCENTRAL and m.role in VARDCENTRAL_CARE_ROLES)
        for m in actor.memberships
    )


def can_update_patient(actor: Actor, patient: Patient) -> bool:
    """Whoever may see the patient *and* their identity may correct the patient's details."""
    return bool(getattr(patient, "granted_by", None)) and bool(getattr(patient, "identity_visible", False))


def can_enrol(actor: Actor, kommun: Organisation) -> bool:
    return kommun.kind == OrganisationKind.KOMMUN and any(
        m.organisation_id == kommun.pk and m.role in ENROLLING_ROLES for m in actor.memberships
    )
