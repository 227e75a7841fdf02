"""URL root: the browser pages, the admin, the API under /api/v1/ and its schema."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .health import healthz

api_v1 = [
    path("", include("directory.api.urls")),
    path("", include("patients.api.urls")),
    path("", include("agreements.api.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="patients:list"), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("patients/", include("patients.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler404 = "hemsjukvard.views.not_found"
handler500 = "hemsjukvard.views.server_error"
