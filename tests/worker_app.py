"""The Celery app as the tests' real workers run it (``tests.processes.start_celery_worker``): the
production app, routing the tasks it sends itself (retries, the outbox relay, the webhook sweep) to the
test's own queues, named in ``HEMSJUKVARD_TEST_QUEUE``."""

from __future__ import annotations

import os

from hemsjukvard.celery import app
from tests.processes import TEST_QUEUE_ENV, route_to_test_queues

route_to_test_queues(app, os.environ[TEST_QUEUE_ENV])

__all__ = ["app"]
