from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentsConfig(AppConfig):
    """Who handles a case for each organisation on it: a named colleague or a team (hand-overs)."""

    name = "assignments"
    verbose_name = _("Case handlers")
