from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from .views import PatientOverviewViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("patients", PatientOverviewViewSet, basename="patient")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
