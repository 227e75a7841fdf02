"""Responsibility rules one by one in the admin, and the short words the rule tables use."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.models import Role

from .. import services
from ..choices import AgreementStatus, EnrolmentRequirement, PartyRef
from ..models import AgreementVersion, ResponsibilityRule, Section
from ..policies import version_is_editable
from .writing import ThroughServices, acting, actor_of, form_changes, is_region_admin, may_change


def applies_to(rule: ResponsibilityRule) -> str:
    parts = []
    if rule.housing_setting:
        parts.append(str(rule.get_housing_setting_display()))
    if rule.enrolment_requirement != EnrolmentRequirement.ANY:
        parts.append(str(rule.get_enrolment_requirement_display()).lower())
    return ", ".join(parts) or gettext("all covered")


# Short names for the table; the form shows the full explanation of each party.
_PARTY_SHORT = {
    PartyRef.LISTED_VARDCENTRAL: _("listed vårdcentral"),
    PartyRef.ENROLMENT_KOMMUN: _("kommun of enrolment"),
    PartyRef.CASE_SPECIALIST_CLINIC: _("specialist clinic on the case"),
    PartyRef.SPECIALIST_OR_VARDCENTRAL: _("specialist clinic on the case, else listed vårdcentral"),
    PartyRef.MOBILE_TEAM: _("mobile team"),
    PartyRef.REGION: _("the region"),
}


def party_label(rule: ResponsibilityRule, role: str) -> str:
    party = getattr(rule, f"{role}_party")
    organisation = getattr(rule, f"{role}_organisation")
    if party == PartyRef.ORGANISATION:
        return str(organisation.name) if organisation is not None else "?"
    label = str(_PARTY_SHORT.get(party, party))
    if organisation is None:
        return label
    return gettext("%(party)s (else %(name)s)") % {"party": label, "name": organisation.name}


def conditions_label(rule: ResponsibilityRule) -> str:
    parts = []
    if rule.risk_analysis_required:
        approver = f" ({rule.get_approver_role_display()})" if rule.approver_role else ""
        parts.append(gettext("risk analysis") + approver)
    if rule.specialist_active_role_required:
        parts.append(gettext("specialist active role"))
    if rule.training_required:
        parts.append(gettext("training"))
    if rule.contact_24_7_required:
        parts.append(gettext("24/7 contact path"))
    if rule.delegation_allowed:
        parts.append(gettext("delegation allowed"))
    if rule.max_duration_days:
        parts.append(gettext("re-review after %(days)d days") % {"days": rule.max_duration_days})
    if rule.note:
        parts.append(rule.note)
    return "; ".join(parts) or "–"


# --- Rules one by one ------------------------------------------------------------------------------


def _section_choice_label(section: Section) -> str:
    version = section.version
    return f"{version.agreement.code} {version.version} – § {section.number} {section.heading}"


class ResponsibilityRuleForm(forms.ModelForm[ResponsibilityRule]):
    class Meta:
        model = ResponsibilityRule
        fields = [
            "version",
            "task_type",
            "housing_setting",
            "enrolment_requirement",
            "orders_party",
            "orders_organisation",
            "performs_party",
            "performs_organisation",
            "follows_up_party",
            "follows_up_organisation",
            "risk_analysis_required",
            "approver_role",
            "specialist_active_role_required",
            "training_required",
            "contact_24_7_required",
            "delegation_allowed",
            "max_duration_days",
            "note",
            "section",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("section")
        if isinstance(field, forms.ModelChoiceField):
            version_id = self.instance.version_id or self.initial.get("version")
            sections = Section.objects.select_related("version__agreement").order_by("version_id", "position")
            if version_id:
                sections = sections.filter(version_id=version_id)
            else:
                sections = sections.filter(version__status=AgreementStatus.DRAFT)
            field.queryset = sections
            field.label_from_instance = _section_choice_label  # type: ignore[method-assign, assignment]


@admin.register(ResponsibilityRule)
class ResponsibilityRuleAdmin(ThroughServices, admin.ModelAdmin[ResponsibilityRule]):
    form = ResponsibilityRuleForm
    list_display = [
        "task_type",
        "version",
        "applies_to",
        "orders",
        "performs",
        "follows_up",
        "conditions",
        "section",
    ]
    list_filter = ["version__agreement", "version__status", "task_type__kind", "housing_setting"]
    search_fields = ["task_type__code", "task_type__name_sv", "note"]
    autocomplete_fields = ["task_type"]
    fieldsets = [
        (
            _("Which task, for whom"),
            {"fields": ["version", "task_type", "housing_setting", "enrolment_requirement"]},
        ),
        (
            _("Who is responsible"),
            {
                "fields": [
                    ("orders_party", "orders_organisation"),
                    ("performs_party", "performs_organisation"),
                    ("follows_up_party", "follows_up_organisation"),
                ],
                "description": _(
                    "Name parties by their relation to the patient. An organisation is needed only "
                    "for “a named organisation”, and may be given as the default specialist clinic "
                    "or a particular mobile team."
                ),
            },
        ),
        (
            _("Conditions"),
            {
                "fields": [
                    ("risk_analysis_required", "approver_role"),
                    "specialist_active_role_required",
                    "training_required",
                    "contact_24_7_required",
                    "delegation_allowed",
                    "max_duration_days",
                ]
            },
        ),
        (_("Citation"), {"fields": ["section", "note"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ResponsibilityRule]:
        return (
            super()
            .get_queryset(request)
            .select_related(
                "version__agreement",
                "task_type",
                "section",
                "orders_organisation",
                "performs_organisation",
                "follows_up_organisation",
            )
        )

    @admin.display(description=_("applies to"))
    def applies_to(self, obj: ResponsibilityRule) -> str:
        return applies_to(obj)

    @admin.display(description=_("orders"))
    def orders(self, obj: ResponsibilityRule) -> str:
        return party_label(obj, "orders")

    @admin.display(description=_("performs"))
    def performs(self, obj: ResponsibilityRule) -> str:
        return party_label(obj, "performs")

    @admin.display(description=_("follows up"))
    def follows_up(self, obj: ResponsibilityRule) -> str:
        return party_label(obj, "follows_up")

    @admin.display(description=_("conditions"))
    def conditions(self, obj: ResponsibilityRule) -> str:
        return conditions_label(obj)

    def _editable(self, request: HttpRequest, obj: ResponsibilityRule | None) -> bool:
        return obj is None or (
            version_is_editable(obj.version) and may_change(request, obj.version.agreement)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and is_region_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: ResponsibilityRule | None = None) -> bool:
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ResponsibilityRule | None = None) -> bool:
        return self._editable(request, obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "version":
            drafts = AgreementVersion.objects.filter(status=AgreementStatus.DRAFT)
            if not request.user.is_superuser:
                actor = actor_of(request)
                regions = actor.organisation_ids(Role.ADMIN) if actor is not None else frozenset()
                drafts = drafts.filter(agreement__region_id__in=regions)
            kwargs["queryset"] = drafts.select_related("agreement")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: ResponsibilityRule | None = None) -> Any:
        # A rule never moves to another version (the service refuses it too).
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "version"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: ResponsibilityRule, form: Any, change: bool) -> None:
        if change:
            services.rule_change(actor=acting(request), rule=obj, changes=form_changes(form))
        else:
            services.rule_create(actor=acting(request), rule=obj)

    def delete_model(self, request: HttpRequest, obj: ResponsibilityRule) -> None:
        services.rule_delete(actor=acting(request), rule=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ResponsibilityRule]) -> None:
        with transaction.atomic():
            for rule in queryset:
                services.rule_delete(actor=acting(request), rule=rule)
