"""A message on a case to one party, with an optional reply-by date, and its thread of replies.

A case's comments are read by every party; a message asks one named party (the vårdcentral, the
kommun, the ordering clinic) a question and waits for its answer: "Kan ni ta över insulinordinationen?
Svar senast 10 december." The message is *answered* when the addressed organisation first replies and
*closed* by the sender's organisation. Who may do what is ``messaging.policies``; the bounds are here,
defined once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hemsjukvard.db import PublicIdModel, TimestampedModel

# A message or reply is a question and its answer, not a record of care: a page of text at most.
BODY_MAX_LENGTH = 4_000
# How far ahead a reply-by date may lie: beyond this it is a follow-up, not a question waiting.
REPLY_BY_MAX_DAYS = 60


class MessageStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class CaseMessage(PublicIdModel, TimestampedModel):
    """A message from one party of a case to another, and where it stands."""

    case = models.ForeignKey(
        "cases.ResponsibilityCase",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="messages",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sender_organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    sender_role = models.CharField(_("role"), max_length=16)
    api_client = models.CharField(_("via API client"), max_length=200, blank=True)
    addressed_organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    task = models.ForeignKey(
        "cases.CaseTask",
        verbose_name=_("concerns the task"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("message"), max_length=BODY_MAX_LENGTH)
    reply_by = models.DateField(_("answer by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.OPEN
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set once, when the reply-by date passed without an answer and both sides were reminded.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["case", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sender_organisation=F("addressed_organisation")),
                name="case_message_to_another_party",
            ),
            models.CheckConstraint(
                condition=Q(status=MessageStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=MessageStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="case_message_closed_iff_closed_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.ANSWERED) | Q(answered_at__isnull=False),
                name="case_message_answered_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["addressed_organisation", "status"]),
            models.Index(fields=["status", "reply_by"]),
            models.Index(fields=["updated_at", "public_id"]),
        ]

    def __str__(self) -> str:
        # Never the text: str() ends up in logs.
        return f"Message {self.public_id}"

    @property
    def is_waiting(self) -> bool:
        """Whether the addressed organisation has still to answer."""
        return self.status == MessageStatus.OPEN


class MessageReply(PublicIdModel):
    """One reply in a message's thread, by either side. Only ever added."""

    message = models.ForeignKey(
        CaseMessage, verbose_name=_("message"), on_delete=models.PROTECT, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16)
    api_client = models.CharField(_("via API client"), max_length=200, blank=True)
    body = models.TextField(_("reply"), max_length=BODY_MAX_LENGTH)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["message", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Reply {self.public_id}"
