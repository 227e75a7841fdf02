from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from .emergency import EmergencyAccessViewSet
from .views import EnrolmentViewSet, PatientViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("patients", PatientViewSet, basename="patient")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("patients", EmergencyAccessViewSet, basename="patient-emergency")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
