"""Agreement API routes (mounted under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from .proposals import ResponsibilityProposalView
from .views import (
    AgreementVersionViewSet,
    AgreementViewSet,
    CareTaskTypeViewSet,
    ResponsibilityRuleViewSet,
    SectionViewSet,
)

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("agreement-versions", AgreementVersionViewSet, basename="agreement-version")
router.register("agreement-sections", SectionViewSet, basename="agreement-section")
router.register("task-types", CareTaskTypeViewSet, basename="task-type")
router.register("responsibility-rules", ResponsibilityRuleViewSet, basename="responsibility-rule")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "responsibility/proposals",
        ResponsibilityProposalView.as_view(),
        name="responsibility-proposals",
    ),
    *router.urls,
]
