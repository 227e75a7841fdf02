from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    """Figures: where care is shifted without agreement (vårdöverskjutning) and how long decisions take."""

    name = "figures"
    verbose_name = _("Figures")
