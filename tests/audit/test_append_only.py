"""The access log refuses UPDATE and DELETE in PostgreSQL itself, whatever the application does."""

from __future__ import annotations

import pytest
from django.db import InternalError, ProgrammingError, connection, transaction

from audit.models import AccessLogEntry, Action, Outcome, Purpose

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(world):
    return AccessLogEntry.objects.create(
        user=world.users["nurse_a"],
        user_label="nurse.a",
        record_type="patient",
        action=Action.READ,
        outcome=Outcome.GRANTED,
        purpose=Purpose.CARE_RELATIONSHIP,
    )


def test_update_is_refused(entry):
    assert connection.vendor == "postgresql"
    with (
        pytest.raises((InternalError, ProgrammingError), match="append-only"),
        transaction.atomic(),
    ):
        AccessLogEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    entry.refresh_from_db()
    assert entry.reason == ""


def test_delete_is_refused_even_in_raw_sql(entry):
    with (
        pytest.raises((InternalError, ProgrammingError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_accesslogentry WHERE id = %s", [entry.pk])
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()
