"""Pagination, ordering and ``updated_since`` shared by every list endpoint.

* Page numbers by default (``page``, ``page_size`` from 1 to 100; outside that a 400).
* Large lists (cases, documents) also take ``cursor``: send ``?cursor=`` (empty) to start and follow
  ``next``. Cursor pages are ordered by ``(updated_at, id)``, oldest change first, so a client that keeps
  the last ``next`` link (or the newest ``updated_at`` it saw, as ``updated_since``) can sync.
* ``updated_since`` (with ``after_id``) on the lists a client keeps in step (cases, SIPs, documents,
  notifications): the list is ordered by ``(updated_at, id)``, oldest change first, and with both only
  the records after that pair are listed. A client that sends the ``updated_at`` and ``id`` of the last
  record it saw pages without gaps and without repeats, also while records change: a record changed
  after it was seen comes again, later, with its new ``updated_at``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

MAX_PAGE_SIZE = 100


class _BoundedPageSize:
    """``page_size`` between 1 and ``MAX_PAGE_SIZE``, or a 400 that says so (never a silent cap, whose
    ``next`` link would repeat the size that was not served)."""

    page_size: int | None = 25
    page_size_query_param: str | None = "page_size"
    max_page_size: int | None = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int | None:
        name = self.page_size_query_param or "page_size"
        limit = self.max_page_size or MAX_PAGE_SIZE
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= limit:
            raise ValidationError({name: [_("Give a page size from 1 to %(max)d.") % {"max": limit}]})
        return size

    def bounded(self, parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = (
                    f"Number of results per page, 1 to {self.max_page_size} (default {self.page_size})."
                )
        return parameters


class DefaultPagination(_BoundedPageSize, PageNumberPagination):
    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return self.bounded(super().get_schema_operation_parameters(view))


class _UpdatedAtCursor(_BoundedPageSize, CursorPagination):
    ordering = ("updated_at", "pk")


class SyncPagination(DefaultPagination):
    """Page numbers, or a cursor over ``(updated_at, id)`` when the request has ``cursor``."""

    cursor_query_param = "cursor"

    def __init__(self) -> None:
        self._cursor: _UpdatedAtCursor | None = None

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        if self.cursor_query_param in request.query_params:
            self._cursor = _UpdatedAtCursor()
            return self._cursor.paginate_queryset(queryset.order_by("updated_at", "pk"), request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        if self._cursor is not None:
            return self._cursor.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["results"]
        paginated["properties"]["count"]["description"] = "Total number of items; not sent with a cursor."
        return paginated

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Cursor pagination over (updated_at, id), oldest change first: send it empty to start, "
                    "then follow `next`. Without it the list is paged by `page`."
                ),
                "schema": {"type": "string"},
            },
        ]


class PaginatedListMixin:
    """Tells the schema that the ``list`` action (and only it) is paginated by ``list_pagination_class``."""

    list_pagination_class: type[PageNumberPagination] = DefaultPagination

    @property
    def pagination_class(self) -> type[PageNumberPagination] | None:
        return self.list_pagination_class if getattr(self, "action", None) == "list" else None


UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    datetime.datetime,
    description=(
        "Only records changed at or after this moment (ISO 8601 with a time zone, e.g. "
        "`2026-05-01T08:00:00+02:00`), ordered by `(updated_at, id)`, oldest change first. To sync "
        "without gaps or repeats, send the `updated_at` and `id` of the last record you saw as "
        "`updated_since` and `after_id`."
    ),
)
AFTER_ID = OpenApiParameter(
    "after_id",
    uuid.UUID,
    description=(
        "With `updated_since`: leave out the records changed at exactly that moment whose id is this one "
        "or sorts before it, i.e. list only those after the pair `(updated_since, after_id)`."
    ),
)


def filter_updated_since(request: Request, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The records changed since ``updated_since`` (after ``after_id`` at that moment), in the sync order
    ``(updated_at, id)``; the queryset as it is without ``updated_since``."""
    moment = parse_updated_since(request)
    raw_after = request.query_params.get("after_id")
    after = None
    if raw_after is not None:
        try:
            after = uuid.UUID(raw_after.strip())
        except ValueError:
            raise ValidationError({"after_id": [_("Give the id of the last record you saw.")]}) from None
        if moment is None:
            raise ValidationError({"after_id": [_("Give updated_since with after_id.")]})
    if moment is None:
        return queryset
    if after is None:
        changed = queryset.filter(updated_at__gte=moment)
    else:
        changed = queryset.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, public_id__gt=after))
    return changed.order_by("updated_at", "public_id")


def parse_updated_since(request: Request) -> datetime.datetime | None:
    raw = request.query_params.get("updated_since")
    if raw is None:
        return None
    try:
        moment = parse_datetime(raw.strip().replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError({"updated_since": [_("Give a date and time in ISO 8601 format.")]})
    if moment.tzinfo is None:
        raise ValidationError({"updated_since": [_("Give the time zone, e.g. +02:00 or Z.")]})
    # As UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 and Python allow.
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:
        raise ValidationError({"updated_since": [_("Give a date and time in ISO 8601 format.")]}) from None


def ordering_parameter(fields: Sequence[str], default: str) -> OpenApiParameter:
    return OpenApiParameter(
        "ordering",
        str,
        enum=[prefix + field for field in fields for prefix in ("", "-")],
        description=f"Sort order; `-` for descending. Default `{default}`. Ties are broken by id.",
    )


def apply_ordering(request: Request, queryset: QuerySet[Any], fields: Sequence[str]) -> QuerySet[Any]:
    raw = request.query_params.get("ordering")
    if not raw:
        return queryset
    if raw.lstrip("-") not in fields:
        raise ValidationError({"ordering": [_("Choose an ordering from the list.")]})
    descending = raw.startswith("-")
    return queryset.order_by(raw, "-pk" if descending else "pk")
