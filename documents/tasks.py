"""The worker's side of documents: render one document. Thin: an id in, ``services.document_render``.

``acks_late`` with ``reject_on_worker_lost``: the message is acknowledged only when the task has run, so
a worker that dies mid-render (killed, out of memory) leaves the message to be delivered again; the
claim in ``document_render`` makes that second delivery safe. The time limits (settings) stay inside the
broker's visibility timeout, so Redis never hands a message to a second worker while the first may still
be working on it. Only transient database errors are retried, with backoff and a limit.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import services

BUSY_RETRY_MAX_COUNTDOWN = 30


def _test_render_delay() -> float:
    # Lets the test suite hold a claim long enough to kill the worker; never honoured in production.
    if settings.ENVIRONMENT == "production":
        return 0.0
    return float(os.environ.get("DOCUMENTS_TEST_RENDER_DELAY", "0") or 0)


@shared_task(
    bind=True,
    name="documents.tasks.render_document",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=5,
)
def render_document(self: Any, document_id: int) -> str:
    worker = f"{self.request.hostname or socket.gethostname()}:{os.getpid()}"
    outcome = services.document_render(
        document_id=document_id,
        worker=worker,
        delay=_test_render_delay(),
        heartbeat_every=None if self.request.is_eager else float(settings.DOCUMENT_CLAIM_HEARTBEAT_SECONDS),
    )
    if outcome.busy_for is not None:
        # Another worker holds a fresh claim. If it finishes, the retry finds the document ready; if it
        # died, the retry finds the claim stale and takes it. Short countdowns keep the retry inside the
        # visibility timeout.
        raise self.retry(countdown=min(outcome.busy_for, BUSY_RETRY_MAX_COUNTDOWN), max_retries=100, exc=None)
    return outcome.status


@shared_task(name="documents.tasks.requeue_stale_documents")
def requeue_stale_documents() -> int:
    """Beat: documents whose worker is gone are queued again (``services.documents_requeue_stale``)."""
    return services.documents_requeue_stale()
