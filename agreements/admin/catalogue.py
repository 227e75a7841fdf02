"""The shared catalogue of care task types in the admin: region administrators change it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from .. import services
from ..models import CareTaskType
from .writing import ThroughServices, acting, form_changes, is_region_admin


@admin.register(CareTaskType)
class CareTaskTypeAdmin(ThroughServices, admin.ModelAdmin[CareTaskType]):
    list_display = ["code", "name_sv", "name_en", "kind", "care_level", "is_active"]
    list_filter = ["kind", "care_level", "is_active"]
    search_fields = ["code", "name_sv", "name_en", "plain_name_sv"]
    ordering = ["kind", "code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and is_region_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: CareTaskType | None = None) -> bool:
        return super().has_change_permission(request, obj) and is_region_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: CareTaskType | None = None) -> bool:
        return super().has_delete_permission(request, obj) and is_region_admin(request)

    def save_model(self, request: HttpRequest, obj: CareTaskType, form: Any, change: bool) -> None:
        if change:
            services.care_task_type_change(actor=acting(request), task_type=obj, changes=form_changes(form))
        else:
            services.care_task_type_create(actor=acting(request), task_type=obj)

    def delete_model(self, request: HttpRequest, obj: CareTaskType) -> None:
        services.care_task_type_delete(actor=acting(request), task_type=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CareTaskType]) -> None:
        with transaction.atomic():
            for task_type in queryset:
                services.care_task_type_delete(actor=acting(request), task_type=task_type)
