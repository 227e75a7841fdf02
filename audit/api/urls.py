from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from .views import LogExtractViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("patients", LogExtractViewSet, basename="patient-log-extract")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
