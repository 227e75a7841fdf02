"""Attachment representations: the attachment with who attached (and removed) it, the upload, the removal."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from attachments.models import (
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Attachment,
    AttachmentContentType,
    AttachmentKind,
)
from directory.api.serializers import OrganisationRefSerializer, PersonRefSerializer


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.ChoiceField(choices=AttachmentKind.choices, read_only=True)
    content_type = serializers.ChoiceField(
        choices=AttachmentContentType.choices,
        read_only=True,
        help_text=_("The file's type as read from its bytes (never as the uploader named it)."),
    )
    case = serializers.SerializerMethodField(help_text=_("The case the file belongs to, if a case."))
    sip = serializers.SerializerMethodField(help_text=_("The SIP the file belongs to, if a SIP."))
    uploaded_by = PersonRefSerializer(read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    removed_by = PersonRefSerializer(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField(
        help_text=_("Where to download the file; null once it is removed.")
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "case",
            "sip",
            "kind",
            "title",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "organisation",
            "created_at",
            "removed_at",
            "removed_by",
            "removal_reason",
            "download_url",
        ]
        read_only_fields = fields

    def get_case(self, attachment: Attachment) -> str | None:
        return str(attachment.case.public_id) if attachment.case is not None else None

    def get_sip(self, attachment: Attachment) -> str | None:
        return str(attachment.sip.public_id) if attachment.sip is not None else None

    def get_download_url(self, attachment: Attachment) -> str | None:
        if attachment.removed:
            return None
        return reverse("v1:attachment-download", kwargs={"id": attachment.public_id})


class AttachmentUploadSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=AttachmentKind.choices, help_text=_("What the file is."))
    title = serializers.CharField(
        max_length=TITLE_MAX_LENGTH, help_text=_("What the file is called on the case or plan.")
    )
    file = serializers.FileField(
        max_length=255,
        allow_empty_file=False,
        help_text=_(
            "The file: PDF, PNG or JPEG, its name ending in .pdf, .png, .jpg or .jpeg. The type is read "
            "from the bytes; the size limit is the installation's (10 MB by default)."
        ),
    )


class AttachmentRemoveSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text=_("Why the file is removed."))
