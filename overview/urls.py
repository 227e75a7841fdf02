"""The patient overview page (mounted under /patients/)."""

from django.urls import path

from . import views

app_name = "overview"

urlpatterns = [
    path("<uuid:public_id>/overview/", views.patient_overview, name="patient"),
]
