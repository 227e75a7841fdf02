"""Agreements and their versions in the admin: a version's parts edited in rows while it is a draft, its
rules as a readable table, and the actions that put a draft in force or copy a version into a new draft."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.actor import Actor
from directory.models import Organisation
from hemsjukvard.errors import StateConflictError
from patients.models import HousingSetting

from .. import services
from ..choices import AgreementStatus
from ..models import (
    VERSION_SETTING_FIELDS,
    Agreement,
    AgreementEvent,
    AgreementVersion,
    EscalationLevel,
    LegalReference,
    ResponsibilityRule,
    Section,
)
from ..policies import version_is_editable
from .rules import applies_to, conditions_label, party_label
from .writing import (
    ThroughServices,
    acting,
    administered_regions,
    form_changes,
    is_region_admin,
    may_change,
    refusal,
    save_parts,
)


class AgreementVersionLinkInline(admin.TabularInline[AgreementVersion, Agreement]):
    model = AgreementVersion
    fields = ["version", "title", "status", "valid_from", "valid_to"]
    readonly_fields = ["version", "title", "status", "valid_from", "valid_to"]
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = _("versions (open one to see and edit its rules)")

    def has_add_permission(self, request: HttpRequest, obj: Agreement | None = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(ThroughServices, admin.ModelAdmin[Agreement]):
    list_display = ["code", "current_title", "scope", "region", "local_kommun", "local_vardcentral"]
    list_filter = ["scope", "region"]
    search_fields = ["code", "versions__title"]
    inlines = [AgreementVersionLinkInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agreement]:
        return (
            super()
            .get_queryset(request)
            .select_related("region", "local_kommun", "local_vardcentral")
            .distinct()
        )

    @admin.display(description=_("title"))
    def current_title(self, obj: Agreement) -> str:
        version = obj.versions.exclude(status=AgreementStatus.DRAFT).order_by("-valid_from").first()
        version = version or obj.versions.order_by("-pk").first()
        return version.title if version is not None else "–"

    def get_readonly_fields(self, request: HttpRequest, obj: Agreement | None = None) -> list[str]:
        # What an agreement binds cannot change once it has versions: make a new agreement instead.
        if obj is not None and obj.versions.exists():
            return ["region", "code", "scope", "local_kommun", "local_vardcentral"]
        return []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and is_region_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Agreement | None = None) -> bool:
        return super().has_change_permission(request, obj) and may_change(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        regions = administered_regions(request)
        if db_field.name == "region" and regions is not None:
            kwargs["queryset"] = Organisation.objects.filter(pk__in=regions)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Agreement | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Agreement, form: Any, change: bool) -> None:
        if change:
            services.agreement_change(actor=acting(request), agreement=obj, changes=form_changes(form))
        else:
            services.agreement_create(actor=acting(request), agreement=obj)


# --- Versions, with their sections, references, ladder and rules -----------------------------------


class _DraftOnlyInline:
    """Inline rows of a version can be added, changed and deleted only while the version is a draft."""

    def _editable(self, request: HttpRequest, obj: AgreementVersion | None) -> bool:
        return obj is None or (version_is_editable(obj) and may_change(request, obj.agreement))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj) and super().has_add_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(request, obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class SectionInline(_DraftOnlyInline, admin.StackedInline[Section, AgreementVersion]):
    model = Section
    fields = [("number", "position"), "heading", "text"]
    extra = 0
    classes = ["collapse"]


class LegalReferenceInline(_DraftOnlyInline, admin.TabularInline[LegalReference, AgreementVersion]):
    model = LegalReference
    fields = ["law", "chapter", "paragraph", "valid_from", "section", "note"]
    extra = 0

    def get_formset(self, request: HttpRequest, obj: AgreementVersion | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("section")
        if field is not None and obj is not None:
            field.queryset = Section.objects.filter(version=obj)  # type: ignore[attr-defined]
        return formset


class EscalationLevelInline(_DraftOnlyInline, admin.TabularInline[EscalationLevel, AgreementVersion]):
    model = EscalationLevel
    fields = ["level", "body_ref", "body", "deadline_days", "urgent_deadline_days", "binding", "identity"]
    extra = 0


class ResponsibilityRuleInline(_DraftOnlyInline, admin.TabularInline[ResponsibilityRule, AgreementVersion]):
    """The rules as editable rows; the conditions are edited in the full form (the pencil link)."""

    model = ResponsibilityRule
    fields = [
        "task_type",
        "housing_setting",
        "enrolment_requirement",
        "orders_party",
        "orders_organisation",
        "performs_party",
        "performs_organisation",
        "follows_up_party",
        "follows_up_organisation",
        "section",
    ]
    autocomplete_fields = ["task_type"]
    extra = 0
    show_change_link = True
    verbose_name_plural = _("responsibility rules (conditions: open the rule)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ResponsibilityRule]:
        return (
            super()
            .get_queryset(request)
            .select_related("task_type", "section")
            .order_by("task_type__kind", "task_type__code", "housing_setting", "pk")
        )

    def get_formset(self, request: HttpRequest, obj: AgreementVersion | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("section")
        if field is not None and obj is not None:
            field.queryset = Section.objects.filter(version=obj)  # type: ignore[attr-defined]
        return formset


class AgreementVersionForm(forms.ModelForm[AgreementVersion]):
    covered_housing_settings = forms.MultipleChoiceField(
        label=capfirst(_("housing settings covered")),
        choices=HousingSetting.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "For a patient in any other setting the agreement proposes nothing and the task is unclear."
        ),
    )

    class Meta:
        model = AgreementVersion
        fields = [
            "agreement",
            "version",
            "title",
            "valid_from",
            "valid_to",
            "kommuner",
            "covered_housing_settings",
            "threshold_section",
            "deadline_day_kind",
            "review_deadline_days",
            "approval_deadline_days",
            "urgent_review_deadline_days",
            "urgent_approval_deadline_days",
            "auto_escalate_unanswered_review",
            *VERSION_SETTING_FIELDS,
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("threshold_section")
        if field is not None:
            version_id = self.instance.pk
            field.queryset = Section.objects.filter(version_id=version_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        agreement = cleaned.get("agreement") or getattr(self.instance, "agreement", None)
        kommuner = cleaned.get("kommuner")
        if agreement is not None and kommuner is not None:
            probe = AgreementVersion(agreement=agreement)
            try:
                services.agreement_parties_check(version=probe, kommuner=list(kommuner))
            except ValidationError as exc:
                self.add_error("kommuner", exc.message_dict.get("kommuner", exc.messages))
        return cleaned


@admin.register(AgreementVersion)
class AgreementVersionAdmin(ThroughServices, admin.ModelAdmin[AgreementVersion]):
    form = AgreementVersionForm
    list_display = ["title", "version", "agreement", "status", "valid_from", "valid_to", "rule_count"]
    list_filter = ["status", "agreement__scope", "agreement__region"]
    search_fields = ["title", "version", "agreement__code"]
    filter_horizontal = ["kommuner"]
    readonly_fields = ["status", "supersedes", "source_name", "rules_table", "housing_settings_covered"]
    actions = ["put_in_force", "new_draft"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "agreement",
                    ("version", "status"),
                    "title",
                    ("valid_from", "valid_to"),
                    "kommuner",
                    "covered_housing_settings",
                    "threshold_section",
                ]
            },
        ),
        (
            _("Deadlines"),
            {
                "fields": [
                    "deadline_day_kind",
                    ("review_deadline_days", "approval_deadline_days"),
                    ("urgent_review_deadline_days", "urgent_approval_deadline_days"),
                    "auto_escalate_unanswered_review",
                ]
            },
        ),
        (
            _("Settings the law leaves to the agreement"),
            {
                "fields": [
                    "threshold_principle",
                    "threshold_specialised_performer",
                    "cases_before_enrolment",
                    ("mar_required_from", "mar_required_citation"),
                    ("home_care_term", "home_care_term_from"),
                ],
                "description": _(
                    "Tröskelprincipen is an agreement principle (HSL 12 kap. 2 §, 14 kap. 1 §); the MAR "
                    "requirement and the term “hälso- och sjukvård i hemmet” come from prop. 2025/26:19 "
                    "and are the agreement's to check against the enacted text. See agreements/README.md."
                ),
            },
        ),
        (_("Rules at a glance"), {"fields": ["rules_table"]}),
        (_("History"), {"fields": ["supersedes", "source_name"], "classes": ["collapse"]}),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: AgreementVersion | None = None) -> Any:
        fieldsets = []
        for name, options in self.fieldsets:
            fields = list(options["fields"])
            if obj is not None and not self.has_change_permission(request, obj):
                fields = [
                    "housing_settings_covered" if f == "covered_housing_settings" else f for f in fields
                ]
            if obj is None:
                fields = [f for f in fields if f not in {"rules_table", "threshold_section"}]
            if fields:
                fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    def get_inlines(self, request: HttpRequest, obj: AgreementVersion | None) -> list[Any]:
        if obj is None:
            return []
        return [SectionInline, ResponsibilityRuleInline, LegalReferenceInline, EscalationLevelInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgreementVersion]:
        return (
            super()
            .get_queryset(request)
            .select_related("agreement__region")
            .annotate(rule_total=Count("rules"))
        )

    @admin.display(description=_("housing settings covered"))
    def housing_settings_covered(self, obj: AgreementVersion) -> str:
        labels = dict(HousingSetting.choices)
        return ", ".join(str(labels.get(value, value)) for value in obj.covered_housing_settings)

    @admin.display(description=_("rules"), ordering="rule_total")
    def rule_count(self, obj: AgreementVersion) -> int:
        return int(getattr(obj, "rule_total", 0))

    @admin.display(description=_("rules"))
    def rules_table(self, obj: AgreementVersion) -> SafeString:
        rules = list(
            obj.rules.select_related(
                "task_type",
                "section",
                "orders_organisation",
                "performs_organisation",
                "follows_up_organisation",
            ).order_by("task_type__kind", "task_type__code", "housing_setting", "pk")
        )
        if not rules:
            return format_html("<p>{}</p>", gettext("No rules yet."))
        header = format_html_join(
            "",
            "<th>{}</th>",
            (
                (label,)
                for label in (
                    gettext("Task"),
                    gettext("Applies to"),
                    gettext("Orders"),
                    gettext("Performs"),
                    gettext("Follows up"),
                    gettext("Conditions"),
                    gettext("Section"),
                )
            ),
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>§ {}</td></tr>",
            (
                (
                    rule.task_type.name_sv,
                    applies_to(rule),
                    party_label(rule, "orders"),
                    party_label(rule, "performs"),
                    party_label(rule, "follows_up"),
                    conditions_label(rule),
                    rule.section.number,
                )
                for rule in rules
            ),
        )
        return format_html(
            '<table class="agreement-rules" style="width:100%"><thead><tr>{}</tr></thead>'
            "<tbody>{}</tbody></table>",
            header,
            rows,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and is_region_admin(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        regions = administered_regions(request)
        if db_field.name == "agreement" and regions is not None:
            kwargs["queryset"] = Agreement.objects.filter(region_id__in=regions)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: AgreementVersion | None = None) -> bool:
        if obj is not None and (not version_is_editable(obj) or not may_change(request, obj.agreement)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: AgreementVersion | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: AgreementVersion | None = None) -> Any:
        # A version never moves to another agreement (the service refuses it too).
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "agreement"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: AgreementVersion, form: Any, change: bool) -> None:
        actor = acting(request)
        kommuner = list(form.cleaned_data.get("kommuner") or [])
        if not change:
            services.agreement_version_create(actor=actor, version=obj, kommuner=kommuner)
            return
        stored = services.agreement_version_change(
            actor=actor,
            version=obj,
            changes=form_changes(form, leave_out=frozenset({"kommuner"})),
            kommuner=kommuner if "kommuner" in form.changed_data else None,
        )
        obj.revision = stored.revision

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The kommun parties were set by the service with the version; the inlines go through theirs.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        save_parts(request, formset)

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[AgreementVersion],
        write: Callable[[Actor, AgreementVersion], str],
    ) -> None:
        """Run an action's service on each version, as the person acting; a refusal is a message."""
        actor = acting(request)
        for version in queryset:
            try:
                done = write(actor, version)
            except (ValidationError, StateConflictError, PermissionDenied) as exc:
                self.message_user(request, f"{version}: {refusal(exc)}", messages.ERROR)
            else:
                self.message_user(request, done, messages.SUCCESS)

    @admin.action(description=_("Put the selected draft versions in force"))
    def put_in_force(self, request: HttpRequest, queryset: QuerySet[AgreementVersion]) -> None:
        def write(actor: Actor, version: AgreementVersion) -> str:
            services.agreement_version_put_in_force(actor=actor, version=version)
            return gettext("%(v)s is now in force.") % {"v": version}

        self._each(request, queryset, write)

    @admin.action(description=_("Create a new draft version from the selected version"))
    def new_draft(self, request: HttpRequest, queryset: QuerySet[AgreementVersion]) -> None:
        def write(actor: Actor, version: AgreementVersion) -> str:
            label = version.version[: 32 - len(services.DRAFT_LABEL_SUFFIX)] + services.DRAFT_LABEL_SUFFIX
            services.agreement_version_new_draft(
                actor=actor, source=version, version=label, valid_from=timezone.localdate()
            )
            return gettext(
                "Draft %(label)s created. Set its version number and start date, change "
                "it, then put it in force."
            ) % {"label": label}

        self._each(request, queryset, write)


@admin.register(AgreementEvent)
class AgreementEventAdmin(admin.ModelAdmin[AgreementEvent]):
    list_display = ["at", "agreement", "version", "action", "user"]
    list_filter = ["action", "agreement"]
    readonly_fields = ["at", "agreement", "version", "action", "user", "detail"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AgreementEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AgreementEvent | None = None) -> bool:
        return False
