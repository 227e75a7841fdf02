"""SIP routes (mounted under /api/v1/)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from .views import SipViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("sips", SipViewSet, basename="sip")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
