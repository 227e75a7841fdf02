from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The access log: every read and change of patient data, append-only (PDL 4 kap. 3 §)."""

    name = "audit"
    verbose_name = _("Access log")

    def ready(self) -> None:
        # The patient's log extract is printed by the documents worker (see documents.sources).
        from documents.sources import register

        from .documents import LogExtractSource

        register(LogExtractSource())

        from .metrics import register as register_metrics

        register_metrics()
