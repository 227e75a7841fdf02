"""Error pages: JSON under /api/, HTML elsewhere, so an integration never has to parse a web page. And
``/favicon.ico``, which browsers ask for on every page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_safe


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"error": {"code": "not_found", "message": _("Not found.")}}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    import sys

    from hemsjukvard.api.errors import DATABASE_UNAVAILABLE
    from hemsjukvard.middleware import database_unavailable_response

    # A lost database connection outside a view (a middleware saving the session): 503, not 500.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable_response(request)
    if _is_api(request):
        return JsonResponse(
            {"error": {"code": "server_error", "message": _("Something went wrong on our side.")}},
            status=500,
        )
    return defaults.server_error(request)


@require_safe
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """The site's icon (an SVG among the static files, which ``base.html`` links); the static URL is
    looked up when asked, so that the collected files' manifest is not needed to load the URLs."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
