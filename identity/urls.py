"""Sign-in through the identity provider (mounted under /oidc/); 404 where no provider is configured."""

from django.urls import path
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from . import views

urlpatterns = [
    path("refused/", views.refused, name="identity_refused"),
    path(
        "authenticate/",
        views.when_configured(views.SignInRequestView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "callback/",
        views.when_configured(OIDCAuthenticationCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
]
