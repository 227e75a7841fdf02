"""Login, logout and the choice of acting organisation and role (mounted under /accounts/)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("acting/", views.acting, name="acting"),
]
