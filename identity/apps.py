from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = _("Sign-in (SITHS)")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin (``INSTALLED_APPS``), on the site that asks administrators for a one-time code."""

    default = False  # not the identity app's own configuration
    default_site = "identity.admin_site.AdminSite"
