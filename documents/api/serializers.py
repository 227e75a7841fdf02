"""Document representations: the request, and the document with its status."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from directory.api.serializers import OrganisationRefSerializer, PersonRefSerializer
from documents.models import Document, DocumentKind, DocumentStatus
from documents.sources import registered_kinds


class DocumentRequestSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=DocumentKind.choices, help_text=_("What to print; the kinds offered are listed in the enum.")
    )
    source_id = serializers.UUIDField(
        help_text=_(
            "The public id of the record to print: the risk-analysis version for `risk_analysis`, the "
            "case for `escalation_notice`, the SIP version for `sip_care_plan`, the joint body's decision "
            "for `decision_notice` (`payload.decision` of the case's timeline event of kind `decided`)."
        )
    )
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, default="sv", help_text=_("The PDF's language; Swedish by default.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The registry decides which kinds can be printed now (a kind registers itself when its app
        # loads); the enum above documents the known ones.
        kinds = dict(registered_kinds())
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, serializers.ChoiceField)
        kind_field.choices = [(k, v) for k, v in DocumentKind.choices if k in kinds] + [
            (k, v) for k, v in kinds.items() if k not in DocumentKind.values
        ]


class DocumentSerializer(serializers.ModelSerializer[Document]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.CharField(read_only=True)
    source_id = serializers.UUIDField(read_only=True)
    status = serializers.ChoiceField(choices=DocumentStatus.choices, read_only=True)
    requested_by = PersonRefSerializer(read_only=True)
    requested_by_organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "source_id",
            "source_version",
            "language",
            "identity_masked",
            "status",
            "failure_reason",
            "sha256",
            "size",
            "page_count",
            "attempts",
            "requested_by",
            "requested_by_organisation",
            "created_at",
            "updated_at",
            "queued_at",
            "rendered_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, document: Document) -> str | None:
        if document.status != DocumentStatus.READY:
            return None
        return reverse("v1:document-download", kwargs={"id": document.public_id})
