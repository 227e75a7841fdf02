"""A page for 405: a person who reloads or bookmarks a form's address (a POST-only URL) after a refused
submit gets a page saying so, with a way back, instead of an empty answer.

Django's ``require_POST`` and its kin answer an empty ``HttpResponseNotAllowed``; this middleware puts the
page into it and keeps its status and ``Allow`` header. The API (``/api/``) is left alone: REST
framework answers 405 with the project's JSON error body itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def back_url(request: HttpRequest) -> str:
    """Where the page links back to: the page the person came from, if it is one of this site's and not
    the form's address itself; My work otherwise."""
    referrer = request.headers.get("Referer", "")
    if (
        referrer
        and url_has_allowed_host_and_scheme(
            referrer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and referrer != request.build_absolute_uri()
    ):
        return referrer
    return reverse("home")


class MethodNotAllowedPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            not isinstance(response, HttpResponseNotAllowed)
            or response.content
            or request.path.startswith("/api/")
            or request.method == "HEAD"
        ):
            return response
        page = render(request, "405.html", {"back_url": back_url(request)}, status=405)
        page["Allow"] = response["Allow"]
        return page
