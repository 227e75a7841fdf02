"""Who may change agreements. Reading them is open to every authenticated user.

* An agreement (and its versions, sections and rules) is changed by a user with the ``admin`` role
  (systemförvaltare) *in the agreement's region*: a membership with that role in the region
  organisation itself. An administrator of a kommun or a vårdcentral does not change the agreement that
  binds every kommun of the region.
* The catalogue of care task types is shared by every region; a region administrator of any region may
  add to it or correct it (a change that would break a rule of any agreement is refused anyway).
* A superuser (made only with ``createsuperuser``) may do both, as everywhere in the administration.
* Only a draft version can be changed (``version_is_editable``); a version in force or superseded is
  history that proposals cite.
"""

from __future__ import annotations

from directory.actor import Actor
from directory.models import OrganisationKind, Role

from .models import Agreement, AgreementVersion


def can_change_agreement(actor: Actor, agreement: Agreement) -> bool:
    return can_change_agreements_of_region(actor, agreement.region_id)


def can_change_agreements_of_region(actor: Actor, region_id: int) -> bool:
    return actor.user.is_superuser or actor.has_role(Role.ADMIN, region_id)


def can_change_task_types(actor: Actor) -> bool:
    return actor.user.is_superuser or any(
        membership.role == Role.ADMIN and membership.organisation.kind == OrganisationKind.REGION
        for membership in actor.memberships
    )


def version_is_editable(version: AgreementVersion) -> bool:
    return version.is_draft
