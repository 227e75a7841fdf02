"""The API's parsers: DRF's, refusing what no field can hold before any view sees it.

* Nesting deeper than ``JSON_MAX_DEPTH``: Python's decoder raises ``RecursionError`` on a few thousand
  brackets (a 500 for anyone, even unauthenticated); no body the API documents is nested that deep.
* A NUL character in any string or key: PostgreSQL cannot hold one in text, so a NUL that reaches a query
  fails there (a 500), and a NUL nobody can store is never meant.

Both answer 400 in the API's error shape, naming the field (``insatser.0.description``). A NUL in a
multipart form is refused here too; query strings and urlencoded forms are checked for every page and
endpoint by ``hemsjukvard.request_checks``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from hemsjukvard.limits import JSON_MAX_DEPTH

NUL = "\x00"
NUL_NOT_ALLOWED = _("The text contains a NUL character, which cannot be stored.")
TOO_DEEP = _("The JSON is nested more than %(depth)s levels deep.")
NON_FIELD = "non_field_errors"


def nul_field(params: QueryDict) -> str | None:
    """The first parameter whose name or any value holds a NUL (shown with the NUL as ``\\0``)."""
    for name, values in params.lists():
        if NUL in name or any(isinstance(value, str) and NUL in value for value in values):
            return name.replace(NUL, "\\0")
    return None


def _path(parts: list[str]) -> str:
    return ".".join(parts) if parts else NON_FIELD


def check_json_value(data: Any) -> None:
    """Raise a field error for nesting deeper than JSON_MAX_DEPTH or a NUL in a string or key.

    Iterative, so that checking a deep value cannot itself run out of stack.
    """
    stack: list[tuple[Any, list[str], int]] = [(data, [], 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                raise ValidationError({_path(path): [NUL_NOT_ALLOWED]})
        elif isinstance(value, Mapping | list):
            if depth >= JSON_MAX_DEPTH:
                raise ValidationError({_path(path[:1]): [TOO_DEEP % {"depth": JSON_MAX_DEPTH}]})
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and NUL in key:
                    raise ValidationError({_path(path): [NUL_NOT_ALLOWED]})
                stack.append((item, [*path, str(key)], depth + 1))


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # The decoder gave up on the nesting before we could count it; nothing was parsed.
            raise ValidationError({NON_FIELD: [TOO_DEEP % {"depth": JSON_MAX_DEPTH}]}) from None
        check_json_value(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        field = nul_field(parsed.data)
        if field is not None:
            raise ValidationError({field: [NUL_NOT_ALLOWED]})
        return parsed
