from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    """Patients and their enrolment in municipal home health care."""

    name = "patients"
    verbose_name = _("Patients")
