from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """Messages on a case to one party, with a reply-by date: a question, its thread and its answer."""

    name = "messaging"
    verbose_name = _("Messages on cases")
