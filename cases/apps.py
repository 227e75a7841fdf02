from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Responsibility cases (ansvarsärenden): review, risk analysis, approval, disputes, escalation."""

    name = "cases"
    verbose_name = _("Responsibility cases")
