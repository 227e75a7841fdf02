"""Case, risk-analysis and notification routes (mounted under /api/v1/)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from .templates import CaseRiskTemplateViewSet
from .views import CaseViewSet, NotificationViewSet, RiskAnalysisViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("cases", CaseViewSet, basename="case")
router.register("cases", CaseRiskTemplateViewSet, basename="case-risk-template")
router.register("risk-analyses", RiskAnalysisViewSet, basename="risk-analysis")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
