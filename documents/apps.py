from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    # The kinds of document register themselves from their own apps' AppConfig.ready (the cases, the
    # SIP, the access log) — see documents.sources.
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from .metrics import register

        register()
