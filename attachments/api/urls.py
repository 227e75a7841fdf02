"""Attachment API routes (mounted under /api/v1/)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from .views import AttachmentViewSet, CaseAttachmentsViewSet, SipAttachmentsViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("attachments", AttachmentViewSet, basename="attachment")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "cases/<uuid:id>/attachments",
        CaseAttachmentsViewSet.as_view({"get": "list", "post": "create"}),
        name="case-attachments",
    ),
    path(
        "sips/<uuid:id>/attachments",
        SipAttachmentsViewSet.as_view({"get": "list", "post": "create"}),
        name="sip-attachments",
    ),
    *router.urls,
]
