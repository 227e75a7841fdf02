from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from .review import AccessLogReviewViewSet
from .views import LogExtractViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("patients", LogExtractViewSet, basename="patient-log-extract")
router.register("access-log/entries", AccessLogReviewViewSet, basename="access-log-entry")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
