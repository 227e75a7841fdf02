"""Which changes of a SIP become webhooks: every recorded change of the plan (``sip.changed``, naming
the kind of change: ``created``, ``draft_changed``, ``finalised``, ``new_version``, ``consent_withdrawn``,
``followed_up``, ``closed``, ``distributed``), and a finalised version (``sip.finalised``).

Published through ``integrations.events.event_publish`` to the clients the patient's access rule lets
see the plan; the payload carries the plan's and the version's ids, the case's id and a link, never the
person's name or personnummer (nor who took part, gave consent or received the plan).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from access.patients import granting_membership, patient_facts
from directory.actor import Actor
from integrations.events import api_url, event_publish
from integrations.models import WebhookEventKind

from .models import Sip, SipVersion


def _may_see(sip: Sip) -> Callable[[Actor], bool]:
    """The patient's access rule, its facts read once and only if some client subscribes."""
    facts = cache(lambda: patient_facts(sip.patient))
    return lambda actor: granting_membership(actor, facts()) is not None


def _sip_data(sip: Sip, version: SipVersion | None) -> dict[str, Any]:
    return {
        "id": str(sip.public_id),
        "status": sip.status,
        "version": version.number if version is not None else None,
        "version_id": str(version.public_id) if version is not None else None,
        "case_id": str(sip.case.public_id) if sip.case_id and sip.case else None,
        "url": api_url("v1:sip-detail", sip.public_id),
    }


def sip_finalised_publish(*, sip: Sip, version: SipVersion) -> list[int]:
    """Called by ``sip.services`` when a SIP version is finalised."""
    return event_publish(
        WebhookEventKind.SIP_FINALISED,
        may_see=_may_see(sip),
        data={"sip": _sip_data(sip, version)},
    )


def sip_changed_publish(*, sip: Sip, change: str, version: SipVersion | None) -> list[int]:
    """``sip.changed`` for one recorded event of the plan (``change`` is the event's kind; naming the
    biståndshandläggare is a ``draft_changed``): a client that follows every change reads the plan again
    from the link, or syncs SIPs with ``updated_since``. Called where the plan records its events."""
    return event_publish(
        WebhookEventKind.SIP_CHANGED,
        may_see=_may_see(sip),
        data={"sip": _sip_data(sip, version), "change": change},
    )
