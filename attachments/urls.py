"""Attachment pages (mounted under /attachments/)."""

from django.urls import path

from . import views

app_name = "attachments"

urlpatterns = [
    path("case/<uuid:public_id>/", views.case_upload, name="case-upload"),
    path("sip/<uuid:public_id>/", views.sip_upload, name="sip-upload"),
    path("<uuid:public_id>/download/", views.download, name="download"),
    path("<uuid:public_id>/remove/", views.remove, name="remove"),
]
