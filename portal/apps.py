from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The site around the apps: the home page (my work) and the navigation every page shows.

    It sits above the apps whose sections it links to and whose work it lists, and nothing imports it.
    """

    name = "portal"
    verbose_name = _("Home page and navigation")
