"""FHIR R4 export routes (mounted under /api/v1/fhir/)."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("fhir/Patient/<uuid:id>", views.PatientView.as_view(), name="fhir-patient"),
    path("fhir/Organization/<uuid:id>", views.OrganizationView.as_view(), name="fhir-organization"),
    path("fhir/CarePlan/<uuid:id>", views.CarePlanView.as_view(), name="fhir-careplan"),
    path("fhir/CarePlan/<uuid:id>/bundle", views.CarePlanBundleView.as_view(), name="fhir-careplan-bundle"),
    path("fhir/RiskAssessment/<uuid:id>", views.RiskAssessmentView.as_view(), name="fhir-riskassessment"),
    path("fhir/Task", views.TaskSearchView.as_view(), name="fhir-task-search"),
]
