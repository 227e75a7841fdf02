"""The registers' API routes (mounted under /api/v1/)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from .views import CompetenceTransferViewSet, DelegationViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("competence-transfers", CompetenceTransferViewSet, basename="competence-transfer")
router.register("delegations", DelegationViewSet, basename="delegation")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
