"""Admin for API clients: create and rotate (the new secret is shown once), revoke; webhooks read-only.

A client is created through ``services.api_client_create`` (service user, memberships, first secret),
never by saving the form's model directly, so the admin and the management command make the same thing.

A client's secret reads the patients of every organisation in its scope, so creating a client, changing
it and rotating its secret are a superuser's. An organisation administrator sees the clients their
organisations own and may revoke them (stopping a client only ever takes access away). Every change is an
``AdminEvent`` (``directory.administration``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from directory.admin import ScopedAdmin
from directory.administration import AdminScope, admin_event_record, admin_scope, snapshot_diff
from directory.models import AdminEventAction

from . import services
from .models import ApiClient, ClientSecret, WebhookAttempt, WebhookDelivery, WebhookSubscription


def _show_secret(request: HttpRequest, issued: services.IssuedSecret) -> None:
    messages.warning(
        request,
        format_html(
            "{}<br>client_id: <code>{}</code><br>client_secret: <code>{}</code>",
            _("Copy the secret now: it is not stored and will not be shown again."),
            issued.client.client_id,
            issued.secret,
        ),
    )


def _record(request: HttpRequest, client: ApiClient, action: str, changes: dict[str, Any]) -> None:
    admin_event_record(
        request=request,
        action=action,
        target=client,
        organisation=client.organisation,
        changes=changes,
        object_type="api_client",
    )


class ClientSecretInline(admin.TabularInline[ClientSecret, ApiClient]):
    model = ClientSecret
    extra = 0
    fields = readonly_fields = ("prefix", "created_at", "expires_at")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApiClientForm(forms.ModelForm[ApiClient]):
    class Meta:
        model = ApiClient
        fields = ["name", "organisation", "contact_name", "contact_email", "access", "scope_organisations"]


@admin.register(ApiClient)
class ApiClientAdmin(ScopedAdmin[ApiClient]):
    form = ApiClientForm
    list_display = ["name", "organisation", "access", "client_id", "last_used_at", "revoked_at"]
    list_filter = ["access", "organisation"]
    search_fields = ["name", "client_id", "contact_name", "contact_email"]
    autocomplete_fields = ["organisation", "scope_organisations"]
    readonly_fields = ["client_id", "service_user", "last_used_at", "revoked_at", "created_at"]
    inlines = [ClientSecretInline]
    actions = ["rotate_secret", "revoke"]

    def visible(self, scope: AdminScope) -> QuerySet[ApiClient]:
        return ApiClient.objects.filter(organisation_id__in=scope.organisation_ids)

    def has_rotate_permission(self, request: HttpRequest) -> bool:
        return admin_scope(request).superuser

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return super().has_change_permission(request) and self._in_administration(admin_scope(request))

    def get_readonly_fields(self, request: HttpRequest, obj: ApiClient | None = None) -> Any:
        if obj is not None:
            return [*self.readonly_fields, "name"]
        return self.readonly_fields

    def get_fields(self, request: HttpRequest, obj: ApiClient | None = None) -> Any:
        fields = ["name", "organisation", "contact_name", "contact_email", "access", "scope_organisations"]
        return fields if obj is None else [*fields, "client_id", "service_user", "last_used_at", "revoked_at"]

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        scope = list(form.cleaned_data["scope_organisations"])
        try:
            if change:
                before = services.api_client_snapshot(ApiClient.objects.get(pk=obj.pk))
                services.api_client_update(
                    client=obj,
                    scope=scope,
                    access=obj.access,
                    contact_name=obj.contact_name,
                    contact_email=obj.contact_email,
                )
                obj.refresh_from_db()
                _record(
                    request,
                    obj,
                    AdminEventAction.CHANGED,
                    snapshot_diff(before, services.api_client_snapshot(obj)),
                )
            else:
                issued = services.api_client_create(
                    name=obj.name,
                    organisation=obj.organisation,
                    scope=scope,
                    access=obj.access,
                    contact_name=obj.contact_name,
                    contact_email=obj.contact_email,
                )
                form.instance = obj = issued.client
                _record(
                    request,
                    obj,
                    AdminEventAction.CREATED,
                    {name: [None, value] for name, value in services.api_client_snapshot(obj).items()},
                )
                _show_secret(request, issued)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The scope was saved by the service (with the memberships that follow it).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(
        description=_("Rotate the secret (the old one stays valid for the grace period)"),
        permissions=["rotate"],
    )
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            try:
                with transaction.atomic():  # the new secret and its record, or neither
                    issued = services.api_client_rotate(client=client)
                    _record(request, client, AdminEventAction.SECRET_ROTATED, {})
            except ValidationError as exc:
                messages.error(request, f"{client}: {' '.join(exc.messages)}")
            else:
                _show_secret(request, issued)

    @admin.action(description=_("Revoke (stops the client at once)"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            if client.is_revoked:
                continue
            before = services.api_client_snapshot(client)
            with transaction.atomic():
                client = services.api_client_revoke(client=client)
                changes = snapshot_diff(before, services.api_client_snapshot(client))
                _record(request, client, AdminEventAction.REVOKED, changes)
        messages.success(request, _("Revoked."))

    def delete_model(self, request: HttpRequest, obj: ApiClient) -> None:
        self._record_deletions(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        with transaction.atomic():
            self._record_deletions(request, list(queryset))
            super().delete_queryset(request, queryset)

    def _record_deletions(self, request: HttpRequest, clients: list[ApiClient]) -> None:
        for client in clients:
            snapshot = services.api_client_snapshot(client)
            _record(request, client, AdminEventAction.DELETED, {k: [v, None] for k, v in snapshot.items()})


class WebhookAttemptInline(admin.TabularInline[WebhookAttempt, WebhookDelivery]):
    model = WebhookAttempt
    extra = 0
    fields = readonly_fields = ("number", "at", "status_code", "error", "response_excerpt", "duration_ms")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ScopedAdmin[WebhookSubscription]):
    list_display = ["client", "url", "is_active", "created_at"]
    list_filter = ["is_active", "client"]
    fields = ["client", "url", "events", "is_active", "created_at", "updated_at"]
    readonly_fields = ["client", "url", "events", "created_at", "updated_at"]

    def visible(self, scope: AdminScope) -> QuerySet[WebhookSubscription]:
        return WebhookSubscription.objects.filter(client__organisation_id__in=scope.organisation_ids)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the client subscribes itself, through the API


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ScopedAdmin[WebhookDelivery]):
    """The superuser's: a delivery's payload is what was sent, which may name a patient."""

    list_display = [
        "event_id",
        "kind",
        "subscription",
        "status",
        "attempt_count",
        "created_at",
        "delivered_at",
    ]
    list_filter = ["status", "kind"]
    fields = readonly_fields = (
        "subscription",
        "event_id",
        "kind",
        "status",
        "payload",
        "attempt_count",
        "created_at",
        "next_attempt_at",
        "delivered_at",
    )
    inlines = [WebhookAttemptInline]

    def visible(self, scope: AdminScope) -> QuerySet[WebhookDelivery]:
        return WebhookDelivery.objects.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin_scope(request).superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_scope(request).superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
