"""Writing the access log. Every selector and service that touches patient data calls this."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from directory.actor import Actor
from directory.models import Membership

from .models import AccessLogEntry, Action, Outcome, Purpose


@dataclass(frozen=True)
class Access:
    """One patient's record as it was touched: the patient, the record and the membership that allowed it."""

    patient_id: int | None
    record_type: str
    record_id: str = ""
    membership: Membership | None = None


def _entry(
    actor: Actor,
    access: Access,
    *,
    action: str,
    outcome: str,
    purpose: str,
    reason: str,
) -> AccessLogEntry:
    membership = access.membership
    return AccessLogEntry(
        user=actor.user,
        user_label=f"{actor.user.display_name} ({actor.user.username})",
        api_client=actor.api_client,
        role=membership.role if membership else "",
        organisation=membership.organisation if membership else None,
        organisation_label=membership.organisation.name if membership else "",
        patient_id=access.patient_id,
        record_type=access.record_type,
        record_id=access.record_id,
        action=action,
        outcome=outcome,
        purpose=purpose,
        reason=reason,
        client_address=actor.client_address,
    )


def access_log_record(
    *,
    actor: Actor,
    accesses: Iterable[Access],
    action: Action | str,
    outcome: Outcome | str = Outcome.GRANTED,
    purpose: Purpose | str = Purpose.CARE_RELATIONSHIP,
    reason: str = "",
) -> int:
    """Append one row per access in a single INSERT; returns the number of rows written."""
    entries = [
        _entry(actor, access, action=action, outcome=outcome, purpose=purpose, reason=reason)
        for access in accesses
    ]
    if entries:
        AccessLogEntry.objects.bulk_create(entries)
    return len(entries)
