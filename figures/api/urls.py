"""Figures API routes (mounted under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("figures/scopes", views.ScopesView.as_view(), name="figures-scopes"),
    path("figures/shift-table", views.ShiftTableView.as_view(), name="figures-shift-table"),
    path("figures/kpis", views.KpisView.as_view(), name="figures-kpis"),
    path("figures/reports", views.ReportListView.as_view(), name="figures-reports"),
    path("figures/reports/<uuid:id>", views.ReportDetailView.as_view(), name="figures-report"),
]
