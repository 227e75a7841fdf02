from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from .views import EnrolmentViewSet, PatientViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("patients", PatientViewSet, basename="patient")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
