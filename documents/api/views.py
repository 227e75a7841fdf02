"""Document endpoints: ask for a PDF, follow its status, download it. Selectors and services only."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from directory.actor import Actor
from documents import selectors, services
from documents.filenames import content_disposition
from documents.models import DocumentStatus
from hemsjukvard.api.concurrency import etag_for
from hemsjukvard.api.errors import Conflict
from hemsjukvard.api.idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, idempotent
from hemsjukvard.api.pagination import (
    AFTER_ID,
    UPDATED_SINCE,
    PaginatedListMixin,
    SyncPagination,
    filter_updated_since,
)
from hemsjukvard.api.schema import ERROR_BODY, ERROR_RESPONSES

from .serializers import DocumentRequestSerializer, DocumentSerializer


class _ListQuerySerializer(serializers.Serializer[dict[str, str]]):
    kind = serializers.CharField()
    source_id = serializers.UUIDField()


@extend_schema(tags=["documents"])
class DocumentViewSet(PaginatedListMixin, viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"
    list_pagination_class = SyncPagination

    @extend_schema(
        summary="Ask for a PDF of a record",
        description=(
            "Asks for the PDF of the current version of a record (`kind` and `source_id`), in `language`. "
            "A background worker renders it; follow `GET /documents/{id}` until `status` is `ready`, "
            "then download it.\n\n"
            "Idempotent: asking again for the same version of the same record in the same language gives "
            "the same document. **202** when the document is queued or rendering (also when it was "
            "just created, or re-queued after a failure), **200** when it is already ready. A new version "
            "of the record gives a new document; a ready document never changes.\n\n"
            "For a patient with skyddad identitet the PDF shows the identity only to those who may see it: "
            "others get a print with the identity masked (`identity_masked`)."
        ),
        request=DocumentRequestSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: OpenApiResponse(DocumentSerializer, description="Ready: the same document as before."),
            202: OpenApiResponse(DocumentSerializer, description="Queued or rendering."),
            409: OpenApiResponse(ERROR_BODY, description="The record cannot be printed as this kind now."),
            **ERROR_RESPONSES,
            **IDEMPOTENCY_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "Riskanalys på svenska",
                value={"kind": "risk_analysis", "source_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
                request_only=True,
            )
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        serializer = DocumentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        document = services.document_request(
            actor=actor, kind=data["kind"], source_id=data["source_id"], language=data["language"]
        )
        code = status.HTTP_200_OK if document.status == DocumentStatus.READY else status.HTTP_202_ACCEPTED
        response = Response(DocumentSerializer(document).data, status=code)
        response["ETag"] = etag_for(document)
        return response

    @extend_schema(
        summary="Documents printed from a record",
        description="Every document of `kind` printed from the record `source_id`, newest first.",
        parameters=[
            OpenApiParameter("kind", str, required=True, description="The document kind."),
            OpenApiParameter("source_id", OpenApiTypes.UUID, required=True, description="The record."),
            UPDATED_SINCE,
            AFTER_ID,
        ],
        responses={200: DocumentSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        query = _ListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        queryset = selectors.documents_for_source(
            actor=actor, kind=query.validated_data["kind"], source_id=query.validated_data["source_id"]
        )
        paginator = SyncPagination()
        page = paginator.paginate_queryset(filter_updated_since(request, queryset), request, view=self) or []
        shown = selectors.documents_listed(actor=actor, documents=list(page))
        return paginator.get_paginated_response(DocumentSerializer(shown, many=True).data)

    @extend_schema(
        summary="A document and its status", responses={200: DocumentSerializer, **ERROR_RESPONSES}
    )
    def retrieve(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        # Clients poll this until the PDF is ready; every poll is a logged read of the patient's record.
        document = selectors.document_get(actor=actor, public_id=id)
        response = Response(DocumentSerializer(document).data)
        # A document changes only as the worker renders it; a poller compares ETags to see whether it changed.
        response["ETag"] = etag_for(document)
        return response

    @extend_schema(
        summary="Download the PDF",
        description=(
            "The PDF/A file. **409** while the document is queued or rendering (retry later) or when "
            "rendering failed (ask for it again with `POST /documents`). Every download is written to the "
            "access log."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            409: OpenApiResponse(ERROR_BODY, description="Not ready (or failed)."),
            **ERROR_RESPONSES,
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, id: str) -> HttpResponse:
        actor = Actor.from_request(request)
        document, content = selectors.document_content(actor=actor, public_id=id)
        if document.status != DocumentStatus.READY or content is None:
            raise Conflict(
                str(_not_ready_message(document.status)),
                extra={"status": document.status, "failure_reason": document.failure_reason},
            )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(document)
        response["Content-Length"] = str(len(content))
        response["ETag"] = f'"{document.sha256}"'
        response["Cache-Control"] = "private, no-store"
        return response


def _not_ready_message(document_status: str) -> str:
    from django.utils.translation import gettext as _

    if document_status == DocumentStatus.FAILED:
        return _("Rendering the document failed; ask for it again.")
    return _("The document is not ready yet; try again shortly.")
