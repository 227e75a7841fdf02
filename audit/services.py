"""Writing the access log. Every selector and service that touches patient data calls this."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

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


def _user_label(actor: Actor) -> str:
    return f"{actor.user.display_name} ({actor.user.username})"


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
        user_label=_user_label(actor),
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


# The columns written, in the order of ``_row``. ``at`` is the moment of the access, one value for every
# row of one call; the database fills ``id``.
_COLUMNS = (
    "at",
    "user",
    "user_label",
    "api_client",
    "role",
    "organisation",
    "organisation_label",
    "patient",
    "record_type",
    "record_id",
    "action",
    "outcome",
    "purpose",
    "reason",
    "client_address",
)


@functools.cache
def _insert_sql() -> str:
    """One INSERT for any number of rows on PostgreSQL: a parameter per column, each an array.

    Built from the model, so a renamed column cannot be missed; the arrays are cast to the columns'
    types without length (as Django's own bulk insert does), so nothing is silently truncated.
    """
    quote = connection.ops.quote_name
    fields = [field for field in AccessLogEntry._meta.concrete_fields if field.name in _COLUMNS]
    fields.sort(key=lambda field: _COLUMNS.index(field.name))
    if [field.name for field in fields] != list(_COLUMNS):
        raise RuntimeError("a column of the access log's INSERT is not on AccessLogEntry")
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"%s::{str(field.db_type(connection)).split('(')[0]}[]" for field in fields[1:])
    table = quote(AccessLogEntry._meta.db_table)
    # Names and types come from the model, never from input; the values are parameters. ``at`` is one
    # value for all rows, the time the database gives them (``audit_access_time``, migration 0007): the
    # rows are routed to their month's partition by the same time the append-only trigger sets, so no
    # row is ever routed to a month its final time is not in.
    return (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608
        f"SELECT audit_access_time(%s::timestamptz), * FROM UNNEST({arrays})"
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
    """Append one row per access in a single INSERT; returns the number of rows written.

    The INSERT runs on the caller's connection, so it commits with the caller's transaction (a
    service's) or at once (a read in autocommit), always before the response is sent.
    """
    accesses = list(accesses)
    if not accesses:
        return 0
    if connection.vendor != "postgresql":
        AccessLogEntry.objects.bulk_create(
            [
                _entry(actor, access, action=action, outcome=outcome, purpose=purpose, reason=reason)
                for access in accesses
            ]
        )
        return len(accesses)
    # A list page logs a row per record shown: build the columns directly rather than a model
    # instance per row (which cost more than the INSERT itself). What is the same for every row
    # (who, from where, what was done, when) is worked out once.
    count = len(accesses)
    roles: list[str] = []
    organisations: list[int | None] = []
    organisation_labels: list[str] = []
    for access in accesses:
        membership = access.membership
        if membership is None:
            roles.append("")
            organisations.append(None)
            organisation_labels.append("")
        else:
            roles.append(membership.role)
            organisations.append(membership.organisation_id)
            organisation_labels.append(membership.organisation.name)
    user = actor.user
    columns: list[Any] = [
        timezone.now(),
        [user.pk] * count,
        [_user_label(actor)] * count,
        [actor.api_client] * count,
        roles,
        organisations,
        organisation_labels,
        [access.patient_id for access in accesses],
        [access.record_type for access in accesses],
        [access.record_id for access in accesses],
        [str(action)] * count,
        [str(outcome)] * count,
        [str(purpose)] * count,
        [reason] * count,
        [actor.client_address] * count,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(), columns)
    return count
