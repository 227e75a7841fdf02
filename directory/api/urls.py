from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from .views import LogoutView, MeView, OrganisationViewSet, TokenView

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("organisations", OrganisationViewSet, basename="organisation")

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token", TokenView.as_view(), name="auth-token"),
    path("auth/logout", LogoutView.as_view(), name="auth-logout"),
    path("me", MeView.as_view(), name="me"),
    *router.urls,
]
