from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The access log: every read and change of patient data, append-only (PDL 4 kap. 3 §)."""

    name = "audit"
    verbose_name = _("Access log")

    def ready(self) -> None:
        # The log is kept at least five years: a shorter retention stops the process here.
        from .partitions import check_retention

        check_retention()
        # Every migrate tops up the monthly partitions ahead (audit.partitions).
        post_migrate.connect(_create_partitions, sender=self)

        # The patient's log extract is printed by the documents worker (see documents.sources).
        from documents.sources import register

        from .documents import LogExtractSource

        register(LogExtractSource())

        from .metrics import register as register_metrics

        register_metrics()


def _create_partitions(*, using: str, **kwargs: Any) -> None:
    from .partitions import ensure_partitions

    ensure_partitions(using=using)
