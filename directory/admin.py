"""Admin for people, organisations, memberships and API tokens (no patient data here).

A superuser may do everything. An organisation administrator sees and changes only what
``directory.administration`` allows (their organisations' users and memberships); anything else answers
404, and what they may see but not change is shown read-only. Every change is an ``AdminEvent``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .administration import (
    AdminScope,
    admin_event_record,
    admin_scope,
    api_token_snapshot,
    api_tokens_visible,
    can_change_membership,
    can_change_user,
    grantable_roles,
    membership_snapshot,
    memberships_visible,
    organisations_visible,
    snapshot_diff,
    user_organisation,
    user_snapshot,
    users_grantable,
    users_visible,
)
from .forms import OrganisationUserChangeForm, OrganisationUserCreationForm, PasswordLinkForm
from .models import AdminEvent, AdminEventAction, ApiToken, Membership, Organisation, Team, User
from .teams import HANDLER_ROLES

_M = TypeVar("_M", bound=models.Model)


class ScopedAdmin(admin.ModelAdmin[_M]):
    """A model admin whose organisation administrators see only ``visible`` and change only ``changeable``.

    Objects outside ``visible`` are not found (404), whatever the URL; a bulk delete that includes one
    they may not delete is refused as a whole.
    """

    def visible(self, scope: AdminScope) -> QuerySet[_M]:
        raise NotImplementedError

    def changeable(self, scope: AdminScope, obj: _M) -> bool:
        return scope.superuser

    def deletable(self, scope: AdminScope, obj: _M) -> bool:
        return scope.superuser

    def may_add(self, scope: AdminScope) -> bool:
        return scope.superuser

    @staticmethod
    def _in_administration(scope: AdminScope) -> bool:
        return scope.superuser or bool(scope.memberships)

    def get_queryset(self, request: HttpRequest) -> QuerySet[_M]:
        queryset = super().get_queryset(request)
        scope = admin_scope(request)
        if scope.superuser:
            return queryset
        return queryset.filter(pk__in=self.visible(scope).values("pk"))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> _M | None:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Not the admin's default redirect to the index: another organisation's record is not found.
            raise Http404
        return obj

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and self._in_administration(admin_scope(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = admin_scope(request)
        if not super().has_view_permission(request, obj) or not self._in_administration(scope):
            return False
        return obj is None or scope.superuser or self.visible(scope).filter(pk=obj.pk).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and self.may_add(admin_scope(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = admin_scope(request)
        if not super().has_change_permission(request, obj) or not self._in_administration(scope):
            return False
        return obj is None or self.changeable(scope, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        scope = admin_scope(request)
        if not super().has_delete_permission(request, obj) or not self._in_administration(scope):
            return False
        return obj is None or self.deletable(scope, obj)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        scope = admin_scope(request)
        if not scope.superuser and any(not self.deletable(scope, obj) for obj in objs):
            perms_needed = {*perms_needed, str(self.opts.verbose_name)}
        return deleted, model_count, perms_needed, protected


def _record_deletions(
    request: HttpRequest, objs: Iterable[Any], snapshot: Any, organisation: Any, object_type: str
) -> None:
    for obj in objs:
        admin_event_record(
            request=request,
            action=AdminEventAction.DELETED,
            target=obj,
            organisation=organisation(obj),
            changes={name: [value, None] for name, value in snapshot(obj).items()},
            object_type=object_type,
        )


# --- Users and their memberships -------------------------------------------------------------------


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "valid_from", "valid_to"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        queryset = super().get_queryset(request).select_related("organisation", "user")
        scope = admin_scope(request)
        return queryset if scope.superuser else queryset.filter(organisation_id__in=scope.organisation_ids)

    def get_formset(self, request: HttpRequest, obj: User | None = None, **kwargs: Any) -> Any:
        if not admin_scope(request).superuser:
            # A user an organisation administrator makes or keeps belongs to their organisation.
            kwargs.update(min_num=1, validate_min=True)
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            kwargs["queryset"] = organisations_visible(admin_scope(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            kwargs["choices"] = grantable_roles(admin_scope(request))
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def _may_edit(self, request: HttpRequest, obj: User | None) -> bool:
        scope = admin_scope(request)
        return scope.superuser or (bool(scope.memberships) and (obj is None or can_change_user(scope, obj)))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)


_USER_FIELDSETS_FOR_ORGANISATION_ADMIN = (
    (None, {"fields": ["username"]}),
    (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
    (_("Health care"), {"fields": ["hsa_id"]}),
    (_("Status"), {"fields": ["is_active", "last_login", "date_joined"]}),
)
_USER_ADD_FIELDSETS_FOR_ORGANISATION_ADMIN = (
    (None, {"fields": ["username", "first_name", "last_name", "email", "hsa_id"]}),
)


def _send_password_link(request: HttpRequest, user: User) -> bool:
    if not PasswordLinkForm(user=user).send(request):
        return False
    admin_event_record(
        request=request,
        action=AdminEventAction.PASSWORD_LINK_SENT,
        target=user,
        organisation=user_organisation(admin_scope(request), user),
        changes={"email": [None, user.email]},
    )
    return True


@admin.register(User)
class UserAdmin(ScopedAdmin[User], BaseUserAdmin[User]):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "hsa_id", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email", "hsa_id"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Health care"), {"fields": ["hsa_id"]}),
    )
    actions = ["send_password_link"]

    def visible(self, scope: AdminScope) -> QuerySet[User]:
        return users_visible(scope)

    def changeable(self, scope: AdminScope, obj: User) -> bool:
        return can_change_user(scope, obj)

    def may_add(self, scope: AdminScope) -> bool:
        return self._in_administration(scope)

    def get_list_filter(self, request: HttpRequest) -> Any:
        return super().get_list_filter(request) if admin_scope(request).superuser else ["is_active"]

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if admin_scope(request).superuser:
            return super().get_fieldsets(request, obj)
        if obj is None:
            return _USER_ADD_FIELDSETS_FOR_ORGANISATION_ADMIN
        return _USER_FIELDSETS_FOR_ORGANISATION_ADMIN

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        if admin_scope(request).superuser:
            # Superusers are made only with ``manage.py createsuperuser``, on the server: not with a tick
            # in the browser, where a stolen session could make one.
            return [*super().get_readonly_fields(request, obj), "is_superuser"]
        readonly = ["last_login", "date_joined"]
        if obj is not None and obj.has_usable_password():
            # Once the user has chosen a password, a new address would let the administrator have the
            # next password link sent to themselves: the user's address is then a superuser's to change.
            readonly.append("email")
        return readonly

    def get_form(
        self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if admin_scope(request).superuser:
            return super().get_form(request, obj, change=change, **kwargs)
        kwargs["form"] = OrganisationUserCreationForm if obj is None else OrganisationUserChangeForm
        return admin.ModelAdmin.get_form(self, request, obj, change=change, **kwargs)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        if not admin_scope(request).superuser:
            # Nobody sets another person's password; the user gets a link to choose it.
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        form._audit_before = user_snapshot(User.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        scope = admin_scope(request)
        changes = snapshot_diff(getattr(form, "_audit_before", {}), user_snapshot(user))
        if changes or not change:
            admin_event_record(
                request=request,
                action=AdminEventAction.CHANGED if change else AdminEventAction.CREATED,
                target=user,
                organisation=user_organisation(scope, user),
                changes=changes,
            )
        if not change and not scope.superuser and _send_password_link(request, user):
            self.message_user(
                request,
                gettext("A link to choose a password has been sent to %(email)s.") % {"email": user.email},
                messages.SUCCESS,
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        before = {
            f.instance.pk: membership_snapshot(
                Membership.objects.select_related("user", "organisation").get(pk=f.instance.pk)
            )
            for f in formset.initial_forms
        }
        super().save_formset(request, form, formset, change)
        _record_membership_changes(request, formset.new_objects, formset.changed_objects, before)
        _record_deletions(
            request,
            formset.deleted_objects,
            lambda m: before.get(m.pk, {}),
            lambda m: m.organisation,
            "membership",
        )

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        self._record_user_deletions(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        with transaction.atomic():
            self._record_user_deletions(request, list(queryset))
            super().delete_queryset(request, queryset)

    def _record_user_deletions(self, request: HttpRequest, users: list[User]) -> None:
        scope = admin_scope(request)

        def snapshot(user: User) -> dict[str, Any]:
            memberships = user.memberships.select_related("user", "organisation")
            return {**user_snapshot(user), "memberships": [membership_snapshot(m) for m in memberships]}

        _record_deletions(request, users, snapshot, lambda u: user_organisation(scope, u), "user")

    @admin.action(description=_("Send a link to choose a password to the user's e-mail address"))
    def send_password_link(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        scope = admin_scope(request)
        sent, refused = [], []
        for user in queryset:
            if can_change_user(scope, user) and _send_password_link(request, user):
                sent.append(user.username)
            else:
                refused.append(user.username)
        if sent:
            self.message_user(
                request, gettext("Link sent to %(users)s.") % {"users": ", ".join(sent)}, messages.SUCCESS
            )
        if refused:
            self.message_user(
                request,
                gettext("No link sent to %(users)s (inactive, no e-mail address, or not yours to manage).")
                % {"users": ", ".join(refused)},
                messages.WARNING,
            )


def _record_membership_changes(
    request: HttpRequest,
    created: Iterable[Membership],
    changed: Iterable[tuple[Membership, Any]],
    before: dict[int, dict[str, Any]],
) -> None:
    for membership in created:
        admin_event_record(
            request=request,
            action=AdminEventAction.CREATED,
            target=membership,
            organisation=membership.organisation,
            changes={name: [None, value] for name, value in membership_snapshot(membership).items()},
        )
    for membership, _fields in changed:
        admin_event_record(
            request=request,
            action=AdminEventAction.CHANGED,
            target=membership,
            organisation=membership.organisation,
            changes=snapshot_diff(before.get(membership.pk, {}), membership_snapshot(membership)),
        )


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin[Membership]):
    list_display = ["user", "organisation", "role", "valid_from", "valid_to"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]

    def visible(self, scope: AdminScope) -> QuerySet[Membership]:
        return memberships_visible(scope)

    def changeable(self, scope: AdminScope, obj: Membership) -> bool:
        return can_change_membership(scope, obj)

    def deletable(self, scope: AdminScope, obj: Membership) -> bool:
        return can_change_membership(scope, obj)

    def may_add(self, scope: AdminScope) -> bool:
        return self._in_administration(scope)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user", "organisation")

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> Any:
        if obj is not None and not admin_scope(request).superuser:
            return ["user"]  # a membership is not moved from one person to another
        return super().get_readonly_fields(request, obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scope = admin_scope(request)
        if db_field.name == "organisation":
            kwargs["queryset"] = organisations_visible(scope)
        elif db_field.name == "user":
            kwargs["queryset"] = users_grantable(scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role":
            kwargs["choices"] = grantable_roles(admin_scope(request))
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        before = {}
        if change:
            before[obj.pk] = membership_snapshot(
                Membership.objects.select_related("user", "organisation").get(pk=obj.pk)
            )
        super().save_model(request, obj, form, change)
        if change:
            _record_membership_changes(request, [], [(obj, None)], before)
        else:
            _record_membership_changes(request, [obj], [], before)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        _record_deletions(request, [obj], membership_snapshot, lambda m: m.organisation, "membership")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        with transaction.atomic():
            _record_deletions(
                request, list(queryset), membership_snapshot, lambda m: m.organisation, "membership"
            )
            super().delete_queryset(request, queryset)


# --- Organisations ---------------------------------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin[Organisation]):
    """The organisation register is the superuser's; an organisation administrator sees their own."""

    list_display = ["name", "kind", "ownership", "region", "kommun", "hsa_id", "is_active"]
    list_filter = ["kind", "ownership", "is_active", "region"]
    search_fields = ["name", "hsa_id", "kommun_code"]
    autocomplete_fields = ["region", "kommun"]

    def visible(self, scope: AdminScope) -> QuerySet[Organisation]:
        return organisations_visible(scope)


