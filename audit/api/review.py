"""The care provider's access-log review over the API: the same rule, queries and log as the page.

``GET /access-log/entries`` lists the entries a reviewer reviews in a period (``audit.review.review_entries``:
the kommun's staff's for its MAS and MAR, the region's and its units' staff's for the region's log
reviewers), with the page's filters, and writes one access-log row per patient shown, as the page does.
``POST /access-log/entries/{id}/review`` marks one of them reviewed with a note
(``audit.review.entry_review``; the review is append-only and itself logged). Anyone who reviews no log
gets 403; another provider's entry, or a provider the reviewer does not review, is 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from directory.actor import Actor
from hemsjukvard.api.pagination import DefaultPagination, PaginatedListMixin
from hemsjukvard.api.schema import ERROR_RESPONSES
from hemsjukvard.db_router import replica_reads

from .. import review
from ..models import AccessLogEntry, AccessLogReview, Action, Outcome, Purpose

# The filters' texts are compared with columns of these lengths: a longer one matches nothing.
USER_FILTER_MAX_LENGTH = AccessLogEntry._meta.get_field("user_label").max_length or 200
RECORD_TYPE_MAX_LENGTH = AccessLogEntry._meta.get_field("record_type").max_length or 32
TRUE, FALSE = ("1", "true", "on"), ("0", "false", "off", "")

PROVIDER = OpenApiParameter(
    "provider",
    OpenApiTypes.UUID,
    description="The care provider (a kommun or a region) whose log you review, if you review more than one; "
    "by default the first.",
)
REVIEW_PARAMETERS = [
    PROVIDER,
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description=f"First day (local time), YYYY-MM-DD; by default six days before `to`. At most "
        f"{review.MAX_PERIOD_DAYS} days at a time.",
    ),
    OpenApiParameter(
        "to", OpenApiTypes.DATE, description="Last day (local time), YYYY-MM-DD; by default today."
    ),
    OpenApiParameter(
        "user",
        str,
        description=f"Only this user's entries: a username, or part of the name as logged (at most "
        f"{USER_FILTER_MAX_LENGTH} characters).",
    ),
    OpenApiParameter("patient", OpenApiTypes.UUID, description="Only entries about this patient."),
    OpenApiParameter(
        "record_type",
        str,
        description=f"Only this kind of record, e.g. `patient`, `case` (at most {RECORD_TYPE_MAX_LENGTH} "
        "characters).",
    ),
    OpenApiParameter("action", str, enum=Action.values, description="Only this action."),
    OpenApiParameter(
        "flag",
        str,
        enum=["any", *review.FLAG_NAMES],
        description="Only entries with this flag, or with any flag (`any`).",
    ),
    OpenApiParameter("unreviewed", bool, description="Only entries your care provider has not reviewed."),
    OpenApiParameter("sampled", bool, description="Only entries drawn in a weekly sample."),
]


ENTRY_EXAMPLE = {
    "id": 1048576,
    "at": "2026-11-30T02:14:08+01:00",
    "user": "Ingrid Berg",
    "api_client": "",
    "role": "gp",
    "organisation": "Vårdcentralen Centrum Varberg",
    "patient": "5d0c8e1e-3f0a-4c57-9a53-2f7e4c1b8a90",
    "patient_label": "Protected identity (5d0c8e1e)",
    "record_type": "patient",
    "record_id": "5d0c8e1e-3f0a-4c57-9a53-2f7e4c1b8a90",
    "action": "read",
    "outcome": "granted",
    "purpose": "emergency_access",
    "reason": "Akut hembesök under jouren.",
    "flags": ["emergency_access", "protected_identity"],
    "reviewed": False,
    "sampled": False,
}
REVIEW_EXAMPLE = {
    "id": "0b7f3c52-91d4-4e1a-8d1e-6c2a9f4b7e15",
    "entry": 1048576,
    "provider": "8e2d5b14-7a3c-4f09-b6e1-3d9c0a5f2b78",
    "role": "log_reviewer",
    "note": "Nödåtkomsten kontrollerad med jouren: hembesök under natten, befogad.",
    "reviewed_at": "2026-12-01T09:30:00+01:00",
}


class AccessLogEntrySerializer(serializers.Serializer[AccessLogEntry]):
    id = serializers.IntegerField(help_text="The entry's number; send it, with `at`, to mark it reviewed.")
    at = serializers.DateTimeField(help_text="When it happened.")
    user = serializers.CharField(source="user_label", help_text="Who, as logged at the time.")
    api_client = serializers.CharField(help_text="The API client the person acted through, if any.")
    role = serializers.CharField(help_text="The role they acted in (empty for a refused attempt).")
    organisation = serializers.CharField(
        source="organisation_label", help_text="The organisation they acted in, as logged at the time."
    )
    patient = serializers.UUIDField(source="patient.public_id", allow_null=True, default=None)
    patient_label = serializers.SerializerMethodField(
        help_text="The patient as the review page shows them; a patient with skyddad identitet by the "
        "start of the id alone."
    )
    record_type = serializers.CharField()
    record_id = serializers.CharField()
    action = serializers.ChoiceField(choices=Action.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    reason = serializers.SerializerMethodField(
        help_text="The reason given for an emergency access; null for every other entry."
    )
    flags = serializers.ListField(
        child=serializers.ChoiceField(choices=review.FLAG_NAMES), help_text="Why the entry stands out."
    )
    reviewed = serializers.BooleanField(help_text="Whether your care provider has reviewed it.")
    sampled = serializers.BooleanField(help_text="Whether it was drawn in a weekly sample.")

    def get_patient_label(self, entry: AccessLogEntry) -> str:
        return review.entry_patient_label(entry)

    def get_reason(self, entry: AccessLogEntry) -> str | None:
        return entry.reason if entry.purpose == Purpose.EMERGENCY_ACCESS else None


class ReviewMarkSerializer(serializers.Serializer[dict[str, Any]]):
    note = serializers.CharField(
        max_length=review.NOTE_MAX_LENGTH, help_text="What the review found (required)."
    )
    at = serializers.DateTimeField(
        required=False,
        help_text="The entry's `at` as listed: the entry is then looked up in that day's part of the log "
        "alone, which is much faster (a time of another day finds no entry: 404). Without it the entry "
        "is looked up by its number.",
    )
    provider = serializers.UUIDField(
        required=False, help_text="The care provider whose review this is, if you review more than one."
    )


class AccessLogReviewSerializer(serializers.Serializer[AccessLogReview]):
    id = serializers.UUIDField(source="public_id")
    entry = serializers.IntegerField(source="entry_id")
    provider = serializers.UUIDField(source="kommun.public_id", help_text="The care provider that reviewed.")
    role = serializers.CharField(help_text="The role the reviewer reviewed in.")
    note = serializers.CharField()
    reviewed_at = serializers.DateTimeField(source="at")


def _filters(request: Request) -> review.ReviewFilters:
    """The query as the page's filters (``review.review_filters_parse``), with the API's bounds: a
    filter the page offers as a choice must be one of them, and no text longer than its column."""
    params = {key: request.query_params.get(key, "") for key in request.query_params}
    errors: dict[str, list[str]] = {}
    if len(params.get("user", "")) > USER_FILTER_MAX_LENGTH:
        errors["user"] = [_("Write at most %(limit)s characters.") % {"limit": USER_FILTER_MAX_LENGTH}]
    if len(params.get("record_type", "")) > RECORD_TYPE_MAX_LENGTH:
        errors["record_type"] = [_("Write at most %(limit)s characters.") % {"limit": RECORD_TYPE_MAX_LENGTH}]
    if params.get("action") and params["action"] not in Action.values:
        errors["action"] = [_("Choose one of the offered actions.")]
    for name in ("unreviewed", "sampled"):
        if params.get(name, "").lower() not in TRUE + FALSE:
            errors[name] = [_("Give true or false.")]
        params[name] = "true" if params.get(name, "").lower() in TRUE else ""
    try:
        filters = review.review_filters_parse(params)
    except DjangoValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return filters


@extend_schema(tags=["access-log"])
class AccessLogReviewViewSet(PaginatedListMixin, viewsets.ViewSet):
    lookup_field = "id"
    lookup_value_converter = "int"
    list_pagination_class = DefaultPagination

    @extend_schema(
        operation_id="access_log_entries_list",
        summary="The access-log entries you review",
        description=(
            "The care provider's log review (HSLF-FS 2016:40 4 kap. 9 §), as on the review page: for a "
            "kommun's MAS and MAR the entries made by the kommun's staff, for a region's log reviewer "
            "(`log_reviewer`) those made by the staff of the region and its units, denied attempts "
            "included, newest first. Each entry carries its flags (no care relationship, emergency "
            "access, skyddad identitet, unusual volume) and whether it has been reviewed. A period is at "
            f"most {review.MAX_PERIOD_DAYS} days. Anyone who reviews no log gets 403; a provider you do "
            "not review, 404. Listing is written to the access log: one row per patient shown."
        ),
        parameters=REVIEW_PARAMETERS,
        responses={200: AccessLogEntrySerializer(many=True), **ERROR_RESPONSES},
        examples=[OpenApiExample("Nödåtkomst", value=ENTRY_EXAMPLE, response_only=True)],
    )
    @replica_reads
    def list(self, request: Request) -> Response:
        actor = Actor.from_request(request)
        filters = _filters(request)
        paginator = DefaultPagination()
        with review.review_queries():
            selection = review.review_entries(
                actor=actor, provider_id=request.query_params.get("provider") or None, filters=filters
            )
            entries = list(paginator.paginate_queryset(selection.entries, request, view=self) or [])
        review.review_log_shown(actor=actor, context=selection.context, entries=entries, action=Action.LIST)
        for entry in entries:
            entry.flags = selection.flags_of(entry)  # type: ignore[attr-defined]
        shown = AccessLogEntrySerializer(entries, many=True)  # type: ignore[arg-type]
        return paginator.get_paginated_response(shown.data)

    @extend_schema(
        operation_id="access_log_entries_review_create",
        summary="Mark an access-log entry reviewed",
        description=(
            "Your care provider's review of one entry it reviews, with a note on what the review found, as "
            "the review page's *Mark reviewed*. A review is never changed or removed: an entry already "
            "reviewed by your care provider answers 400. Anyone who reviews no log gets 403; an entry "
            "that is not your care provider's to review, 404. The review is written to the access log."
        ),
        request=ReviewMarkSerializer,
        responses={
            201: OpenApiResponse(AccessLogReviewSerializer, description="The review, as recorded."),
            **ERROR_RESPONSES,
        },
        examples=[
            OpenApiExample(
                "Granskad nödåtkomst", value=REVIEW_EXAMPLE, response_only=True, status_codes=[201]
            ),
            OpenApiExample(
                "Granskad nödåtkomst",
                value={
                    "note": "Nödåtkomsten kontrollerad med jouren: hembesök under natten, befogad.",
                    "at": "2026-11-30T02:14:08+01:00",
                },
                request_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"], url_path="review", url_name="review")
    def mark(self, request: Request, id: int) -> Response:
        given = ReviewMarkSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        at = data.get("at")
        made = review.entry_review(
            actor=Actor.from_request(request),
            provider_id=str(data["provider"]) if data.get("provider") else None,
            entry_id=id,
            note=data["note"],
            entry_at=timezone.localtime(at).isoformat() if at is not None else "",
        )
        return Response(AccessLogReviewSerializer(made).data, status=status.HTTP_201_CREATED)
