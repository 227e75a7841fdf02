from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    """Agreements on home health care as data, and the engine that proposes who is responsible."""

    name = "agreements"
    verbose_name = _("Agreements")
