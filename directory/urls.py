"""Login and the choice of acting organisation and role (under /accounts/; logout: identity.views)."""

from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("acting/", views.acting, name="acting"),
]
