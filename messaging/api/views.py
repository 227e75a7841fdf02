"""Message endpoints: a case's messages (list, send), every message you may see (list, with
``updated_since`` for a sync), one message with its thread, a reply and the close.

Reads go through ``messaging.selectors`` (the case's access rule, and the access log), writes through
``messaging.services``. A reply and a close need ``If-Match`` with the message's ETag from the last
read (428 without it, 412 when the message changed since); sending takes an ``Idempotency-Key``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import selectors as case_selectors
from directory.actor import Actor
from hemsjukvard.api.concurrency import etag_for, require_if_match
from hemsjukvard.api.idempotency import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, idempotent
from hemsjukvard.api.pagination import (
    AFTER_ID,
    UPDATED_SINCE,
    PaginatedListMixin,
    SyncPagination,
    filter_updated_since,
)
from hemsjukvard.api.schema import ERROR_RESPONSES, IF_MATCH, WRITE_ERRORS

from .. import selectors, services
from ..models import CaseMessage, MessageStatus
from .serializers import MessageCreateSerializer, MessageSerializer, ReplyCreateSerializer

MESSAGE_EXAMPLE = {
    "to": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "body": "Fråga till vårdcentralen: kan ni ta över insulinordinationen efter utskrivningen?",
    "reply_by": "2026-12-10",
}
REPLY_EXAMPLE = {"body": "Ja, vi tar över ordinationen från måndag. Dr Ek ringer er på fredag."}


def _validated(serializer_class: Any, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _message_response(message: CaseMessage, *, status_code: int = status.HTTP_200_OK) -> Response:
    response = Response(MessageSerializer(message).data, status=status_code)
    response["ETag"] = etag_for(message, version=message.version)
    return response


def _reread_created(view: Any, request: Request, answered_id: str | None, kwargs: dict[str, Any]) -> Response:
    """A replayed send answers the message it made, read again through the access rule."""
    if answered_id is None:
        return Response(None)
    actor = Actor.from_request(request)
    return _message_response(selectors.message_get(actor=actor, public_id=answered_id))


@extend_schema(tags=["messages"])
class CaseMessagesView(APIView):
    """The messages of one case."""

    @extend_schema(
        operation_id="cases_messages_list",
        summary="The messages of a case, newest first",
        description="Every message on the case with its thread; each one is written to the access log.",
        responses={200: MessageSerializer(many=True), **ERROR_RESPONSES},
    )
    def get(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        _case, messages = selectors.messages_of_case(actor=actor, public_id=id)
        return Response(MessageSerializer(messages, many=True).data)

    @extend_schema(
        operation_id="cases_messages_create",
        summary="Send a message to another party of the case",
        description=(
            "A member of one of the case's parties (its kommun, vårdcentral or ordering clinic) asks "
            "another party, optionally about one of the case's tasks and with a day to answer by. The "
            "people of the addressed party who act on the case are notified (the notice names the case "
            "number, never the message or the patient), and reminded, as is the sender, once the day "
            "has passed without an answer. A case in draft or closed takes no new message (409)."
        ),
        request=MessageCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: MessageSerializer, **WRITE_ERRORS, **IDEMPOTENCY_RESPONSES},
        examples=[OpenApiExample("Fråga till vårdcentralen", value=MESSAGE_EXAMPLE, request_only=True)],
    )
    @idempotent(reread=_reread_created)
    def post(self, request: Request, id: uuid.UUID) -> Response:
        actor = Actor.from_request(request)
        case = case_selectors.case_get(actor=actor, public_id=id)
        data = _validated(MessageCreateSerializer, request)
        message = services.message_send(
            actor=actor,
            case=case,
            to=data["to"],
            body=data["body"],
            reply_by=data.get("reply_by"),
            task=data.get("task"),
        )
        return _message_response(
            selectors.message_reload(message=message), status_code=status.HTTP_201_CREATED
        )


MESSAGE_ORDER = OpenApiParameter(
    "awaiting_me",
    bool,
    description="Only the messages waiting for an answer from one of your organisations.",
)


@extend_schema(tags=["messages"])
class MessageViewSet(PaginatedListMixin, viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "uuid"
    list_pagination_class = SyncPagination

    @extend_schema(
        summary="Messages on the cases you may see, newest first",
        description="Each message listed is written to the access log.",
        parameters=[
            OpenApiParameter("status", str, enum=MessageStatus.values),
            MESSAGE_ORDER,
            OpenApiParameter("case", uuid.UUID, description="Only the messages of this case."),
            UPDATED_SINCE,
            AFTER_ID,
        ],
        responses={200: MessageSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        params = request.query_params
        status_filter = params.get("status", "")
        if status_filter and status_filter not in MessageStatus.values:
            raise ValidationError({"status": [_("Choose a status from the list.")]})
        awaiting = str(params.get("awaiting_me", "false")).lower()
        if awaiting not in ("true", "false", "1", "0"):
            raise ValidationError({"awaiting_me": [_("Give true or false.")]})
        case_id = None
        if params.get("case"):
            try:
                case_id = uuid.UUID(params["case"])
            except ValueError:
                raise ValidationError({"case": [_("Give the case's id.")]}) from None
        filters = selectors.MessageFilters(
            status=status_filter, awaiting_me=awaiting in ("true", "1"), case=case_id
        )
        queryset = filter_updated_since(request, selectors.message_list(actor=actor, filters=filters))
        paginator = SyncPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        shown = selectors.messages_listed(actor=actor, messages=list(page or []))
        return paginator.get_paginated_response(MessageSerializer(shown, many=True).data)

    @extend_schema(summary="A message and its thread", responses={200: MessageSerializer, **ERROR_RESPONSES})
    def retrieve(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        return _message_response(selectors.message_get(actor=actor, public_id=id))

    @extend_schema(
        summary="Reply in the message's thread",
        description=(
            "The addressed organisation's first reply answers the message and its sender is notified; "
            "a reply by the sender's organisation notifies the addressed one. A closed message takes no "
            "reply (409)."
        ),
        request=ReplyCreateSerializer,
        parameters=[IF_MATCH],
        responses={200: MessageSerializer, **WRITE_ERRORS},
        examples=[OpenApiExample("Vårdcentralen svarar", value=REPLY_EXAMPLE, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def replies(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        message = selectors.message_get(actor=actor, public_id=id)
        require_if_match(request, etag_for(message, version=message.version))
        data = _validated(ReplyCreateSerializer, request)
        services.message_reply(
            actor=actor, message=message, expected_version=message.version, body=data["body"]
        )
        return _message_response(selectors.message_reload(message=message))

    @extend_schema(
        summary="Close the message",
        description="The sender's organisation closes its message; it then waits for nobody.",
        request=None,
        parameters=[IF_MATCH],
        responses={200: MessageSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, id: str) -> Response:
        actor = Actor.from_request(request)
        message = selectors.message_get(actor=actor, public_id=id)
        require_if_match(request, etag_for(message, version=message.version))
        services.message_close(actor=actor, message=message, expected_version=message.version)
        return _message_response(selectors.message_reload(message=message))
