"""My work's kept filters (mounted under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from .views import WorkFiltersView

urlpatterns: list[URLPattern | URLResolver] = [
    path("me/work-filters", WorkFiltersView.as_view(), name="me-work-filters"),
]
