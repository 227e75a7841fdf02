from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenceConfig(AppConfig):
    """The safety conditions an agreement sets, as registers: competence transfers (kompetensöverföring),
    delegations (SOSFS 1997:14) and re-reviews of agreed splits and risk analyses."""

    name = "competence"
    verbose_name = _("Competence and delegation")
