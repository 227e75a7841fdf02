"""Admin for API clients: create and rotate (the new secret is shown once), revoke; webhooks read-only.

A client is created through ``services.api_client_create`` (service user, memberships, first secret),
never by saving the form's model directly, so the admin and the management command make the same thing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    form = ApiClientForm
    list_display = ["name", "organisation", "access", "client_id", "last_used_at", "revoked_at"]
    list_filter = ["access", "organisation"]
    search_fields = ["name", "client_id", "contact_name", "contact_email"]
    autocomplete_fields = ["organisation", "scope_organisations"]
    readonly_fields = ["client_id", "service_user", "last_used_at", "revoked_at", "created_at"]
    inlines = [ClientSecretInline]
    actions = ["rotate_secret", "revoke"]

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
                services.api_client_update(
                    client=obj,
                    scope=scope,
                    access=obj.access,
                    contact_name=obj.contact_name,
                    contact_email=obj.contact_email,
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
                _show_secret(request, issued)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The scope was saved by the service (with the memberships that follow it).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Rotate the secret (the old one stays valid for the grace period)"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            try:
                _show_secret(request, services.api_client_rotate(client=client))
            except ValidationError as exc:
                messages.error(request, f"{client}: {' '.join(exc.messages)}")

    @admin.action(description=_("Revoke (stops the client at once)"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            services.api_client_revoke(client=client)
        messages.success(request, _("Revoked."))


class WebhookAttemptInline(admin.TabularInline[WebhookAttempt, WebhookDelivery]):
    model = WebhookAttempt
    extra = 0
    fields = readonly_fields = ("number", "at", "status_code", "error", "response_excerpt", "duration_ms")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin[WebhookSubscription]):
    list_display = ["client", "url", "is_active", "created_at"]
    list_filter = ["is_active", "client"]
    fields = ["client", "url", "events", "is_active", "created_at", "updated_at"]
    readonly_fields = ["client", "url", "events", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the client subscribes itself, through the API


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
