"""Document pages (mounted under /documents/)."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("request/", views.document_request, name="request"),
    path("<uuid:public_id>/status/", views.document_status, name="status"),
    path("<uuid:public_id>/download/", views.document_download, name="download"),
]
