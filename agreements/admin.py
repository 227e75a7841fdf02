"""Admin for agreements, sections, task types and rules, for the region's systemförvaltare.

A version's rules are shown as a readable table (task, who orders / performs / follows up, conditions,
section) and edited in rows below it or one by one in a full form. Only a draft version can be changed;
one in force is shown read-only, and the action "Create a new draft version" copies it for editing.
The law's hard rules live in the models' ``clean()``, so a rule that breaks them is refused with the
reason shown next to the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.actor import Actor
from directory.models import Organisation, Role, User
from patients.models import HousingSetting

from . import services
from .choices import AgreementStatus, EnrolmentRequirement, PartyRef
from .models import (
    VERSION_SETTING_FIELDS,
    Agreement,
    AgreementEvent,
    AgreementEventAction,
    AgreementVersion,
    CareTaskType,
    EscalationLevel,
    HardRule,
    LegalReference,
    ResponsibilityRule,
    Section,
)
from .policies import can_change_agreement, can_change_task_types


def _actor(request: HttpRequest) -> Actor | None:
    user = request.user
    return Actor.for_user(user) if isinstance(user, User) else None


def _may_change(request: HttpRequest, agreement: Agreement | None) -> bool:
    """Superusers may change any agreement; other staff only their region's, as its admin."""
    if request.user.is_superuser or agreement is None:
        return True
    actor = _actor(request)
    return actor is not None and can_change_agreement(actor, agreement)


def _is_region_admin(request: HttpRequest) -> bool:
    """Superusers, and staff with the admin role in a region: the only ones who add agreements or task
    types. A kommun's or vårdcentral's administrator reads agreements here but changes none."""
    if request.user.is_superuser:
        return True
    actor = _actor(request)
    return actor is not None and can_change_task_types(actor)


def _administered_regions(request: HttpRequest) -> frozenset[int] | None:
    """The regions whose agreements the user may change (None: every region, for a superuser)."""
    if request.user.is_superuser:
        return None
    actor = _actor(request)
    return actor.organisation_ids(Role.ADMIN) if actor is not None else frozenset()


def _record(request: HttpRequest, version: AgreementVersion, action: str, **detail: Any) -> None:
    AgreementEvent.objects.create(
        agreement=version.agreement,
        version=version,
        user=request.user if isinstance(request.user, User) else None,
        action=action,
        detail={"via": "admin", **detail},
    )


# --- Task types ------------------------------------------------------------------------------------


@admin.register(CareTaskType)
class CareTaskTypeAdmin(admin.ModelAdmin[CareTaskType]):
    list_display = ["code", "name_sv", "name_en", "kind", "care_level", "is_active"]
    list_filter = ["kind", "care_level", "is_active"]
    search_fields = ["code", "name_sv", "name_en"]
    ordering = ["kind", "code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and _is_region_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: CareTaskType | None = None) -> bool:
        return super().has_change_permission(request, obj) and _is_region_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: CareTaskType | None = None) -> bool:
        return super().has_delete_permission(request, obj) and _is_region_admin(request)


# --- Agreements ------------------------------------------------------------------------------------


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
class AgreementAdmin(admin.ModelAdmin[Agreement]):
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
        return super().has_add_permission(request) and _is_region_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Agreement | None = None) -> bool:
        return super().has_change_permission(request, obj) and _may_change(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        regions = _administered_regions(request)
        if db_field.name == "region" and regions is not None:
            kwargs["queryset"] = Organisation.objects.filter(pk__in=regions)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Agreement | None = None) -> bool:
        return False


# --- Versions, with their sections, references, ladder and rules -----------------------------------


