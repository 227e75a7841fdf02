"""The administrators' authenticator apps in the admin: a superuser sees and removes them, nothing more.

django-otp's own admin would let anyone with its permissions add a device and read its key; here a
device is enrolled only on the server (``manage.py totp_enrol``), its key is never shown, and a removal
is an ``AdminEvent`` (``identity.totp``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from directory.admin import ScopedAdmin
from directory.administration import AdminScope

from .totp import totp_remove

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TotpDeviceAdmin(ScopedAdmin[TOTPDevice]):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__last_name"]
    fields = readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")

    def visible(self, scope: AdminScope) -> QuerySet[Any]:
        result: QuerySet[Any] = TOTPDevice.objects.all() if scope.superuser else TOTPDevice.objects.none()
        return result

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        totp_remove(device=obj, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for device in queryset.select_related("user"):
                totp_remove(device=device, request=request)
