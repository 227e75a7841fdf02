"""Integration routes (mounted under /api/v1/): the OAuth2 token endpoint and webhook subscriptions."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from .views import OAuthTokenView, WebhookSubscriptionViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("webhook-subscriptions", WebhookSubscriptionViewSet, basename="webhook-subscription")

urlpatterns: list[URLPattern | URLResolver] = [
    path("oauth/token", OAuthTokenView.as_view(), name="oauth-token"),
    *router.urls,
]
