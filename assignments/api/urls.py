"""Hand-over and team routes (mounted under /api/v1/)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from .views import CaseHandlerViewSet, TeamViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("cases", CaseHandlerViewSet, basename="case-handler")
router.register("teams", TeamViewSet, basename="team")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
