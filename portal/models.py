"""What the person chose on My work: the filters and the sort, kept for them across sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkListChoice(models.Model):
    """One person's filters and sort of My work (``portal.work_filters``), as the validated form values.

    Kept per person, not per session, so the choice survives signing out; it names no patient.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="work_list_choice",
    )
    values = models.JSONField(_("filters and sort"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("choice of My work")
        verbose_name_plural = _("choices of My work")

    def __str__(self) -> str:
        return f"My work of {self.user_id}"
