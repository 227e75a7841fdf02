"""How each person wants their notifications e-mailed (the inbox page's and the API's choice)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EmailChoice(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, one e-mail per notification")
    DIGEST = "digest", _("Once a day, one e-mail listing them")


class NotificationPreference(models.Model):
    """How a person wants their notifications e-mailed; without a row, at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email = models.CharField(
        _("e-mail"), max_length=16, choices=EmailChoice.choices, default=EmailChoice.IMMEDIATE
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"Notification preference of {self.user_id}: {self.email}"
