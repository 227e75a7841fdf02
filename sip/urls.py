"""SIP pages (mounted under /sip/)."""

from django.urls import path

from . import views

app_name = "sip"

urlpatterns = [
    path("<uuid:public_id>/", views.sip_detail, name="detail"),
    path("from-case/<uuid:case_id>/", views.sip_from_case, name="from-case"),
    path("<uuid:public_id>/draft/rows/", views.sip_draft_rows, name="draft-rows"),
    path("<uuid:public_id>/consent/withdraw/", views.sip_withdraw_consent, name="withdraw-consent"),
    path("<uuid:public_id>/<slug:action>/", views.sip_action, name="action"),
]
