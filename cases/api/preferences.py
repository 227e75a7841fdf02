"""The person's choice of notification e-mails (at once or a daily digest), as on the inbox page."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.actor import Actor
from hemsjukvard.api.concurrency import require_if_match
from hemsjukvard.api.schema import ERROR_RESPONSES, IF_MATCH, WRITE_ERRORS

from .. import services
from ..models import EmailChoice
from ..services.notifications import email_choice


class EmailPreferenceSerializer(serializers.Serializer[dict[str, Any]]):
    email = serializers.ChoiceField(
        choices=EmailChoice.choices,
        help_text=_(
            "`immediate`: one e-mail per notification, at once; `digest`: one e-mail a day listing "
            "them. The e-mail never carries health details, only that something waits in the register."
        ),
    )


def _etag(user_id: int, email: str) -> str:
    return '"' + hashlib.sha256(f"email-preference:{user_id}:{email}".encode()).hexdigest()[:32] + '"'


def _answer(user_id: int) -> Response:
    current = email_choice(user_id)
    response = Response(EmailPreferenceSerializer({"email": current}).data)
    response["ETag"] = _etag(user_id, current)
    return response


class EmailPreferenceView(APIView):
    """How the person (or the person a client acts for) wants notifications e-mailed."""

    @extend_schema(
        tags=["notifications"],
        operation_id="notifications_email_preference_retrieve",
        summary="Your choice of notification e-mails",
        responses={200: EmailPreferenceSerializer, **ERROR_RESPONSES},
        examples=[OpenApiExample("At once", value={"email": "immediate"}, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        return _answer(Actor.from_request(request).user.pk)

    @extend_schema(
        tags=["notifications"],
        operation_id="notifications_email_preference_update",
        summary="Choose notification e-mails at once or as a daily digest",
        parameters=[IF_MATCH],
        request=EmailPreferenceSerializer,
        responses={200: EmailPreferenceSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample("Daily digest", value={"email": "digest"}, request_only=True),
            OpenApiExample("Daily digest", value={"email": "digest"}, response_only=True),
        ],
    )
    def put(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        require_if_match(request, _etag(actor.user.pk, email_choice(actor.user.pk)))
        given = EmailPreferenceSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            services.notification_preference_set(actor=actor, email=given.validated_data["email"])
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return _answer(actor.user.pk)
