"""Case pages (mounted under /cases/)."""

from django.urls import path

from . import analysis_views, draft_views, search_views, views

app_name = "cases"

urlpatterns = [
    path("search/", search_views.case_search, name="search"),
    path("new/<uuid:patient_id>/", views.case_new, name="new"),
    path("new/<uuid:patient_id>/proposal/", views.case_proposal, name="proposal"),
    path("<uuid:public_id>/", views.case_detail, name="detail"),
    path("<uuid:public_id>/edit/", draft_views.case_edit, name="edit"),
    path("<uuid:public_id>/actions/<slug:action>/", views.case_action, name="action"),
    path("<uuid:public_id>/risk-analysis/", analysis_views.case_analysis, name="analysis"),
    path(
        "risk-analyses/<uuid:public_id>/<slug:action>/",
        analysis_views.analysis_action,
        name="analysis-action",
    ),
    path("notifications/<uuid:public_id>/read/", views.notification_read, name="notification-read"),
]
