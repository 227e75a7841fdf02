"""The patient's log extract (PDL 8 kap. 5 §) over the API: the same rule and log as the page.

``POST /patients/{id}/log-extract`` makes the extract (``audit.extract.log_extract_create``: MAS, MAR and
coordinators of the patient's kommuner, vårdcentral or region; 403 for others who may see the patient,
404 and a denied row in the access log for everyone else) and asks for its PDF, a document of kind
``access_log_extract`` that is followed and downloaded through ``/documents/{id}`` like every other.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from directory.actor import Actor
from documents import selectors as document_selectors
from documents import services as document_services
from documents.api.serializers import DocumentSerializer
from hemsjukvard.api.concurrency import etag_for
from hemsjukvard.api.idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, idempotent
from hemsjukvard.api.schema import ERROR_RESPONSES

from .. import extract
from ..documents import KIND


class LogExtractSerializer(serializers.Serializer[dict[str, Any]]):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, default="sv", help_text=_("The PDF's language; Swedish by default.")
    )


def _document_answer(document: Any, code: int) -> Response:
    response = Response(DocumentSerializer(document).data, status=code)
    response["ETag"] = etag_for(document)
    return response


def _reread_document(
    view: Any, request: Request, answered_id: str | None, kwargs: dict[str, Any]
) -> Response:
    """A repeated request (same ``Idempotency-Key``) reads the document it made, with the document's own
    access check and log."""
    assert answered_id is not None
    document = document_selectors.document_get(actor=Actor.from_request(request), public_id=answered_id)
    return _document_answer(document, status.HTTP_202_ACCEPTED)


@extend_schema(tags=["patients"])
class LogExtractViewSet(viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        summary="Make the patient's log extract (PDL 8 kap. 5 §)",
        description=(
            "Which units accessed the patient's record, and when, up to now, as a PDF: the extract a "
            "patient has the right to. For MAS, MAR and coordinators of a kommun where the patient is "
            "folkbokförd or enrolled, coordinators of the patient's vårdcentral and of the region; others "
            "who may see the patient get 403, anyone else 404 (and the attempt is logged). Making the "
            "extract is written to the access log.\n\n"
            "The answer is the extract's document (kind `access_log_extract`, **202**): follow "
            "`GET /documents/{id}` until `status` is `ready`, then download it. Each request makes a new "
            "extract; send an `Idempotency-Key` to make a retry safe."
        ),
        request=LogExtractSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            202: OpenApiResponse(DocumentSerializer, description="The extract's PDF, queued."),
            **ERROR_RESPONSES,
            **IDEMPOTENCY_RESPONSES,
        },
        examples=[OpenApiExample("Utdrag på svenska", value={"language": "sv"}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="log-extract")
    @idempotent(reread=_reread_document)
    def log_extract(self, request: Request, id: uuid.UUID) -> Response:
        serializer = LogExtractSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actor = Actor.from_request(request)
        made = extract.log_extract_create(actor=actor, patient_public_id=id)
        document = document_services.document_request(
            actor=actor, kind=KIND, source_id=made.public_id, language=serializer.validated_data["language"]
        )
        # A new extract is a new record: its document is always new, and queued.
        return _document_answer(document, status.HTTP_202_ACCEPTED)
