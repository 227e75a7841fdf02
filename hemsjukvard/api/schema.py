"""Shared pieces of the OpenAPI description."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
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
