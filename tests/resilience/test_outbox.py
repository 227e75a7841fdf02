"""The transactional outbox on its own: written with the change or not at all, published once by any
number of relays at once, run in-process when Celery is eager, and deduplicated by key."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from hemsjukvard import outbox
from hemsjukvard.models import OutboxMessage

from .conftest import Broker

pytestmark = pytest.mark.django_db(transaction=True)

TASK = "hemsjukvard.tasks.purge_outbox"  # harmless to run, takes no arguments


def test_a_rolled_back_change_sends_nothing(broker: Broker) -> None:
    def service() -> None:
        with transaction.atomic():
            outbox.outbox_enqueue(TASK, kwargs={})
            raise RuntimeError("the service failed")

    with pytest.raises(RuntimeError):
        service()
    assert not OutboxMessage.objects.exists()
    assert broker.redis.messages(broker.queue) == []


def test_a_committed_change_is_published_once_after_commit(broker: Broker) -> None:
    with transaction.atomic():
        message = outbox.outbox_enqueue(TASK, kwargs={})
        assert message is not None
        assert broker.redis.messages(broker.queue) == []  # not before commit
    message.refresh_from_db()
    assert message.sent_at is not None
    assert [m["id"] for m in broker.redis.messages(broker.queue)] == [str(message.public_id)]
    assert outbox.outbox_relay() == 0


def test_dedup_key_writes_one_message() -> None:
    assert outbox.outbox_enqueue(TASK, kwargs={}, dedup_key="once") is not None
    assert outbox.outbox_enqueue(TASK, kwargs={}, dedup_key="once") is None
    assert OutboxMessage.objects.filter(dedup_key="once").count() == 1


def test_an_unknown_task_fails_in_the_callers_transaction() -> None:
    with pytest.raises(Exception, match="no_such_task"):
        outbox.outbox_enqueue("hemsjukvard.tasks.no_such_task", kwargs={})
    assert not OutboxMessage.objects.exists()


def test_wrong_arguments_fail_in_the_callers_transaction() -> None:
    with pytest.raises(TypeError):
        outbox.outbox_enqueue(TASK, kwargs={"unexpected": 1})
    assert not OutboxMessage.objects.exists()


def test_a_message_that_cannot_be_sent_does_not_hold_up_the_others(broker: Broker) -> None:
    OutboxMessage.objects.create(task_name=TASK, kwargs={"unexpected": 1})  # written before a rename, say
    good = OutboxMessage.objects.create(task_name=TASK, kwargs={})
    assert outbox.outbox_relay() == 1
    assert [m["id"] for m in broker.redis.messages(broker.queue)] == [str(good.public_id)]
    bad = OutboxMessage.objects.get(sent_at__isnull=True)
    assert "unexpected" in bad.last_error


def test_eager_celery_runs_the_task_in_process_after_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    from hemsjukvard.celery import app

    ran: list[dict[str, object]] = []
    monkeypatch.setattr(outbox, "_send", lambda message, **_: ran.append(message.kwargs))
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with transaction.atomic():
            outbox.outbox_enqueue(TASK, kwargs={})
            assert ran == []
    finally:
        app.conf.task_always_eager = saved
    assert ran == [{}]
    assert OutboxMessage.objects.get().sent_at is not None


def test_broker_down_leaves_rows_pending_and_the_command_says_so(broker: Broker) -> None:
    broker.redis.stop()
    for _ in range(3):
        outbox.outbox_enqueue(TASK, kwargs={})  # autocommit: published (or not) at once
    assert outbox.outbox_pending_count() == 3
    # One failed attempt, then the fast path leaves the broker alone for a while.
    assert sorted(OutboxMessage.objects.values_list("attempts", flat=True)) == [0, 0, 1]
    with pytest.raises(CommandError, match="3 message"):
        call_command("relay_outbox")
    broker.redis.start()
    call_command("relay_outbox")
    assert outbox.outbox_pending_count() == 0
    assert len(broker.redis.messages(broker.queue)) == 3


def test_two_relays_at_once_publish_each_row_once(broker: Broker) -> None:
    OutboxMessage.objects.bulk_create(OutboxMessage(task_name=TASK, kwargs={}) for _ in range(450))
    barrier = threading.Barrier(2)
    sent: list[int] = []

    def relay() -> None:
        try:
            barrier.wait(timeout=10)
            sent.append(outbox.outbox_relay())
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(sent) == 450
    published = Counter(m["id"] for m in broker.redis.messages(broker.queue))
    assert len(published) == 450
    assert set(published.values()) == {1}
