"""Shared pieces of the OpenAPI description."""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import get_doc
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR_BODY = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorDetail",
            fields={
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                # A field's messages, or for a nested object (e.g. a patient's `enrolment`) its own
                # field → messages map.
                "fields": serializers.DictField(child=serializers.JSONField(), required=False),
                # What a refusal because of the record's state says about it (``StateConflictError``'s
                # extra): a client reads these instead of parsing the message.
                "allowed": serializers.ListField(
                    child=serializers.CharField(),
                    required=False,
                    help_text="On a 409 about a case: the actions you may take on it now, as in its "
                    "`allowed_actions`.",
                ),
                "status": serializers.CharField(
                    required=False, help_text="On a 409: the record's status, which refused the request."
                ),
                "level": serializers.IntegerField(
                    required=False,
                    help_text="On a 409 about an escalation: the escalation level it concerns.",
                ),
                "analysis_status": serializers.CharField(
                    required=False,
                    help_text="On a 409 about a risk analysis: its status, which refused the request.",
                ),
                "current": serializers.UUIDField(
                    required=False,
                    allow_null=True,
                    help_text="On a 409 about an older version of a risk analysis: the current version's id.",
                ),
                "task": serializers.UUIDField(
                    required=False, help_text="On a 409 about one task of a case: the task's id."
                ),
                "patient": serializers.UUIDField(
                    required=False,
                    help_text="On a 409 `already_registered`: the id of the patient already registered.",
                ),
                "failure_reason": serializers.CharField(
                    required=False, help_text="On a 409 about a failed document: why it could not be made."
                ),
            },
        )
    },
)

ERROR_RESPONSES = {
    400: OpenApiResponse(ERROR_BODY, description="Invalid input; `fields` names each invalid field."),
    401: OpenApiResponse(ERROR_BODY, description="Not authenticated."),
    403: OpenApiResponse(ERROR_BODY, description="Authenticated but not allowed to do this."),
    404: OpenApiResponse(ERROR_BODY, description="Not found, or not visible to you."),
    429: OpenApiResponse(
        ERROR_BODY,
        description=(
            "Too many requests from this client or person; wait the number of seconds in the "
            "`Retry-After` header, then try again."
        ),
    ),
    503: OpenApiResponse(
        ERROR_BODY,
        description=(
            "The service cannot reach its database for a moment; nothing was written. Try again after "
            "`Retry-After` seconds (with the same `Idempotency-Key` for a creating POST)."
        ),
    ),
}


# Every write that changes a stored resource names, in ``If-Match``, the ETag of the read it was decided
# on (``hemsjukvard.api.concurrency``): one header, one set of answers, for every app.
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description=(
        "The ETag from your last read of the resource you change; for a case's risk analysis, and for "
        "a plan started from a case, the case's ETag."
    ),
)
# A write that names its read in If-Match: stale (412), or not named (428).
IF_MATCH_ERRORS = {
    412: OpenApiResponse(
        ERROR_BODY, description="Changed since your read: read it again and redo your change."
    ),
    428: OpenApiResponse(
        ERROR_BODY,
        description="`If-Match` with the ETag of your last read is missing, or is `*` (no write takes it).",
    ),
}
# A write the resource's current state does not allow.
STATE_CONFLICT = OpenApiResponse(
    ERROR_BODY,
    description=(
        "Not possible in the resource's current state (a case's status, a closed plan, an agreement "
        "version in force); for a case, `allowed` lists the actions you may take."
    ),
)
WRITE_ERRORS = {**ERROR_RESPONSES, 409: STATE_CONFLICT, **IF_MATCH_ERRORS}


class AutoSchema(openapi.AutoSchema):
    """An operation's description comes from ``extend_schema``, the action's docstring or the view's own
    docstring, never from a docstring inherited from a base class or mixin: those describe the code to its
    maintainers, not the operation to an integrator (drf-spectacular's default inherits them)."""

    # drf-spectacular narrows DRF's (path, method) signature; the stubs know only DRF's.
    def get_description(self) -> Any:  # type: ignore[override]
        action_or_method = getattr(self.view, getattr(self.view, "action", self.method.lower()), None)
        own_doc = self.view.__class__.__dict__.get("__doc__")
        return get_doc(action_or_method) or (get_doc(self.view.__class__) if own_doc else "")

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        """Bounds drf-spectacular leaves out: a nested list's (``many=True``) ``max_length``/``min_length``
        as maxItems/minItems, as a ``ListField`` shows them; a code looked up by a ``SlugRelatedField`` as
        its model field's maxLength."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)  # type: ignore[no-untyped-call]
        if (
            isinstance(field, serializers.SlugRelatedField)
            and not field.read_only
            and isinstance(schema, dict)
            and schema.get("type") == "string"
            and "format" not in schema
        ):
            # A code looked up in its model: no longer than that model's field.
            queryset = field.get_queryset()
            model_field = queryset.model._meta.get_field(field.slug_field) if queryset is not None else None
            max_length = getattr(model_field, "max_length", None)
            if max_length:
                schema["maxLength"] = max_length
        if isinstance(field, serializers.ListSerializer) and isinstance(schema, dict):
            # The stubs do not know ListSerializer's max_length and min_length (DRF 3.14+).
            max_items, min_items = getattr(field, "max_length", None), getattr(field, "min_length", None)
            if max_items is not None:
                schema["maxItems"] = max_items
            if min_items is not None:
                schema["minItems"] = min_items
        return schema