# --- Teams ------------------------------------------------------------------------------------------


@admin.register(Team)
class TeamAdmin(ScopedAdmin[Team]):
    """Teams of an organisation (cases are handed to them); its administrator keeps them, as its
    coordinator does on the teams page. Members are the organisation's memberships that handle cases."""

    list_display = ["name", "organisation", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "organisation__name"]
    filter_horizontal = ["members"]

    def visible(self, scope: AdminScope) -> QuerySet[Team]:
        return Team.objects.filter(organisation__in=organisations_visible(scope))

    def changeable(self, scope: AdminScope, obj: Team) -> bool:
        return scope.administers(obj.organisation_id)

    def deletable(self, scope: AdminScope, obj: Team) -> bool:
        return scope.superuser

    def may_add(self, scope: AdminScope) -> bool:
        return scope.superuser or bool(scope.memberships)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation":
            kwargs["queryset"] = organisations_visible(admin_scope(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "members":
            kwargs["queryset"] = (
                memberships_visible(admin_scope(request))
                .filter(role__in=HANDLER_ROLES)
                .select_related("user", "organisation")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @staticmethod
    def _snapshot(team: Team) -> dict[str, Any]:
        return {
            "name": team.name,
            "organisation": str(team.organisation),
            "is_active": team.is_active,
            "members": sorted(str(m.public_id) for m in team.members.all()) if team.pk else [],
        }

    def save_model(self, request: HttpRequest, obj: Team, form: Any, change: bool) -> None:
        form._audit_before = self._snapshot(Team.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        team = form.instance
        members = form.cleaned_data.get("members")
        if members is not None and any(m.organisation_id != team.organisation_id for m in members):
            form.cleaned_data["members"] = [m for m in members if m.organisation_id == team.organisation_id]
            messages.warning(request, gettext("Members of another organisation were left out of the team."))
        super().save_related(request, form, formsets, change)
        changes = snapshot_diff(getattr(form, "_audit_before", {}), self._snapshot(team))
        if changes or not change:
            admin_event_record(
                request=request,
                action=AdminEventAction.CHANGED if change else AdminEventAction.CREATED,
                target=team,
                organisation=team.organisation,
                changes=changes,
            )

    def delete_model(self, request: HttpRequest, obj: Team) -> None:
        _record_deletions(request, [obj], self._snapshot, lambda team: team.organisation, "team")
        super().delete_model(request, obj)


# --- API tokens ------------------------------------------------------------------------------------


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin[ApiToken]):
    list_display = ["prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    fields = readonly_fields = (
        "user",
        "key_hash",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def visible(self, scope: AdminScope) -> QuerySet[ApiToken]:
        return api_tokens_visible(scope)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        # Revoking only takes access away: an organisation administrator may revoke the tokens they see.
        return super().has_change_permission(request) and self._in_administration(admin_scope(request))

    @admin.action(description=_("Revoke (stops the token at once)"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        now = timezone.now()
        with transaction.atomic():
            for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
                before = api_token_snapshot(token)
                # Conditional, so two administrators revoking at once record it once.
                if not ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
                    continue
                token.revoked_at = now
                admin_event_record(
                    request=request,
                    action=AdminEventAction.REVOKED,
                    target=token,
                    organisation=user_organisation(admin_scope(request), token.user),
                    changes=snapshot_diff(before, api_token_snapshot(token)),
                    object_type="api_token",
                )
        self.message_user(request, gettext("Revoked."), messages.SUCCESS)

    def delete_model(self, request: HttpRequest, obj: ApiToken) -> None:
        _record_deletions(request, [obj], api_token_snapshot, lambda t: None, "api_token")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        with transaction.atomic():
            _record_deletions(request, list(queryset), api_token_snapshot, lambda t: None, "api_token")
            super().delete_queryset(request, queryset)


# --- The record of changes -------------------------------------------------------------------------


@admin.register(AdminEvent)
class AdminEventAdmin(ScopedAdmin[AdminEvent]):
    """Read-only: the rows are only ever inserted. An organisation administrator sees their organisations'."""

    list_display = ["at", "actor_label", "acting_organisation_label", "action", "object_type", "object_label"]
    list_filter = ["action", "object_type", "as_superuser"]
    search_fields = ["actor_label", "object_label", "object_id"]
    readonly_fields = [
        "at",
        "actor",
        "actor_label",
        "as_superuser",
        "acting_membership",
        "acting_organisation",
        "acting_organisation_label",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "organisation",
        "changes",
        "client_address",
    ]

    def visible(self, scope: AdminScope) -> QuerySet[AdminEvent]:
        ids = scope.organisation_ids
        return AdminEvent.objects.filter(
            models.Q(organisation_id__in=ids) | models.Q(acting_organisation_id__in=ids)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AdminEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AdminEvent | None = None) -> bool:
        return False


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Groups carry the Django permissions that the administration's own rules sit on top of: only a
    superuser changes them, whatever permissions a group has been given (an organisation administrator
    who could edit groups could give their own group more)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin_scope(request).superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_scope(request).superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return admin_scope(request).superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_scope(request).superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_scope(request).superuser
