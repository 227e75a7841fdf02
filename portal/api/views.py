"""The filters and sort My work keeps for the person, over the API: the page's form decides what is valid.

``GET /me/work-filters`` reads the acting person's kept choice (with an ETag); ``PUT`` replaces it, with
``If-Match``, validated by ``portal.work_filters.WorkFilterForm`` exactly as the page's *Filter* button.
An API client acting for a person (``X-On-Behalf-Of``) reads and changes that person's choice; a client
acting for nobody has no My work, and is told so (403).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import OPEN_STATUSES, CaseStatus
from cases.selectors import HANDLERS, SORTS
from directory.actor import Actor
from hemsjukvard.api.concurrency import require_if_match
from hemsjukvard.api.schema import ERROR_RESPONSES, IF_MATCH, WRITE_ERRORS
from integrations.authentication import client_token_of

from ..work_filters import WorkFilterForm, keep, kept_form, organisations_for

OPEN = ", ".join(f"`{s.value}`" for s in CaseStatus if s.value in OPEN_STATUSES)
CHOICE_MAX_LENGTH = 32


class WorkFiltersSerializer(serializers.Serializer[dict[str, Any]]):
    """The values of My work's filter form; what is valid is the form's to say (the person's
    organisations, the open statuses)."""

    urgent = serializers.BooleanField(default=False, help_text="Only urgent cases.")
    overdue = serializers.BooleanField(default=False, help_text="Only cases past their deadline.")
    status = serializers.CharField(
        max_length=CHOICE_MAX_LENGTH,
        allow_blank=True,
        default="",
        help_text=f"Only cases in this open status: one of {OPEN}; empty for all.",
    )
    organisation = serializers.UUIDField(
        allow_null=True,
        default=None,
        help_text="Only cases naming this organisation (a kommun, vårdcentral, clinic or joint body of "
        "your region); null for all.",
    )
    handler = serializers.CharField(
        max_length=CHOICE_MAX_LENGTH,
        allow_blank=True,
        default="",
        help_text="Only cases handled so: " + ", ".join(f"`{h}`" for h in HANDLERS) + "; empty for all.",
    )
    sort = serializers.CharField(
        max_length=CHOICE_MAX_LENGTH,
        allow_blank=True,
        default="due",
        help_text="The order: " + ", ".join(f"`{s}`" for s in SORTS) + " (deadline, overdue first; the "
        "default).",
    )


EXAMPLE = {
    "urgent": True,
    "overdue": False,
    "status": "",
    "organisation": None,
    "handler": "me",
    "sort": "urgent",
}


def _person(request: Request) -> Actor:
    """The acting person; a client acting on its own (not on behalf of a person) has no My work."""
    token = client_token_of(request)
    if token is not None and token.on_behalf_of is None:
        raise PermissionDenied(
            _(
                "My work's filters are a person's own: call on behalf of the person (X-On-Behalf-Of) "
                "whose filters you read or change."
            ),
            code="person_required",
        )
    return Actor.from_request(request)


def _data(form: WorkFilterForm) -> dict[str, Any]:
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    organisation = form.organisations.get(data.get("organisation") or "")
    return {
        "urgent": bool(data.get("urgent")),
        "overdue": bool(data.get("overdue")),
        "status": data.get("status") or "",
        "organisation": str(organisation.public_id) if organisation is not None else None,
        "handler": data.get("handler") or "",
        "sort": data.get("sort") or "due",
    }


def _etag(user_id: int, data: dict[str, Any]) -> str:
    raw = f"work-filters:{user_id}:{json.dumps(data, sort_keys=True)}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def _current(actor: Actor) -> dict[str, Any]:
    return _data(kept_form(actor.user, organisations_for(actor)))


def _answer(actor: Actor, data: dict[str, Any]) -> Response:
    response = Response(WorkFiltersSerializer(data).data)
    response["ETag"] = _etag(actor.user.pk, data)
    return response


class WorkFiltersView(APIView):
    """The filters and sort My work opens with, kept for the person across sessions."""

    @extend_schema(
        tags=["cases"],
        operation_id="me_work_filters_retrieve",
        summary="Your filters of My work",
        description=(
            "The filters and sort the home page's My work keeps for you (or for the person an API client "
            "acts for), as the page shows them: a kept value that is no longer a choice (an organisation "
            "outside your region, say) is left out. An API client acting for no person gets 403."
        ),
        responses={200: WorkFiltersSerializer, **ERROR_RESPONSES},
        examples=[OpenApiExample("Mine, urgent first", value=EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        actor = _person(request)
        return _answer(actor, _current(actor))

    @extend_schema(
        tags=["cases"],
        operation_id="me_work_filters_update",
        summary="Keep your filters of My work",
        description=(
            "Replaces the filters and sort My work keeps for you, checked as the page's filter form checks "
            "them: a status that is not an open one, an organisation that is not among the choices, an "
            "unknown handler or sort answers 400 naming the field. A field left out takes its default "
            "(no filter; sorted by deadline). Send the ETag of your last read in `If-Match`."
        ),
        parameters=[IF_MATCH],
        request=WorkFiltersSerializer,
        responses={200: WorkFiltersSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample("Mine, urgent first", value=EXAMPLE, request_only=True),
            OpenApiExample("Mine, urgent first", value=EXAMPLE, response_only=True),
        ],
    )
    def put(self, request: Request) -> Response:
        actor = _person(request)
        organisations = organisations_for(actor)
        require_if_match(request, _etag(actor.user.pk, _data(kept_form(actor.user, organisations))))
        given = WorkFiltersSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        values = given.validated_data
        form = WorkFilterForm(
            {
                **{name: values[name] for name in ("urgent", "overdue", "status", "handler", "sort")},
                "organisation": str(values["organisation"]) if values["organisation"] else "",
            },
            organisations=organisations,
        )
        if not form.is_valid():
            raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
        keep(actor.user, form)
        return _answer(actor, _data(form))
