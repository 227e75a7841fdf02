from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # The kinds built on the cases app register themselves here; other apps (the SIP) register
        # theirs from their own AppConfig.ready — see documents.sources.
        from . import kinds  # noqa: F401
