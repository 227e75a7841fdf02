"""Shared pieces of the OpenAPI description."""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import get_doc
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
