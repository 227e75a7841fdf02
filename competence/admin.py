"""The registers in the admin site: read-only lists (changes go through the pages and the API, which
check who may record and leave a register event)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CompetenceTransfer, Delegation, RegisterEvent, ReReview


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CompetenceTransfer)
class CompetenceTransferAdmin(_ReadOnly):
    list_display = ("task_type", "receiving_unit", "training_unit", "trained_on", "valid_until", "revoked_at")
    list_filter = ("task_type", "receiving_unit")


@admin.register(Delegation)
class DelegationAdmin(_ReadOnly):
    list_display = (
        "task_type",
        "delegated_by",
        "receiver_name",
        "receiver_organisation",
        "valid_until",
        "revoked_at",
    )
    list_filter = ("task_type", "delegating_organisation")


@admin.register(ReReview)
class ReReviewAdmin(_ReadOnly):
    list_display = ("case", "source", "due_on", "reminded_at", "done_at")


@admin.register(RegisterEvent)
class RegisterEventAdmin(_ReadOnly):
    list_display = ("at", "action", "user", "organisation", "transfer", "delegation")
