"""Infrastructure records (no domain data): stored answers to idempotent API requests, and the task outbox."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first answer to a creating ``POST`` sent with an ``Idempotency-Key``, replayed for 24 hours.

    The row is inserted before the work, in the same transaction, so the unique constraint makes a
    concurrent duplicate wait for the first request and then replay its answer.
    """

    caller = models.CharField(_("caller"), max_length=100)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    key = models.CharField(_("key"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=64)
    completed = models.BooleanField(_("completed"), default=False)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    # Only the answered record's id, never its content: a replay reads the record again through the
    # view (access check, access log), so no personal data is kept here.
    answered_id = models.UUIDField(_("answered record"), null=True, blank=True)
    response_headers = models.JSONField(_("response headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(
                fields=["caller", "method", "path", "key"], name="idempotency_record_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class OutboxMessage(models.Model):
    """A task for the Celery worker, written in the same transaction as the change that causes it.

    The transactional outbox: if the transaction rolls back the task is never sent; if it commits, the
    row exists even when Redis does not answer, and ``hemsjukvard.outbox`` publishes it then or later.
    ``sent_at`` is set once Celery's broker has taken the message.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    task_name = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    # Optional: a second message with the same key is not written (see ``outbox_enqueue``).
    dedup_key = models.CharField(_("deduplication key"), max_length=255, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # The id of the request that wrote it, sent with the task so its log lines carry it too.
    request_id = models.CharField(_("request id"), max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The relay reads only the (few) pending rows, oldest first.
            models.Index(fields=["id"], condition=models.Q(sent_at__isnull=True), name="outbox_pending_idx"),
            models.Index(fields=["sent_at"], name="outbox_sent_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.kwargs} ({'sent' if self.sent_at else 'pending'})"
