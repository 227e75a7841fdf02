"""Case, risk-analysis and notification routes (mounted under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from .notifications import NotificationViewSet
from .preferences import EmailPreferenceView
from .templates import CaseRiskTemplateViewSet
from .views import CaseViewSet, RiskAnalysisViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("cases", CaseViewSet, basename="case")
router.register("risk-analyses", RiskAnalysisViewSet, basename="risk-analysis")
router.register("notifications", NotificationViewSet, basename="notification")

# A router of its own, so that its routes are named like the case routes (``case-risk-templates``).
templates_router = SimpleRouter(trailing_slash=False, use_regex_path=False)
templates_router.register("cases", CaseRiskTemplateViewSet, basename="case")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "notifications/email-preference",
        EmailPreferenceView.as_view(),
        name="notification-email-preference",
    ),
    *router.urls,
    *templates_router.urls,
]
