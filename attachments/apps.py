from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    """Files attached to a case or a SIP: a discharge summary, a medication list, a prescription, a
    training sign-off. Read under the rule of the record they belong to."""

    name = "attachments"
    verbose_name = _("Attachments")
