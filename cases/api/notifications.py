"""The person's own notifications through the API: list (and sync), read one, mark read."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as __
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from directory.actor import Actor
from hemsjukvard.api.pagination import (
    AFTER_ID,
    UPDATED_SINCE,
    DefaultPagination,
    PaginatedListMixin,
    filter_updated_since,
)
from hemsjukvard.api.schema import ERROR_RESPONSES

from .. import selectors, services
from ..models import Notification, NotificationKind


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    case = serializers.UUIDField(source="case.public_id", read_only=True)
    kind = serializers.ChoiceField(
        choices=NotificationKind.choices, read_only=True, help_text=__("Why you are notified.")
    )

    organisation = serializers.UUIDField(
        source="organisation.public_id",
        read_only=True,
        allow_null=True,
        help_text=__("The organisation in which you are told (one of your memberships)."),
    )
    role = serializers.CharField(read_only=True, help_text=__("The role in which you are told."))
    acts = serializers.BooleanField(read_only=True, help_text=__("Whether you must act, or are informed."))
    due_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text=__("By when to act."))

    class Meta:
        model = Notification
        fields = [
            "id",
            "case",
            "kind",
            "organisation",
            "role",
            "acts",
            "message",
            "due_at",
            "created_at",
            "updated_at",
            "read_at",
        ]
        read_only_fields = fields


class NotificationsReadSerializer(serializers.Serializer[dict[str, int]]):
    marked_read = serializers.IntegerField(read_only=True, help_text=__("How many were marked read."))


UNREAD = OpenApiParameter(
    "unread",
    bool,
    description=(
        "`true` (the default): only unread notifications; `false`: read ones too, e.g. to sync with "
        "`updated_since` (marking one read changes it)."
    ),
)


def _delegated_organisations(request: Request) -> set[int] | None:
    """On a call on behalf of a person (``X-On-Behalf-Of``), the organisations the client may act for
    them in; ``None`` on the person's own call, which reaches all of their notifications."""
    delegated = getattr(request.auth, "delegated_memberships", None)
    return None if delegated is None else {m.organisation_id for m in delegated}


def _own_notification(request: Request, id: str) -> tuple[Actor, Notification]:
    actor = Actor.from_request(request)
    notification = selectors.notification_get(actor=actor, public_id=id)
    scope = _delegated_organisations(request)
    if scope is not None and notification.organisation_id not in scope:
        raise Http404(_("No notification found."))
    return actor, notification


@extend_schema(tags=["notifications"])
class NotificationViewSet(PaginatedListMixin, viewsets.ViewSet):
    """The person's own notifications: the steps of their cases that need them or concern them. A client
    calling on behalf of a person sees those the person is told in the organisations of its scope."""

    lookup_field = "id"
    lookup_value_converter = "uuid"

    @extend_schema(
        summary="Your notifications, newest first",
        parameters=[UNREAD, UPDATED_SINCE, AFTER_ID],
        responses={200: NotificationSerializer(many=True), **ERROR_RESPONSES},
    )
    def list(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        unread = str(request.query_params.get("unread", "true")).lower()
        if unread not in ("true", "false", "1", "0"):
            raise ValidationError({"unread": [_("Give true or false.")]})
        queryset = (
            selectors.notifications_unread(actor=actor)
            if unread in ("true", "1")
            else selectors.notifications_all(actor=actor)
        )
        scope = _delegated_organisations(request)
        if scope is not None:
            queryset = queryset.filter(organisation_id__in=scope)
        paginator = DefaultPagination()
        page = paginator.paginate_queryset(filter_updated_since(request, queryset), request, view=self)
        return paginator.get_paginated_response(NotificationSerializer(page or [], many=True).data)

    @extend_schema(
        summary="One of your notifications",
        responses={200: NotificationSerializer, **ERROR_RESPONSES},
    )
    def retrieve(self, request: Request, id: str) -> Response:
        _actor, notification = _own_notification(request, id)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Mark a notification as read",
        request=None,
        responses={200: NotificationSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, id: str) -> Response:
        actor, notification = _own_notification(request, id)
        updated = services.notification_mark_read(actor=actor, notification=notification)
        return Response(NotificationSerializer(updated).data)

    @extend_schema(
        summary="Mark all your notifications as read",
        request=None,
        responses={200: NotificationsReadSerializer, **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        count = services.notifications_mark_all_read(
            actor=Actor.from_request(request), organisation_ids=_delegated_organisations(request)
        )
        return Response(NotificationsReadSerializer({"marked_read": count}).data)
