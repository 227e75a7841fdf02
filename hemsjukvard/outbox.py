"""The transactional outbox: how services hand work to the Celery worker without losing it.

A service calls ``outbox_enqueue`` inside its transaction; that writes an ``OutboxMessage`` row, so the
task exists exactly when the change that causes it exists. After commit a fast path publishes the row
to Celery at once and marks it sent. If Redis does not answer, the row stays pending and the request
still succeeds; ``outbox_relay`` (a beat task every minute, and ``manage.py relay_outbox`` for operators)
publishes pending rows once the broker is back.

Delivery is at least once, not exactly once: a row whose publish succeeded but whose ``sent_at`` could
not be committed is published again. Every task sent this way is idempotent (it claims its work with a
conditional UPDATE or checks state first), so such a duplicate does nothing. Rows are claimed with
``SELECT ... FOR UPDATE SKIP LOCKED``, so the fast path and any number of relays never publish the same
row at the same time.

With ``task_always_eager`` (development, some tests) the fast path runs the task in-process after
commit, as ``.delay()`` did, and lets its errors propagate.
"""

from __future__ import annotations

import datetime
import importlib
import logging
import threading
import time
from functools import partial
from typing import Any

from celery import Task
from celery.exceptions import NotRegistered
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from hemsjukvard.models import OutboxMessage
from hemsjukvard.observability.request_id import REQUEST_ID_TASK_HEADER, current_request_id

logger = logging.getLogger(__name__)

RELAY_BATCH_SIZE = 100
KEEP_SENT = datetime.timedelta(days=7)
# After a failed publish the fast path leaves the broker alone this long (per process): a request that
# causes many tasks while Redis is down waits for one failed attempt, not one per task.
BROKER_DOWN_PAUSE_SECONDS = 5.0
# The fast path runs inside a web request: one quick retry, not Celery's default of three.
FAST_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

_broker_down_until = 0.0
_broker_state_lock = threading.Lock()


def _task(task_name: str) -> Task[Any, Any]:
    from hemsjukvard.celery import app

    try:
        return app.tasks[task_name]
    except NotRegistered:
        # Tasks register when their module is imported; the web process imports them on demand.
        importlib.import_module(task_name.rsplit(".", 1)[0])
        return app.tasks[task_name]


def _eager() -> bool:
    from hemsjukvard.celery import app

    return bool(app.conf.task_always_eager)


def outbox_enqueue(
    task_name: str, *, kwargs: dict[str, Any], dedup_key: str | None = None
) -> OutboxMessage | None:
    """Write ``task_name(**kwargs)`` to the outbox in the caller's transaction; publish it after commit.

    ``kwargs`` must be JSON (ids, not objects). With ``dedup_key`` a message is written at most once per
    key, for as long as sent rows are kept (``KEEP_SENT``); a repeated key returns ``None``.
    """
    # An unknown task or arguments it does not take fail here, in the caller's transaction, not later
    # in the relay.
    check_arguments = getattr(_task(task_name), "__header__", None)
    if check_arguments is not None:
        check_arguments(**kwargs)
    request_id = current_request_id.get()
    if dedup_key is None:
        message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs, request_id=request_id)
    else:
        message, created = OutboxMessage.objects.get_or_create(
            dedup_key=dedup_key,
            defaults={"task_name": task_name, "kwargs": kwargs, "request_id": request_id},
        )
        if not created:
            return None
    transaction.on_commit(partial(_publish_after_commit, message.pk))
    return message


def _send(message: OutboxMessage, *, retry_policy: dict[str, float] | None = None) -> None:
    # The message's public id is the Celery task id: a duplicate publish carries the same id.
    options: dict[str, Any] = {"task_id": str(message.public_id)}
    if retry_policy is not None:
        options["retry_policy"] = retry_policy
    if message.request_id:
        options["headers"] = {REQUEST_ID_TASK_HEADER: message.request_id}
    _task(message.task_name).apply_async(kwargs=message.kwargs, **options)


def _publish_after_commit(message_id: int) -> None:
    global _broker_down_until
    if _eager():
        claimed = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1
        )
        if claimed:
            _send(OutboxMessage.objects.get(pk=message_id))
        return
    if time.monotonic() < _broker_down_until:
        return  # the relay sends it
    try:
        _relay_batch(ids=[message_id], retry_policy=FAST_RETRY_POLICY)
    except (BrokerError, OSError, DatabaseError) as exc:
        # The change is committed and the message is in the outbox: the request has succeeded, and the
        # relay publishes the message when the broker (or the database) answers again.
        if not isinstance(exc, DatabaseError):
            with _broker_state_lock:
                _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE_SECONDS
        logger.warning("Outbox message %s left for the relay: %s", message_id, exc)


def _record_error(message: OutboxMessage, exc: Exception) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
    )


def _relay_batch(*, ids: list[int] | None, retry_policy: dict[str, float] | None = None) -> int:
    """Claim up to ``RELAY_BATCH_SIZE`` pending rows, publish them, mark them sent; the number sent.

    On a broker error the rows published so far are still marked sent, and the error propagates.
    """
    with transaction.atomic():
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True)
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        messages = list(pending.order_by("pk")[:RELAY_BATCH_SIZE])
        sent: list[int] = []
        failure: Exception | None = None
        for message in messages:
            try:
                _send(message, retry_policy=retry_policy)
            except (BrokerError, OSError) as exc:
                failure = exc
                _record_error(message, exc)
                break
            except Exception as exc:
                # Not the broker: this one message cannot be sent (its task was renamed, say). Keep it,
                # say why, and do not let it hold up the others.
                logger.exception("Outbox message %s (%s) cannot be sent", message.pk, message.task_name)
                _record_error(message, exc)
                continue
            sent.append(message.pk)
        if sent:
            OutboxMessage.objects.filter(pk__in=sent).update(
                sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
    if failure is not None:
        raise failure
    return len(sent)


def outbox_relay(*, limit: int | None = None) -> int:
    """Publish pending outbox rows, oldest first, until none is left (or ``limit``); the number sent.

    Safe to run anywhere and any number of times at once. A broker error propagates, after the rows
    published before it have been marked sent.
    """
    total = 0
    while limit is None or total < limit:
        sent = _relay_batch(ids=None)
        total += sent
        if sent < RELAY_BATCH_SIZE:
            break  # the rest is locked by another relay, or cannot be sent and was logged
    if total:
        logger.info("Outbox relay published %d message(s)", total)
    return total


def outbox_pending_count() -> int:
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()


def outbox_purge_sent(*, now: datetime.datetime | None = None) -> int:
    """Delete rows sent longer ago than ``KEEP_SENT`` (kept that long for tracing and ``dedup_key``)."""
    cutoff = (now or timezone.now()) - KEEP_SENT
    deleted, _ = OutboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
