from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """API clients (integrations with their own credentials and scope) and the webhooks they receive."""

    name = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the OpenAPI description of client tokens
