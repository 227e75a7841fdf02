from django.urls import path

from . import views

app_name = "figures"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:key>.csv", views.figure_csv, name="csv"),
    path("charts/<slug:key>.svg", views.chart_svg, name="chart"),
    path("cases/<str:figure>/", views.figure_cases, name="cases"),
    path("reports/", views.report_create, name="report-create"),
    path("reports/<uuid:public_id>/", views.report_detail, name="report"),
    path("reports/<uuid:public_id>/pdf", views.report_download, name="report-pdf"),
]
