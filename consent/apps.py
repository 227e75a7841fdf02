from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    """The legal basis for sharing a case, the person's objections and spärrar (``access.legal_basis``)."""

    name = "consent"
    verbose_name = _("Legal basis for sharing")
