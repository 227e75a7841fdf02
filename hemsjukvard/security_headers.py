"""No browser, proxy or shared cache keeps a copy of anything the application answers.

Patient data reaches people on pages, in htmx fragments, in API reads and in downloaded PDFs, and from
the outside one cannot tell which response carries it: an error page shows the signed-in person's
work counts, an API client's token is only recognised inside the view, a document download is a file.
So every response the application itself makes is marked ``no-store`` (with ``private`` and an
``Expires`` in the past, for older caches), overriding whatever a view set unless it already said
``no-store``; a page left open on a shared computer is then not brought back by the Back button after
logging out either. Static files need no
such care and are answered by whitenoise before this middleware is reached, so they stay cacheable.

The Content-Security-Policy itself is django-csp's, configured in the settings; whitenoise adds it to
static files too (``static_file_headers``), so an HTML or SVG file among them, such as the OAuth2 redirect
page that ships with Swagger UI, cannot run inline script on this site either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from csp.utils import build_policy
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers, cc_delim_re

if TYPE_CHECKING:
    from wsgiref.headers import Headers


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not _says_no_store(response):
            add_never_cache_headers(response)
        return response


def _says_no_store(response: HttpResponseBase) -> bool:
    directives = cc_delim_re.split(response.headers.get("Cache-Control", ""))
    return any(directive.strip().lower() == "no-store" for directive in directives)


def static_file_headers(headers: Headers, path: str, url: str) -> None:
    """whitenoise's hook for the headers of each static file: the same Content-Security-Policy."""
    headers["Content-Security-Policy"] = build_policy()
