"""API clients, their credentials, and the webhooks they subscribe to.

An ``ApiClient`` is one organisation's integration (an EHR, a kommun's care documentation system, a SIP
planning tool, a statistics system). It acts through a service user of its own whose memberships (role
``coordinator`` in each organisation of the client's scope) are kept by ``integrations.services``, so the
access rule (``access.patients``) and the access log treat it like any other party, under its own name.
A read/write client may instead call on behalf of the person signed in to it (``integrations.delegation``).
Secrets and tokens are stored only as SHA-256 hashes: they are long random strings, not passwords.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hemsjukvard.db import PublicIdModel, TimestampedModel

if TYPE_CHECKING:
    from directory.models import Membership, User


class ClientAccess(models.TextChoices):
    READ = "read", _("Read")
    READ_WRITE = "read_write", _("Read and write")


class ApiClient(PublicIdModel, TimestampedModel):
    name = models.CharField(
        _("name"), max_length=200, unique=True, help_text=_("Shown in the access log for every call.")
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("owning organisation"),
        on_delete=models.PROTECT,
        related_name="api_clients",
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    access = models.CharField(
        _("access"), max_length=16, choices=ClientAccess.choices, default=ClientAccess.READ
    )
    scope_organisations = models.ManyToManyField(
        "directory.Organisation",
        verbose_name=_("scope"),
        related_name="+",
        blank=True,
        help_text=_("The organisations whose patients' data the client may reach."),
    )
    client_id = models.CharField(_("client id"), max_length=64, unique=True, editable=False)
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service user"),
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def read_only(self) -> bool:
        return self.access != ClientAccess.READ_WRITE


class ClientSecretQuerySet(models.QuerySet["ClientSecret"]):
    def valid(self, at: datetime.datetime | None = None) -> ClientSecretQuerySet:
        now = at or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ClientSecret(models.Model):
    """One secret of a client. The current one has no end; a rotated one is valid until ``expires_at``."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="secrets")
    secret_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text=_("The first characters, to tell secrets apart."))
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ClientSecretQuerySet.as_manager()

    class Meta:
        verbose_name = _("client secret")
        verbose_name_plural = _("client secrets")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.client})"


@dataclass(frozen=True)
class Delegation:
    """The person a client acts for, and the memberships the call may use (``integrations.delegation``)."""

    person: User
    memberships: tuple[Membership, ...]


class ClientToken(models.Model):
    """A short-lived bearer access token from ``POST /api/v1/oauth/token``. Only its hash is stored."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    access = models.CharField(max_length=16, choices=ClientAccess.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    # Set by the authentication for a call on behalf of a person (``X-On-Behalf-Of``); never stored.
    on_behalf_of: Delegation | None = None

    class Meta:
        verbose_name = _("client access token")
        verbose_name_plural = _("client access tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.client})"

    @property
    def api_client_name(self) -> str:
        """What ``directory.actor.Actor`` records as ``api_client`` in the access log."""
        return self.client.name

    @property
    def delegated_memberships(self) -> tuple[Membership, ...] | None:
        """What ``directory.actor.Actor`` acts in on a call on behalf of a person; ``None`` otherwise."""
        return self.on_behalf_of.memberships if self.on_behalf_of is not None else None

    @property
    def read_only(self) -> bool:
        return self.access != ClientAccess.READ_WRITE


class WebhookEventKind(models.TextChoices):
    CASE_SUBMITTED = "case.submitted", _("Case submitted")
    CASE_AGREED = "case.agreed", _("Case agreed")
    CASE_ESCALATED = "case.escalated", _("Case escalated")
    CASE_DECIDED = "case.decided", _("Case decided")
    CASE_CHANGED = "case.changed", _("Case changed (any step, task or risk analysis)")
    DOCUMENT_READY = "document.ready", _("Document ready")
    DOCUMENT_FAILED = "document.failed", _("Document failed")
    SIP_FINALISED = "sip.finalised", _("SIP finalised")
    SIP_CHANGED = "sip.changed", _("SIP changed (any recorded change of the plan)")
    NOTIFICATION_CREATED = "notification.created", _("Notification created")


class WebhookSubscription(PublicIdModel, TimestampedModel):
    client = models.ForeignKey(
        ApiClient, verbose_name=_("API client"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list, help_text=_("The event kinds delivered."))
    # Kept in clear: it signs every delivery, so it must be readable. Shown to the client once.
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.client}: {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(PublicIdModel):
    """One event for one subscription, written in the transaction of the event and posted after it."""

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, db_index=True)
    kind = models.CharField(_("event"), max_length=32, choices=WebhookEventKind.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id} → {self.subscription_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery, with what the receiver answered, or ``unreachable`` when it did not."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveIntegerField(_("attempt"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
