"""Attachment endpoints: list and upload (multipart) on a case or a SIP, read, download and remove one.

Selectors and services only: the same access rule and access log as the pages.
"""

from __future__ import annotations

from typing import IO, Any, cast

from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from attachments import selectors, services
from attachments.files import too_large_message
from attachments.http import SizeLimitedUploadHandler, declared_too_large, download_response, limit_uploads
from attachments.models import Attachment
from directory.actor import Actor
from hemsjukvard.api.concurrency import etag_for, require_if_match
from hemsjukvard.api.parsers import MultiPartParser
from hemsjukvard.api.schema import ERROR_BODY, ERROR_RESPONSES, IF_MATCH, WRITE_ERRORS

from .serializers import AttachmentRemoveSerializer, AttachmentSerializer, AttachmentUploadSerializer

UPLOAD_EXAMPLE = OpenApiExample(
    "Utskrivningsinformation",
    value={
        "kind": "discharge_summary",
        "title": "Utskrivningsinformation njurmedicin 3 december",
        "file": "(the PDF file's bytes)",
    },
    request_only=True,
    media_type="multipart/form-data",
)
UPLOAD_RESPONSES = {
    201: OpenApiResponse(AttachmentSerializer, description="Attached."),
    409: OpenApiResponse(ERROR_BODY, description="The case or plan is closed."),
    415: OpenApiResponse(ERROR_BODY, description="Not sent as `multipart/form-data`."),
    **ERROR_RESPONSES,
}
UPLOAD_DESCRIPTION = (
    "Attach a file to the {record}, sent as `multipart/form-data` with `kind`, `title` and `file`. "
    "Only PDF, PNG and JPEG are taken: the type is read from the file's bytes (the part's content type "
    "is ignored) and the file name's extension must agree with it. A file over the size limit "
    "(10 MB unless the installation says otherwise) is refused before it is read; so is a file once the "
    "{record} holds its maximum number of attachments (20 by default; removed ones do not count). "
    "Errors are `400` naming `file`, `kind` or `title`. Every party who may read the {record} may "
    "list and download its attachments.{extra}"
)


def attachment_etag(attachment: Attachment) -> str:
    return etag_for(attachment, version=attachment.removed_at)


def _answer(attachment: Attachment, code: int = status.HTTP_200_OK) -> Response:
    response = Response(AttachmentSerializer(attachment).data, status=code)
    response["ETag"] = attachment_etag(attachment)
    return response


class _AttachmentsOf(viewsets.ViewSet):
    """The attachments of one case or plan: ``GET`` lists them, ``POST`` uploads one."""

    parser_classes = [MultiPartParser]
    upload_limit: SizeLimitedUploadHandler | None = None

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # Before DRF reads the body (its CSRF check reads a browser's form), so the limit holds at once.
        if request.method == "POST" and not declared_too_large(request):
            self.upload_limit = limit_uploads(request)
        return super().initialize_request(request, *args, **kwargs)

    def _upload(self, request: Request) -> services.UploadInput:
        if declared_too_large(request._request) or (self.upload_limit and self.upload_limit.too_large):
            raise ValidationError({"file": [too_large_message(services.max_bytes())]})
        data = request.data
        if self.upload_limit is not None and self.upload_limit.too_large:
            raise ValidationError({"file": [too_large_message(services.max_bytes())]})
        serializer = AttachmentUploadSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        return services.UploadInput(
            kind=serializer.validated_data["kind"],
            title=serializer.validated_data["title"],
            file_name=upload.name or "",
            stream=cast(IO[bytes], upload),
        )


@extend_schema(tags=["attachments"])
class CaseAttachmentsViewSet(_AttachmentsOf):
    @extend_schema(
        summary="The case's attachments",
        description=(
            "Every file attached to the case, newest first; removed ones stay listed with who removed "
            "them, when and why (and no `download_url`). Each attachment listed is written to the access "
            "log."
        ),
        responses={200: AttachmentSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        parent = selectors.case_parent(actor=actor, public_id=id)
        return Response(
            AttachmentSerializer(selectors.attachments_of(actor=actor, parent=parent), many=True).data
        )

    @extend_schema(
        summary="Attach a file to the case",
        description=UPLOAD_DESCRIPTION.format(
            record="case",
            extra=" The case's care parties attach files (not a joint body's members); the case's "
            "timeline records it, so the other parties see it.",
        ),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses=UPLOAD_RESPONSES,
        examples=[UPLOAD_EXAMPLE],
    )
    def create(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        services.case_attaching_membership(actor=actor, case_id=id)
        upload = self._upload(request)
        attachment = services.attachment_add_to_case(actor=actor, case_id=id, upload=upload)
        return _answer(attachment, status.HTTP_201_CREATED)


@extend_schema(tags=["attachments"])
class SipAttachmentsViewSet(_AttachmentsOf):
    @extend_schema(
        summary="The SIP's attachments",
        description=(
            "Every file attached to the plan, newest first; removed ones stay listed with who removed "
            "them, when and why. After the person withdrew consent only the organisation keeping the plan "
            "sees them (others get 404). Each attachment listed is written to the access log."
        ),
        responses={200: AttachmentSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        parent = selectors.sip_parent(actor=actor, public_id=id)
        return Response(
            AttachmentSerializer(selectors.attachments_of(actor=actor, parent=parent), many=True).data
        )

    @extend_schema(
        summary="Attach a file to the SIP",
        description=UPLOAD_DESCRIPTION.format(
            record="plan", extra=" Those who may keep the plan attach files to it."
        ),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses=UPLOAD_RESPONSES,
        examples=[UPLOAD_EXAMPLE],
    )
    def create(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        services.sip_attaching_membership(actor=actor, sip_id=id)
        upload = self._upload(request)
        attachment = services.attachment_add_to_sip(actor=actor, sip_id=id, upload=upload)
        return _answer(attachment, status.HTTP_201_CREATED)


@extend_schema(tags=["attachments"])
class AttachmentViewSet(viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        summary="An attachment",
        description="What was attached, by whom and when (and, once removed, by whom, when and why).",
        responses={200: AttachmentSerializer, **ERROR_RESPONSES},
    )
    def retrieve(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        return _answer(selectors.attachment_get(actor=actor, public_id=id).attachment)

    @extend_schema(
        summary="Download the file",
        description=(
            "The file as attached, with its type as read from its bytes, `Content-Disposition: attachment` "
            "and a Swedish file name (without the patient's name when the patient has skyddad identitet). "
            "Every download is written to the access log. A removed attachment is `404`."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="A PDF."),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="A PNG image."),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="A JPEG image."),
            **ERROR_RESPONSES,
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, id: str) -> HttpResponseBase:
        actor = Actor.from_request(request)
        view, content = selectors.attachment_content(actor=actor, public_id=id)
        return download_response(view, content)

    @extend_schema(
        summary="Remove an attachment",
        description=(
            "Removes the file: it is deleted from storage, while the attachment stays listed with who "
            "removed it, when and why (and the access log keeps every read of it). Only the organisation "
            "that attached the file (its care staff, or its administrator) may remove it; others who may "
            "read it get `403`. Removing twice is `409`."
        ),
        request=AttachmentRemoveSerializer,
        parameters=[IF_MATCH],
        responses={200: AttachmentSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample(
                "Fel patient",
                value={"reason": "Bilagan gällde en annan patient."},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def remove(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        serializer = AttachmentRemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.attachment_remove(
            actor=actor,
            public_id=id,
            reason=serializer.validated_data["reason"],
            check=lambda current: require_if_match(request, attachment_etag(current)),
        )
        return _answer(attachment)
