"""Tasks are sent to the queue of their kind, on the real broker: a PDF to ``documents``, a webhook
delivery to ``webhooks``, an e-mail to a person to ``notifications``, the rest to ``default``
(CELERY_TASK_ROUTES); each queue has its own worker (test_compose). The test broker's Redis is shared by
concurrent runs, whose workers consume only their own queue names (tests.processes), so what lands in
the production-named queues here is this test's."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings

from hemsjukvard.celery import app
from tests import processes

QUEUES = ("default", "documents", "notifications", "webhooks")


@pytest.fixture
def broker() -> Iterator[redis.Redis]:
    """The configured broker, with this app sending for real (not eagerly)."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    processes.reset_broker_pools(app)
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, decode_responses=True)
    yield client
    app.conf.task_always_eager = saved
    processes.reset_broker_pools(app)
    client.close()


def _take(client: redis.Redis, task_id: str) -> list[str]:
    """The queues holding the message of ``task_id``; the message is removed from them."""
    found = []
    for queue in QUEUES:
        for raw in client.lrange(queue, 0, -1):
            if json.loads(raw)["headers"]["id"] == task_id:
                client.lrem(queue, 0, str(raw))
                found.append(queue)
    return found


def _send(name: str, **kwargs: Any) -> str:
    task_id = f"test-queues-{uuid.uuid4()}"
    app.send_task(name, kwargs=kwargs, task_id=task_id)
    return task_id


def test_a_document_render_and_a_webhook_delivery_go_to_their_own_queues(broker: redis.Redis) -> None:
    # Ids no row has: should a worker of the production queues ever take them, it finds nothing to do.
    render = _send("documents.tasks.render_document", document_id=-1)
    figures = _send("figures.tasks.render_figures_report", report_id=-1)
    webhook = _send("integrations.tasks.deliver_webhook", delivery_id=-1)
    sweep = _send("integrations.tasks.requeue_overdue_deliveries")
    email = _send("cases.tasks.notifications_email", notification_ids=[])
    relay = _send("hemsjukvard.tasks.relay_outbox")

    assert _take(broker, render) == ["documents"]
    assert _take(broker, figures) == ["documents"]
    assert _take(broker, webhook) == ["webhooks"]
    assert _take(broker, sweep) == ["webhooks"]
    assert _take(broker, email) == ["notifications"]
    assert _take(broker, relay) == ["default"]


def test_the_real_task_objects_are_routed_so() -> None:
    """As the outbox sends them: by the registered task, with no queue given."""
    from documents.tasks import render_document
    from integrations.tasks import deliver_webhook

    router = app.amqp.router
    assert router.route({}, render_document.name)["queue"].name == "documents"
    assert router.route({}, deliver_webhook.name)["queue"].name == "webhooks"
    assert router.route({}, "cases.tasks.notifications_email")["queue"].name == "notifications"
    assert router.route({}, "cases.tasks.remind_overdue")["queue"].name == "default"


def test_every_task_goes_to_a_queue_with_a_worker() -> None:
    app.loader.import_default_modules()
    names = [name for name in app.tasks if not name.startswith("celery.")]
    assert "documents.tasks.render_document" in names
    queues = {name: app.amqp.router.route({}, name)["queue"].name for name in names}
    assert set(queues.values()) <= set(QUEUES), queues


def test_the_tests_workers_consume_every_queue_under_their_own_name() -> None:
    assert processes.test_queue_names("q-1") == {
        "default": "q-1",
        "documents": "q-1.documents",
        "notifications": "q-1.notifications",
        "webhooks": "q-1.webhooks",
    }
