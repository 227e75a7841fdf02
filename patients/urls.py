from django.urls import path

from . import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("emergency-access/", views.patient_emergency, name="emergency"),
    path("<uuid:public_id>/", views.patient_detail, name="detail"),
    path("<uuid:public_id>/enrol/", views.patient_enrol, name="enrol"),
    path("enrolments/<uuid:public_id>/end/", views.enrolment_end, name="enrolment-end"),
]
