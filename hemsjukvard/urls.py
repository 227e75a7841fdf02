"""URL root: the browser pages, the admin, the API under /api/v1/ and its schema."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from identity import views as identity_views

from .health import healthz, livez, readyz
from .observability.metrics import metrics_view
from .views import favicon

api_v1 = [
    path("", include("directory.api.urls")),
    path("", include("patients.api.urls")),
    path("", include("agreements.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("consent.api.urls")),
    path("", include("messaging.api.urls")),
    path("", include("assignments.api.urls")),
    path("", include("documents.api.urls")),
    path("", include("figures.api.urls")),
    path("", include("sip.api.urls")),
    path("", include("competence.api.urls")),
    path("", include("overview.api.urls")),
    path("", include("attachments.api.urls")),
    path("", include("fhir_export.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("audit.api.urls")),
    path("", include("portal.api.urls")),
]

urlpatterns = [
    path("", include("portal.urls")),
    path("accounts/logout/", identity_views.logout, name="logout"),
    path("accounts/", include("directory.urls")),
    path("oidc/", include("identity.urls")),
    path("patients/", include("patients.urls")),
    path("patients/", include("overview.urls")),
    path("figures/", include("figures.urls")),
    path("access-log/", include("audit.urls")),
    path("cases/", include("cases.urls")),
    path("cases/", include("consent.urls")),
    path("messages/", include("messaging.urls")),
    path("", include("assignments.urls")),
    path("documents/", include("documents.urls")),
    path("sip/", include("sip.urls")),
    path("competence/", include("competence.urls")),
    path("attachments/", include("attachments.urls")),
    # Browsers ask for /favicon.ico whatever the page links: answered with the site's icon.
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("livez", livez, name="livez"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its start-up script as a file of its own (?script), so the page needs no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler404 = "hemsjukvard.views.not_found"
handler500 = "hemsjukvard.views.server_error"
