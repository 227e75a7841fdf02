"""Which changes of a SIP become webhooks: a finalised version.

Published through ``integrations.events.event_publish`` to the clients the patient's access rule lets
see the plan; the payload carries the plan's and the version's ids, the case's id and a link.
"""

from __future__ import annotations

from access.patients import granting_membership, patient_facts
from integrations.events import api_url, event_publish
from integrations.models import WebhookEventKind

from .models import Sip, SipVersion


def sip_finalised_publish(*, sip: Sip, version: SipVersion) -> list[int]:
    """Called by ``sip.services`` when a SIP version is finalised."""
    facts = patient_facts(sip.patient)
    return event_publish(
        WebhookEventKind.SIP_FINALISED,
        may_see=lambda actor: granting_membership(actor, facts) is not None,
        data={
            "sip": {
                "id": str(sip.public_id),
                "status": sip.status,
                "version": version.number,
                "version_id": str(version.public_id),
                "case_id": str(sip.case.public_id) if sip.case_id and sip.case else None,
                "url": api_url("v1:sip-detail", sip.public_id),
            }
        },
    )
