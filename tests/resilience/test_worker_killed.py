"""A worker is SIGKILLed in the middle of a task; after a restart the task runs again, each effect once.

The task is the outbox relay itself, with a backlog as after a long Redis outage: thousands of pending
reminder e-mails. The kill lands while the relay holds a batch of rows locked, some already published:
that batch's ``sent_at`` is never committed, so the batch is published again after the restart. The
relay message was acknowledged late, so Redis hands it to the restarted worker after the visibility
timeout. Duplicates reach the worker, and the e-mail task's claim makes each one a no-op: every
reminder is e-mailed exactly once.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

import pytest

from cases.models import CaseStatus, Notification, NotificationKind
from hemsjukvard.models import OutboxMessage
from hemsjukvard.outbox import outbox_pending_count
from hemsjukvard.tasks import relay_outbox
from tests.processes import test_queue_names as queue_names

from .conftest import Broker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

BACKLOG = 800
# Short limits so the test is quick; the relation is as in production: soft < hard < visibility.
LIMITS = {
    "CELERY_VISIBILITY_TIMEOUT": "12",
    "CELERY_TASK_TIME_LIMIT": "8",
    "CELERY_TASK_SOFT_TIME_LIMIT": "6",
    "WEBHOOK_RETRY_MAX_SECONDS": "10",
}


def _queued(broker: Broker) -> int:
    """Messages waiting in any of the worker's queues (the relay publishes the e-mails to the
    notifications queue, as in production)."""
    client = broker.redis.client()
    return sum(client.llen(name) for name in queue_names(broker.queue).values())


SUCCEEDED = re.compile(r"Task cases\.tasks\.notifications_email\[([0-9a-f-]+)\] succeeded in [\d.]+s: (\d+)")


def test_relay_killed_mid_batch_runs_again_and_each_reminder_is_emailed_once(
    broker: Broker, run_worker, world, halland, case_in, tmp_path: Path
) -> None:
    case = case_in(CaseStatus.IN_REVIEW)
    user = world.users["gp_a"]
    notifications = Notification.objects.bulk_create(
        Notification(
            user=user,
            case=case,
            kind=NotificationKind.DEADLINE_PASSED,
            deadline_key=f"test-{n}",
            message=f"Påminnelse {n}",
        )
        for n in range(BACKLOG)
    )
    OutboxMessage.objects.bulk_create(
        OutboxMessage(task_name="cases.tasks.notifications_email", kwargs={"notification_ids": [n.pk]})
        for n in notifications
    )

    # The workers write each e-mail they send to a file, so the test counts what left the machine.
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **LIMITS,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    first = run_worker("first", **env)
    relay_outbox.apply_async()
    wait_until(lambda: outbox_pending_count() < BACKLOG - 150, timeout=60, what="the relay to be under way")
    first.kill()
    left = outbox_pending_count()
    assert 0 < left < BACKLOG, "the kill must land in the middle of the relay"
    assert _queued(broker) > 0

    # Redis hands the relay message out again once it is older than the visibility timeout. kombu
    # sweeps for such messages 10 s after a worker starts and then only about every 100 s
    # (unacked_restore_interval x unacked_restore_throttle), so restart once it is old enough.
    time.sleep(int(LIMITS["CELERY_VISIBILITY_TIMEOUT"]) + 1)
    restarted = run_worker("restarted", **env)
    wait_until(
        lambda: outbox_pending_count() == 0, timeout=90, what="the relay to run again and finish", step=0.5
    )
    backlog_ids = [n.pk for n in notifications]
    wait_until(
        lambda: not Notification.objects.filter(pk__in=backlog_ids, emailed_at__isnull=True).exists(),
        timeout=120,
        what="every reminder e-mailed",
        step=0.5,
    )
    wait_until(lambda: _queued(broker) == 0, timeout=60, what="the queue to drain")
    time.sleep(1)  # the last mail files and "succeeded" lines
    restarted.stop()

    # Each reminder left the machine exactly once, however often its message ran (the batch cut short
    # by the kill is published twice; where the kill fell between two batches there is no duplicate).
    sent = Counter(
        line
        for path in mail_dir.iterdir()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("Påminnelse ")
    )
    assert sent == Counter({f"Påminnelse {n}": 1 for n in range(BACKLOG)})
    runs: Counter[str] = Counter()
    for log in (first.log.read_text(errors="replace"), restarted.log.read_text(errors="replace")):
        runs.update(task_id for task_id, _count in SUCCEEDED.findall(log))
    print(f"pending at the kill: {left}; messages run more than once: {sum(n > 1 for n in runs.values())}")
