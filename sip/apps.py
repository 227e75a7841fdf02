from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SipConfig(AppConfig):
    """SIP (samordnad individuell plan, HSL 16 kap. 4 §): the shared care plan and its versions."""

    name = "sip"
    verbose_name = _("Coordinated individual plans (SIP)")

    def ready(self) -> None:
        # The SIP care plan is a document kind: registered with the documents app's registry.
        from documents.sources import register

        from .documents import SipCarePlanSource

        register(SipCarePlanSource())
