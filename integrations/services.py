"""Writes for API clients: create, change scope, rotate, revoke, issue access tokens; webhook subscriptions.

Why a service user with real ``coordinator`` memberships rather than synthetic, unsaved ones: every write
the client makes records a user (case events, documents' ``requested_by``, the access log), so a real
``User`` row is needed anyway; with real memberships the access rule, the case policies and the access log
need no special case for clients and cannot drift from what people get. ``coordinator`` is the role that
exists in every kind of organisation and reaches patients in each (``access.patients``) without being a
clinician's role. The service user has no usable password, so it can never log in on the web or get a
token by password; it is deactivated when the client is revoked. Read-only scope is enforced on the API
(``integrations.permissions``), since the memberships themselves carry write powers.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.administration import jsonable
from directory.models import Membership, Organisation, Role, User

from .models import (
    ApiClient,
    ClientAccess,
    ClientSecret,
    ClientToken,
    WebhookEventKind,
    WebhookSubscription,
)

CLIENT_ID_PREFIX = "hsvc_"
SECRET_PREFIX = "hsvs_"  # noqa: S105 - a marker, not a secret
# Access tokens of clients carry their own prefix, so the authentication classes tell them from the
# tokens people get (``directory.authentication``) without a database read.
TOKEN_PREFIX = "hsvat_"  # noqa: S105 - a marker, not a secret
SCOPE_READ = "read"
SCOPE_WRITE = "write"
# Refreshing last_used_at on every call would turn every read into a write; once a minute is enough.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedSecret:
    """A new client secret in clear: shown once, never stored."""

    client: ApiClient
    secret: str


def _new_secret(client: ApiClient) -> str:
    raw = SECRET_PREFIX + secrets.token_urlsafe(32)
    ClientSecret.objects.create(client=client, secret_hash=hash_secret(raw), prefix=raw[:12])
    return raw


def _sync_memberships(client: ApiClient) -> None:
    """Give the service user exactly one active ``coordinator`` membership per organisation in scope."""
    today = timezone.localdate()
    wanted = set(client.scope_organisations.values_list("pk", flat=True)) if not client.is_revoked else set()
    active = {
        m.organisation_id: m
        for m in Membership.objects.active(today).filter(user=client.service_user, role=Role.COORDINATOR)
    }
    for organisation_id, membership in active.items():
        if organisation_id in wanted:
            continue
        if membership.valid_from >= today:
            # Started today: ending it yesterday would end it before it began.
            membership.delete()
        else:
            membership.valid_to = today - datetime.timedelta(days=1)
            membership.save(update_fields=["valid_to"])
    for organisation_id in wanted - set(active):
        Membership.objects.filter(
            user=client.service_user, organisation_id=organisation_id, role=Role.COORDINATOR, valid_from=today
        ).delete()
        Membership.objects.create(
            user=client.service_user, organisation_id=organisation_id, role=Role.COORDINATOR, valid_from=today
        )


def _validate_scope(scope: Iterable[Organisation]) -> list[Organisation]:
    organisations = list(scope)
    if not organisations:
        raise ValidationError({"scope": _("Name at least one organisation whose data the client may reach.")})
    inactive = [o.name for o in organisations if not o.is_active]
    if inactive:
        raise ValidationError(
            {"scope": _("These organisations are not active: %(names)s.") % {"names": ", ".join(inactive)}}
        )
    return organisations


@transaction.atomic
def api_client_create(
    *,
    name: str,
    organisation: Organisation,
    scope: Iterable[Organisation],
    access: str = ClientAccess.READ,
    contact_name: str = "",
    contact_email: str = "",
) -> IssuedSecret:
    """A new client with its service user, memberships and first secret (returned in clear, once)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the client a name.")})
    if access not in ClientAccess.values:
        raise ValidationError({"access": _("Choose read or read and write.")})
    if ApiClient.objects.filter(name=name).exists():
        raise ValidationError({"name": _("There is already an API client with this name.")})
    organisations = _validate_scope(scope)
    client_id = CLIENT_ID_PREFIX + secrets.token_hex(12)
    user = User(username=f"api-client-{client_id}", first_name=name[:150], is_active=True)
    user.set_unusable_password()
    user.save()
    client = ApiClient.objects.create(
        name=name,
        organisation=organisation,
        access=access,
        contact_name=contact_name,
        contact_email=contact_email,
        client_id=client_id,
        service_user=user,
    )
    client.scope_organisations.set(organisations)
    _sync_memberships(client)
    return IssuedSecret(client=client, secret=_new_secret(client))


