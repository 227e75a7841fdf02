from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    """The patient overview: a patient's cases, plans, risk analyses, registers and enrolments, their
    coming dates and one timeline, on one page and in one API answer."""

    name = "overview"
    verbose_name = _("Patient overview")
