"""Who may see a SIP (samordnad individuell plan), and whether its content is shared with them.

A plan is seen by whoever may see its patient (``access.patients``): the same membership grants the
read and is named in the access log, and the patient's identity is masked in the plan as it is
everywhere else. After the person has withdrawn their consent the plan is no longer shared: only the
organisation that keeps it sees its content; everyone else sees that consent was withdrawn and nothing
more.

Socialtjänst takes part through the biståndshandläggare named on the plan (``Sip.bistandshandlaggare``):
she reads it while she holds that role in the person's kommun or in the kommun that keeps the plan, and
nothing else of the patient's record; the read is logged with that membership, and a protected identity
stays masked for her.

Who may *change* a plan, and when, is ``sip.policies`` (the kommun's nursing staff and the region's
staff of an organisation on the plan, role sets in ``access.roles``).
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q

from directory.actor import Actor
from directory.models import Membership, OrganisationKind, Role
from patients.models import Patient
from sip.models import Sip, SipVersion, VersionStatus

from .patients import visible_patients_q
from .roles import SIP_SOL_EDITORS


def _handlaggare_kommun_ids(actor: Actor) -> set[int]:
    return {
        m.organisation_id
        for m in actor.memberships
        if m.role in SIP_SOL_EDITORS and m.organisation.kind == OrganisationKind.KOMMUN
    }


def visible_sips_q(actor: Actor) -> Q:
    """A filter on ``Sip``: the plans of every patient ``actor`` may see, and the plans that name
    ``actor`` as the biståndshandläggare in her kommun."""
    q = Q(patient__in=Patient.objects.filter(visible_patients_q(actor)))
    kommuner = _handlaggare_kommun_ids(actor)
    if kommuner:
        q |= Q(bistandshandlaggare_id=actor.user.pk) & (
            Q(patient__folkbokforing_kommun_id__in=kommuner) | Q(owner_organisation_id__in=kommuner)
        )
    return q


def handlaggare_membership(actor: Actor, sip: Sip) -> Membership | None:
    """The membership in which ``actor`` works with the plan for socialtjänst, if she is named on it."""
    if sip.bistandshandlaggare_id is None or sip.bistandshandlaggare_id != actor.user.pk:
        return None
    kommuner = {sip.patient.folkbokforing_kommun_id, sip.owner_organisation_id}
    for membership in actor.memberships:
        if (
            membership.role in SIP_SOL_EDITORS
            and membership.organisation.kind == OrganisationKind.KOMMUN
            and membership.organisation_id in kommuner
        ):
            return membership
    return None


def keeps_the_plan(actor: Actor, sip: Sip) -> bool:
    """Whether ``actor`` acts for the organisation that keeps the plan."""
    return any(
        m.organisation_id == sip.owner_organisation_id and m.role != Role.ADMIN for m in actor.memberships
    )


def shared_with(actor: Actor, sip: Sip, *, consent_withdrawn: bool) -> bool:
    """Whether the plan's content is shared with ``actor`` (who may see its patient)."""
    return not consent_withdrawn or keeps_the_plan(actor, sip)


def sip_ids_shared_with(actor: Actor, sip_ids: Collection[int]) -> set[int]:
    """Which of these plans are shared with ``actor`` (the rule of ``shared_with``, a withdrawal counting
    when it is on the latest finalised version), in two queries whatever the number of plans; access to
    the patient is the caller's to check."""
    owners = dict(Sip.objects.filter(pk__in=sip_ids).values_list("pk", "owner_organisation_id"))
    latest: dict[int, tuple[int, bool]] = {}
    for sip_id, number, withdrawal_id in SipVersion.objects.filter(
        sip_id__in=owners, status=VersionStatus.FINALISED
    ).values_list("sip_id", "number", "withdrawal__pk"):
        if sip_id not in latest or number > latest[sip_id][0]:
            latest[sip_id] = (number, withdrawal_id is not None)
    keeps = {m.organisation_id for m in actor.memberships if m.role != Role.ADMIN}
    return {
        sip_id
        for sip_id, owner_id in owners.items()
        if not latest.get(sip_id, (0, False))[1] or owner_id in keeps
    }