@transaction.atomic
def api_client_update(
    *,
    client: ApiClient,
    scope: Iterable[Organisation] | None = None,
    access: str | None = None,
    contact_name: str | None = None,
    contact_email: str | None = None,
) -> ApiClient:
    """Change scope, access or contact; the service user's memberships follow the scope at once."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.is_revoked:
        raise ValidationError(_("The API client is revoked."))
    if access is not None:
        if access not in ClientAccess.values:
            raise ValidationError({"access": _("Choose read or read and write.")})
        client.access = access
    if contact_name is not None:
        client.contact_name = contact_name
    if contact_email is not None:
        client.contact_email = contact_email
    client.save()
    if scope is not None:
        client.scope_organisations.set(_validate_scope(scope))
    _sync_memberships(client)
    if access is not None and client.read_only:
        # A token asked for under read and write must not outlive the client's write access.
        ClientToken.objects.filter(client=client, access=ClientAccess.READ_WRITE).delete()
    return client


def grace_period() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.API_CLIENT_SECRET_GRACE_HOURS)


@transaction.atomic
def api_client_rotate(*, client: ApiClient, grace: datetime.timedelta | None = None) -> IssuedSecret:
    """A new secret; the ones before it stay valid for the grace period, so the client can switch over."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.is_revoked:
        raise ValidationError(_("The API client is revoked."))
    until = timezone.now() + (grace if grace is not None else grace_period())
    ClientSecret.objects.filter(client=client, expires_at__isnull=True).update(expires_at=until)
    ClientSecret.objects.filter(client=client, expires_at__gt=until).update(expires_at=until)
    return IssuedSecret(client=client, secret=_new_secret(client))


