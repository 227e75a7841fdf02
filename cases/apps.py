from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Responsibility cases (ansvarsärenden): review, risk analysis, approval, disputes, escalation."""

    name = "cases"
    verbose_name = _("Responsibility cases")

    def ready(self) -> None:
        # The risk analysis and the escalation notice are document kinds: registered with the documents
        # app's registry (see documents.sources).
        from documents.sources import register

        from .decision_notice import DecisionNoticeSource
        from .documents import EscalationNoticeSource, RiskAnalysisSource

        register(RiskAnalysisSource())
        register(EscalationNoticeSource())
        register(DecisionNoticeSource())
