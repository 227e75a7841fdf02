"""``access_log_record`` writes one complete row per access, in the caller's transaction.

On PostgreSQL the rows are written by one hand-built INSERT (``audit.services._insert_sql``) rather
than through model instances; these tests hold it to what the model-built entry (``_entry``) would
store, column by column, so the two ways cannot drift apart.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from audit.models import AccessLogEntry, Action, Outcome, Purpose
from audit.services import _COLUMNS, Access, _entry, access_log_record
from directory.actor import Actor
from tests.fixtures.world import World

pytestmark = pytest.mark.django_db

COMPARED = [name for name in _COLUMNS if name != "at"]


def _actor(world: World, key: str = "nurse_a") -> Actor:
    actor = Actor.for_user(world.users[key], client_address="2001:db8::7")
    return Actor(
        user=actor.user,
        memberships=actor.memberships,
        client_address=actor.client_address,
        api_client="Journalsystemet Test",
    )


def _stored(entry: AccessLogEntry) -> dict[str, object]:
    return {
        name: getattr(entry, f"{name}_id" if name in ("user", "organisation", "patient") else name)
        for name in COMPARED
    }


def test_each_access_is_a_complete_row_as_the_model_would_store_it(world: World) -> None:
    assert connection.vendor == "postgresql"
    actor = _actor(world)
    membership = actor.memberships[0]
    patients = [world.patient(), world.patient(protected=True)]
    accesses = [
        Access(patient_id=patients[0].pk, record_type="patient", record_id="a", membership=membership),
        Access(
            patient_id=patients[1].pk,
            record_type="responsibility_case",
            record_id="b" * 64,
            membership=membership,
        ),
        Access(patient_id=None, record_type="patient", record_id="c"),  # a denied look-up names no patient
    ]
    before = timezone.now()
    written = access_log_record(
        actor=actor,
        accesses=iter(accesses),  # any iterable, read once
        action=Action.READ,
        outcome=Outcome.DENIED,
        purpose=Purpose.EMERGENCY_ACCESS,
        reason="Akut: patienten medvetslös, ”läkemedelslista” behövs.",
    )
    assert written == 3
    rows = list(AccessLogEntry.objects.order_by("pk"))
    assert len(rows) == 3
    for access, row in zip(accesses, rows, strict=True):
        expected = _entry(
            actor,
            access,
            action=Action.READ,
            outcome=Outcome.DENIED,
            purpose=Purpose.EMERGENCY_ACCESS,
            reason="Akut: patienten medvetslös, ”läkemedelslista” behövs.",
        )
        assert _stored(row) == _stored(expected)
    assert rows[0].organisation_label == membership.organisation.name
    assert rows[2].organisation_id is None
    assert rows[2].role == ""
    assert rows[0].client_address == "2001:db8::7"
    # One moment for one access, stored in UTC.
    assert {row.at for row in rows} == {rows[0].at}
    assert before <= rows[0].at <= timezone.now()
    assert rows[0].at.utcoffset() == datetime.timedelta(0)


def test_nothing_to_log_writes_nothing(world: World) -> None:
    assert access_log_record(actor=_actor(world), accesses=[], action=Action.LIST) == 0
    assert not AccessLogEntry.objects.exists()


def test_the_rows_belong_to_the_callers_transaction(world: World) -> None:
    """A service's write and its log rows commit together, or neither does."""
    actor = _actor(world)
    patient = world.patient()

    def write_then_fail() -> None:
        with transaction.atomic():
            access_log_record(
                actor=actor,
                accesses=[
                    Access(patient_id=patient.pk, record_type="patient", membership=actor.memberships[0])
                ],
                action=Action.UPDATE,
            )
            assert AccessLogEntry.objects.count() == 1
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert not AccessLogEntry.objects.exists()


def test_a_list_page_logs_one_row_per_case_shown(
    world: World,
    api: Callable[..., Any],
    case_in: Callable[..., Any],
) -> None:
    """Through the API: every case on the page, one row each, with the membership that allowed it."""
    cases = [case_in("in_review") for _ in range(3)]
    first = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = api(world.users["gp_a"]).get("/api/v1/cases", {"page_size": 2})
    assert response.status_code == 200
    rows = list(AccessLogEntry.objects.filter(pk__gt=first, action=Action.LIST).order_by("pk"))
    shown = [item["id"] for item in response.json()["results"]]
    assert [row.record_id for row in rows] == shown
    by_id = {str(case.public_id): case for case in cases}
    assert [row.patient_id for row in rows] == [by_id[i].patient_id for i in shown]
    assert {(row.role, row.organisation_id) for row in rows} == {("gp", world.orgs["vc_a"].pk)}