@transaction.atomic
def api_client_revoke(*, client: ApiClient) -> ApiClient:
    """Stop the client at once: its secrets, tokens and memberships end; the history stays."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.is_revoked:
        return client
    now = timezone.now()
    client.revoked_at = now
    client.save(update_fields=["revoked_at", "updated_at"])
    ClientSecret.objects.filter(client=client).valid(now).update(expires_at=now)
    ClientToken.objects.filter(client=client).delete()
    WebhookSubscription.objects.filter(client=client).update(is_active=False)
    _sync_memberships(client)
    User.objects.filter(pk=client.service_user_id).update(is_active=False)
    return client


class InvalidClientError(Exception):
    """Unknown client, wrong secret, or a revoked client (RFC 6749 ``invalid_client``)."""


class InvalidScopeError(Exception):
    """The client asked for more than its scope (RFC 6749 ``invalid_scope``)."""


def scope_string(access: str) -> str:
    return f"{SCOPE_READ} {SCOPE_WRITE}" if access == ClientAccess.READ_WRITE else SCOPE_READ


def _access_for(requested: str | None, client: ApiClient) -> str:
    if not requested:
        return client.access
    wanted = set(requested.split())
    if not wanted <= {SCOPE_READ, SCOPE_WRITE}:
        raise InvalidScopeError
    if SCOPE_WRITE in wanted:
        if client.read_only:
            raise InvalidScopeError
        return ClientAccess.READ_WRITE
    return ClientAccess.READ


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int
    scope: str


def client_authenticate(*, client_id: str, client_secret: str) -> ApiClient:
    """The client whose id and (current, or rotated but within grace) secret these are."""
    client = ApiClient.objects.filter(client_id=client_id, revoked_at__isnull=True).first()
    digest = hash_secret(client_secret)
    secret = (
        ClientSecret.objects.valid().filter(client=client, secret_hash=digest).first()
        if client is not None
        else None
    )
    # Compared once more in constant time: the lookup above is by hash, this keeps the check explicit.
    if secret is None or not hmac.compare_digest(secret.secret_hash, digest):
        raise InvalidClientError
    return client  # type: ignore[return-value]  # ``secret`` found implies ``client``


def client_token_issue(*, client: ApiClient, scope: str | None = None) -> IssuedToken:
    """A short-lived bearer access token (OAuth2 client credentials grant, RFC 6749 §4.4)."""
    access = _access_for(scope, client)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    lifetime = settings.API_CLIENT_TOKEN_LIFETIME_SECONDS
    now = timezone.now()
    ClientToken.objects.create(
        client=client,
        key_hash=hash_secret(raw),
        prefix=raw[:12],
        access=access,
        expires_at=now + datetime.timedelta(seconds=lifetime),
    )
    ClientToken.objects.filter(client=client, expires_at__lt=now - datetime.timedelta(days=1)).delete()
    return IssuedToken(token=raw, expires_in=lifetime, scope=scope_string(access))


def client_touch(*, client: ApiClient, now: datetime.datetime) -> None:
    if client.last_used_at is None or now - client.last_used_at > LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now


# --- Webhook subscriptions ---------------------------------------------------------------------------


def _validate_events(events: Iterable[str]) -> list[str]:
    chosen = sorted(set(events))
    unknown = [e for e in chosen if e not in WebhookEventKind.values]
    if not chosen or unknown:
        raise ValidationError(
            {"events": _("Choose one or more of: %(kinds)s.") % {"kinds": ", ".join(WebhookEventKind.values)}}
        )
    return chosen


@transaction.atomic
def subscription_create(*, client: ApiClient, url: str, events: Iterable[str]) -> WebhookSubscription:
    from .webhooks import validate_url

    validate_url(url)
    return WebhookSubscription.objects.create(
        client=client,
        url=url,
        events=_validate_events(events),
        secret="whsec_" + secrets.token_urlsafe(32),
    )


@transaction.atomic
def subscription_update(
    *,
    subscription: WebhookSubscription,
    url: str | None = None,
    events: Iterable[str] | None = None,
    is_active: bool | None = None,
) -> WebhookSubscription:
    from .webhooks import validate_url

    if url is not None:
        validate_url(url)
        subscription.url = url
    if events is not None:
        subscription.events = _validate_events(events)
    if is_active is not None:
        subscription.is_active = is_active
    subscription.save()
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: WebhookSubscription) -> None:
    subscription.delete()


# --- Webhook deliveries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryOutcome:
    status: str
    retry_in: float | None = None


def retry_delay(attempt: int) -> float:
    """Exponential backoff after the ``attempt``-th failure, capped."""
    base = float(settings.WEBHOOK_RETRY_BASE_SECONDS)
    delay: float = min(base * (2 ** max(attempt - 1, 0)), float(settings.WEBHOOK_RETRY_MAX_SECONDS))
    return delay


def delivery_attempt(*, delivery_id: int) -> DeliveryOutcome:
    """Post one delivery once and record the attempt. Safe to call twice at once (claimed first).

    The claim is a conditional update, so a redelivered task message or the requeue sweep never posts a
    delivery that another worker is posting; a delivered or failed delivery is never posted again.
    """
    import json

    from django.db.models import F, Q

    from . import webhooks
    from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery

    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            claimed_until=now + datetime.timedelta(seconds=timeout + 30),
            attempt_count=F("attempt_count") + 1,
        )
    )
    if not claimed:
        current = WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        return DeliveryOutcome(status=str(current or "missing"))
    delivery = WebhookDelivery.objects.select_related("subscription", "subscription__client").get(
        pk=delivery_id
    )
    subscription = delivery.subscription
    if not subscription.is_active or subscription.client.is_revoked:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED, claimed_until=None, attempt_count=F("attempt_count") - 1
        )
        return DeliveryOutcome(status=DeliveryStatus.FAILED)
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(time.time())
    result = webhooks.post(
        url=subscription.url,
        body=body,
        headers={
            "Content-Type": "application/json",
            "User-Agent": "hemsjukvard-webhooks/1",
            webhooks.SIGNATURE_HEADER: webhooks.signature_header(subscription.secret, timestamp, body),
            webhooks.EVENT_HEADER: delivery.kind,
            webhooks.DELIVERY_HEADER: str(delivery.public_id),
        },
        timeout=timeout,
    )
    number = delivery.attempt_count
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            status_code=result.status_code,
            response_excerpt=result.excerpt,
            error=result.error,
            duration_ms=result.duration_ms,
        )
        done = timezone.now()
        if result.succeeded:
            WebhookDelivery.objects.filter(pk=delivery_id).update(
                status=DeliveryStatus.DELIVERED, delivered_at=done, claimed_until=None, next_attempt_at=None
            )
            return DeliveryOutcome(status=DeliveryStatus.DELIVERED)
        if number >= settings.WEBHOOK_MAX_ATTEMPTS:
            WebhookDelivery.objects.filter(pk=delivery_id).update(
                status=DeliveryStatus.FAILED, claimed_until=None, next_attempt_at=None
            )
            return DeliveryOutcome(status=DeliveryStatus.FAILED)
        delay = retry_delay(number)
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            claimed_until=None, next_attempt_at=done + datetime.timedelta(seconds=delay)
        )
    return DeliveryOutcome(status=DeliveryStatus.PENDING, retry_in=delay)


def deliveries_overdue(*, now: datetime.datetime, slack: datetime.timedelta) -> list[int]:
    """Pending deliveries whose retry should have run long ago (a worker died before scheduling it)."""
    from django.db.models import Q

    from .models import DeliveryStatus, WebhookDelivery

    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lt=now - slack)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )


def api_client_snapshot(client: ApiClient) -> dict[str, Any]:
    """What the record says about a client, for the administration's change log (never a secret)."""
    return {
        "name": client.name,
        "client_id": client.client_id,
        "organisation": jsonable(client.organisation),
        "access": client.access,
        "contact_name": client.contact_name,
        "contact_email": client.contact_email,
        "scope": jsonable(client.scope_organisations.all()) if client.pk else [],
        "revoked_at": jsonable(client.revoked_at),
    }
