"""Login, the choice of acting organisation and role, and choosing a password from an e-mailed link
(mounted under /accounts/; logout is ``identity.views.logout``)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("acting/", views.acting, name="acting"),
    # The link an administrator has sent (directory.forms.PasswordLinkForm); no public "forgot password"
    # form: the link is only ever sent to the address the user's organisation has registered.
    path(
        "password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("password/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
