"""The API's shapes of a message: input per action (every text with its column's length), and output."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from directory.api.serializers import OrganisationRefSerializer

from ..models import BODY_MAX_LENGTH, CaseMessage, MessageReply, MessageStatus


class MessageTaskSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    task_type = serializers.CharField(source="task_type.code", read_only=True)
    name = serializers.CharField(source="task_type.name_sv", read_only=True)


class MessageCaseSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    number = serializers.CharField(read_only=True, help_text=_("The case number people quote."))


class MessageReplySerializer(serializers.ModelSerializer[MessageReply]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    author = serializers.CharField(source="author.display_name", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    answers = serializers.SerializerMethodField(help_text=_("Written by the addressed organisation."))

    class Meta:
        model = MessageReply
        fields = ["id", "author", "organisation", "role", "body", "answers", "created_at"]
        read_only_fields = fields

    def get_answers(self, reply: MessageReply) -> bool:
        return bool(reply.organisation_id == reply.message.addressed_organisation_id)


class MessageSerializer(serializers.ModelSerializer[CaseMessage]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    case = MessageCaseSerializer(read_only=True)
    sender = serializers.CharField(source="sender.display_name", read_only=True, help_text=_("Who wrote it."))
    sender_organisation = OrganisationRefSerializer(read_only=True)
    to = OrganisationRefSerializer(source="addressed_organisation", read_only=True)
    task = MessageTaskSerializer(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=MessageStatus.choices, read_only=True)
    overdue = serializers.SerializerMethodField(
        help_text=_("Waiting for an answer after its reply-by date (in Sweden's time).")
    )
    replies = MessageReplySerializer(many=True, read_only=True)

    class Meta:
        model = CaseMessage
        fields = [
            "id",
            "case",
            "sender",
            "sender_organisation",
            "sender_role",
            "to",
            "task",
            "body",
            "reply_by",
            "status",
            "overdue",
            "answered_at",
            "closed_at",
            "created_at",
            "updated_at",
            "replies",
        ]
        read_only_fields = fields

    def get_overdue(self, message: CaseMessage) -> bool:
        reply_by: datetime.date | None = message.reply_by
        return bool(message.is_waiting and reply_by is not None and reply_by < timezone.localdate())


class MessageCreateSerializer(serializers.Serializer[dict[str, Any]]):
    to = serializers.UUIDField(help_text=_("The organisation asked: another party of the case."))
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, help_text=_("The question or message."))
    reply_by = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("Answer by this day (today at the earliest, at most 60 days ahead)."),
    )
    task = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("The case's task the message concerns, if one.")
    )


class ReplyCreateSerializer(serializers.Serializer[dict[str, Any]]):
    body = serializers.CharField(max_length=BODY_MAX_LENGTH)
