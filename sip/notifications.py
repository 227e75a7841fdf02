"""Who is told of a SIP step: the organisations taking part in the plan, through the cases app's
notifications (``cases.notify.sip_notices`` is the rule; ``cases.services.notices_write`` writes them).

The biståndshandläggare named on a plan is told herself (``sip_handlaggare_notify``): the plan is her
part, and she finds it under My work.

Only a plan drawn up from a case notifies: a notification belongs to a case, and a plan for a patient
alone has no case to name.
"""

from __future__ import annotations

from access.roles import SIP_SOL_EDITORS
from cases import notify
from cases import services as case_services
from directory.actor import Actor
from directory.models import Membership, Organisation

from .models import Sip, SipEvent, SipInsats, SipParticipant


def sip_step_notify(*, actor: Actor, sip: Sip, event: SipEvent) -> list[int]:
    """Tell the plan's organisations of ``event`` (started, finalised, consent withdrawn, closed)."""
    case = sip.case
    if case is None or event.kind not in notify.SIP_STEPS:
        return []
    version_ids = [event.version_id] if event.version_id else list(sip.versions.values_list("pk", flat=True))
    organisation_ids: set[int] = set(
        SipParticipant.objects.filter(version_id__in=version_ids, organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )
    for row in SipInsats.objects.filter(version_id__in=version_ids).values_list(
        "responsible_id", "orders_id", "follows_up_id"
    ):
        organisation_ids |= {pk for pk in row if pk is not None}
    organisations = (
        Organisation.objects.filter(pk__in=organisation_ids).order_by("pk").values_list("pk", "kind")
    )
    notices = notify.sip_notices(
        sip_event_kind=event.kind, organisations=organisations, case_label=case_services.case_label(case)
    )
    return case_services.notices_write(
        acting_user_id=event.user_id, case=case, key=f"sip-event:{event.pk}", notices=notices
    )


def sip_handlaggare_notify(*, sip: Sip, event: SipEvent, new_draft: bool = False) -> list[int]:
    """Tell the biståndshandläggare just named on the plan (``event`` named her) that it names her; or,
    with ``new_draft``, the one it names that a new draft version (``event``) is open for her part."""
    case = sip.case
    user_id = sip.bistandshandlaggare_id
    if case is None or user_id is None:
        return []
    kommuner = {sip.patient.folkbokforing_kommun_id, sip.owner_organisation_id}
    organisation_id = (
        Membership.objects.active()
        .filter(user_id=user_id, role__in=SIP_SOL_EDITORS, organisation_id__in=kommuner)
        .order_by("pk")
        .values_list("organisation_id", flat=True)
        .first()
    )
    make = notify.sip_new_draft_notices if new_draft else notify.sip_named_notices
    notices = make(
        organisation_id=organisation_id, user_id=user_id, case_label=case_services.case_label(case)
    )
    key = f"sip-new-draft:{event.pk}" if new_draft else f"sip-named:{event.pk}"
    return case_services.notices_write(acting_user_id=event.user_id, case=case, key=key, notices=notices)
