"""The law's hard rules in the admin: when each is in force and what it cites (``agreements.hard_rules``).

National law binds every region alike, so only a superuser (the system's owner, acting on a changed
statute) changes these; region administrators read them. The rows are not agreement content, so they are
written here directly, not through the agreement services; Django's admin log records who changed what.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ..models import HardRule


@admin.register(HardRule)
class HardRuleAdmin(admin.ModelAdmin[HardRule]):
    list_display = ["code", "citation", "valid_from", "valid_to", "fallback_citation"]
    list_filter = ["code"]
    fields = ["code", "citation", "statement", "fallback_citation", ("valid_from", "valid_to")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: HardRule | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: HardRule | None = None) -> bool:
        return bool(request.user.is_superuser)
