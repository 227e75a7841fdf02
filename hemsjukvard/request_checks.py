"""Refuse a request that carries a NUL character in its query string, form body or Basic credentials.

PostgreSQL cannot hold a NUL in text: a NUL that reaches a query (a search, a filter, an OAuth
``client_id``) fails there, as a 500, before any field could say what was wrong. Nobody means to send
one, so it is refused here for every page and endpoint at once: 400 in the API's error shape under
``/api/`` (naming the parameter), the plain 400 page elsewhere. JSON bodies are checked by the API's
parser (``hemsjukvard.api.parsers``), which knows their structure.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.template.loader import render_to_string

from hemsjukvard.api.errors import invalid_response
from hemsjukvard.api.parsers import NUL, NUL_NOT_ALLOWED, nul_field

FORM = "application/x-www-form-urlencoded"


def _nul_in_basic_credentials(request: HttpRequest) -> bool:
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False  # not readable at all: the view answers that
    # RFC 6749 §2.3.1: each part may be form-urlencoded as well.
    return NUL in decoded or NUL in unquote_plus(decoded)


def _refused(request: HttpRequest, field: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return invalid_response({field: [str(NUL_NOT_ALLOWED)]})
    return HttpResponseBadRequest(render_to_string("400.html"))


class NulCharacterMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = nul_field(request.GET)
        # A form body is read here (Django keeps it for the view); other bodies are left to their parser.
        if field is None and request.content_type == FORM:
            form = (
                request.POST
                if request.method == "POST"
                else QueryDict(request.body, encoding=request.encoding)
            )
            field = nul_field(form)
        if field is None and _nul_in_basic_credentials(request):
            field = "Authorization"
        if field is not None:
            return _refused(request, field)
        return self.get_response(request)
