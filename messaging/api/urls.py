"""Message routes (mounted under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from .views import CaseMessagesView, MessageViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("messages", MessageViewSet, basename="message")

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<uuid:id>/messages", CaseMessagesView.as_view(), name="case-messages"),
    *router.urls,
]