class _DraftOnlyInline:
    """Inline rows of a version can be added, changed and deleted only while the version is a draft."""

    def _editable(self, request: HttpRequest, obj: AgreementVersion | None) -> bool:
        return obj is None or (obj.is_draft and _may_change(request, obj.agreement))

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
    fields = ["level", "body_ref", "body", "deadline_days"]
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
class AgreementVersionAdmin(admin.ModelAdmin[AgreementVersion]):
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
                    _applies_to(rule),
                    _party_label(rule, "orders"),
                    _party_label(rule, "performs"),
                    _party_label(rule, "follows_up"),
                    _conditions_label(rule),
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
        return super().has_add_permission(request) and _is_region_admin(request)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        regions = _administered_regions(request)
        if db_field.name == "agreement" and regions is not None:
            kwargs["queryset"] = Agreement.objects.filter(region_id__in=regions)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: AgreementVersion | None = None) -> bool:
        if obj is not None and (not obj.is_draft or not _may_change(request, obj.agreement)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: AgreementVersion | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AgreementVersion, form: Any, change: bool) -> None:
        if not change:
            obj.status = AgreementStatus.DRAFT
        super().save_model(request, obj, form, change)
        _record(request, obj, AgreementEventAction.CHANGED if change else AgreementEventAction.CREATED)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is ResponsibilityRule:
            for rule in formset.new_objects + [obj for obj, _fields in formset.changed_objects]:
                _record(request, rule.version, AgreementEventAction.RULE_SAVED, task=rule.task_type.code)
            for rule in formset.deleted_objects:
                _record(request, form.instance, AgreementEventAction.RULE_DELETED, task=rule.task_type.code)

    @admin.action(description=_("Put the selected draft versions in force"))
    def put_in_force(self, request: HttpRequest, queryset: QuerySet[AgreementVersion]) -> None:
        for version in queryset:
            if not _may_change(request, version.agreement):
                self.message_user(
                    request, gettext("You may not change %(v)s.") % {"v": version}, messages.ERROR
                )
                continue
            try:
                services.agreement_version_put_in_force(actor=None, version=version)
            except ValidationError as exc:
                self.message_user(request, f"{version}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                _record(request, version, AgreementEventAction.PUT_IN_FORCE)
                self.message_user(
                    request, gettext("%(v)s is now in force.") % {"v": version}, messages.SUCCESS
                )

    @admin.action(description=_("Create a new draft version from the selected version"))
    def new_draft(self, request: HttpRequest, queryset: QuerySet[AgreementVersion]) -> None:
        for version in queryset:
            if not _may_change(request, version.agreement):
                self.message_user(
                    request, gettext("You may not change %(v)s.") % {"v": version}, messages.ERROR
                )
                continue
            label = f"{version.version}-draft"[:32]
            try:
                draft = services.agreement_version_new_draft(
                    actor=None, source=version, version=label, valid_from=timezone.localdate()
                )
            except ValidationError as exc:
                self.message_user(request, f"{version}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                _record(request, draft, AgreementEventAction.DRAFT_CREATED, source=version.version)
                self.message_user(
                    request,
                    gettext(
                        "Draft %(label)s created. Set its version number and start date, change "
                        "it, then put it in force."
                    )
                    % {"label": label},
                    messages.SUCCESS,
                )


def _applies_to(rule: ResponsibilityRule) -> str:
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


def _party_label(rule: ResponsibilityRule, role: str) -> str:
    party = getattr(rule, f"{role}_party")
    organisation = getattr(rule, f"{role}_organisation")
    if party == PartyRef.ORGANISATION:
        return str(organisation.name) if organisation is not None else "?"
    label = str(_PARTY_SHORT.get(party, party))
    if organisation is None:
        return label
    return gettext("%(party)s (else %(name)s)") % {"party": label, "name": organisation.name}


def _conditions_label(rule: ResponsibilityRule) -> str:
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
class ResponsibilityRuleAdmin(admin.ModelAdmin[ResponsibilityRule]):
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
        return _applies_to(obj)

    @admin.display(description=_("orders"))
    def orders(self, obj: ResponsibilityRule) -> str:
        return _party_label(obj, "orders")

    @admin.display(description=_("performs"))
    def performs(self, obj: ResponsibilityRule) -> str:
        return _party_label(obj, "performs")

    @admin.display(description=_("follows up"))
    def follows_up(self, obj: ResponsibilityRule) -> str:
        return _party_label(obj, "follows_up")

    @admin.display(description=_("conditions"))
    def conditions(self, obj: ResponsibilityRule) -> str:
        return _conditions_label(obj)

    def _editable(self, request: HttpRequest, obj: ResponsibilityRule | None) -> bool:
        return obj is None or (obj.version.is_draft and _may_change(request, obj.version.agreement))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and _is_region_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: ResponsibilityRule | None = None) -> bool:
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ResponsibilityRule | None = None) -> bool:
        return self._editable(request, obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "version":
            drafts = AgreementVersion.objects.filter(status=AgreementStatus.DRAFT)
            if not request.user.is_superuser:
                actor = _actor(request)
                regions = actor.organisation_ids(Role.ADMIN) if actor is not None else frozenset()
                drafts = drafts.filter(agreement__region_id__in=regions)
            kwargs["queryset"] = drafts.select_related("agreement")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: ResponsibilityRule, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _record(request, obj.version, AgreementEventAction.RULE_SAVED, task=obj.task_type.code)


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


# --- The law's hard rules ----------------------------------------------------------------------------


@admin.register(HardRule)
class HardRuleAdmin(admin.ModelAdmin[HardRule]):
    """When each of the law's hard rules is in force, and what it cites (``agreements.hard_rules``).

    National law binds every region alike, so only a superuser (the system's owner, acting on a changed
    statute) changes these; region administrators read them.
    """

    list_display = ["code", "citation", "valid_from", "valid_to", "fallback_citation"]
    list_filter = ["code"]
    fields = ["code", "citation", "statement", "fallback_citation", ("valid_from", "valid_to")]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: HardRule | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: HardRule | None = None) -> bool:
        return bool(request.user.is_superuser)
