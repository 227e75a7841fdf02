"""Who may change agreements in the admin, and writing each change through ``agreements.services``.

The admin acts as the signed-in person (with all their memberships), so the services check the same
policy, take the same locks and write the same one event as for the API. A refusal that the form could
not foresee (the version was put in force meanwhile) is shown as a message, and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from directory.actor import Actor, client_address
from directory.models import Role, User
from hemsjukvard.errors import StateConflictError

from .. import services
from ..models import Agreement, EscalationLevel, LegalReference, ResponsibilityRule, Section
from ..policies import can_change_agreement, can_change_task_types


def actor_of(request: HttpRequest) -> Actor | None:
    """The signed-in person with all their memberships (once per request)."""
    cached = getattr(request, "_agreements_admin_actor", None)
    if isinstance(cached, Actor):
        return cached
    user = request.user
    if not isinstance(user, User):
        return None
    actor = Actor.for_user(user, client_address=client_address(request))
    request._agreements_admin_actor = actor  # type: ignore[attr-defined]
    return actor


def acting(request: HttpRequest) -> Actor:
    actor = actor_of(request)
    if actor is None:
        raise PermissionDenied
    return actor


def may_change(request: HttpRequest, agreement: Agreement | None) -> bool:
    """The region's administrators (and superusers) change its agreements (``agreements.policies``)."""
    if agreement is None:
        return True
    actor = actor_of(request)
    return actor is not None and can_change_agreement(actor, agreement)


def is_region_admin(request: HttpRequest) -> bool:
    """Superusers, and staff with the admin role in a region: the only ones who add agreements or task
    types. A kommun's or vårdcentral's administrator reads agreements here but changes none."""
    actor = actor_of(request)
    return actor is not None and can_change_task_types(actor)


def administered_regions(request: HttpRequest) -> frozenset[int] | None:
    """The regions whose agreements the user may change (None: every region, for a superuser)."""
    if request.user.is_superuser:
        return None
    actor = actor_of(request)
    return actor.organisation_ids(Role.ADMIN) if actor is not None else frozenset()


def form_changes(form: forms.ModelForm[Any], *, leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What the person changed in ``form``, by model field name, for a service to apply."""
    model_fields = {field.name for field in form._meta.model._meta.concrete_fields}
    return {
        name: form.cleaned_data[name]
        for name in form.changed_data
        if name in model_fields and name not in leave_out
    }


def refusal(exc: ValidationError | StateConflictError | PermissionDenied) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return exc.message if isinstance(exc, StateConflictError) else str(exc)


class ThroughServices:
    """A refusal by a service after the form was valid is a message on the page, not a server error; the
    admin's transaction has been rolled back, so nothing was saved."""

    def _refused(self, request: HttpRequest, exc: ValidationError | StateConflictError) -> HttpResponse:
        self.message_user(request, refusal(exc), messages.ERROR)  # type: ignore[attr-defined]
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc, no-any-return]
        except (ValidationError, StateConflictError) as exc:
            return self._refused(request, exc)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().delete_view(request, *args, **kwargs)  # type: ignore[misc, no-any-return]
        except (ValidationError, StateConflictError) as exc:
            return self._refused(request, exc)

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The list's actions, e.g. deleting the selected rows (all or none: ``delete_queryset``).
        try:
            return super().changelist_view(request, *args, **kwargs)  # type: ignore[misc, no-any-return]
        except (ValidationError, StateConflictError) as exc:
            return self._refused(request, exc)


# How each part of a version is written: (create, change, delete), each as the person acting.
_PartWriters = tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]
_PART_WRITERS: dict[type[Model], _PartWriters] = {
    Section: (
        lambda actor, part: services.section_create(actor=actor, section=part),
        lambda actor, part, changes: services.section_change(actor=actor, section=part, changes=changes),
        lambda actor, part: services.section_delete(actor=actor, section=part),
    ),
    ResponsibilityRule: (
        lambda actor, part: services.rule_create(actor=actor, rule=part),
        lambda actor, part, changes: services.rule_change(actor=actor, rule=part, changes=changes),
        lambda actor, part: services.rule_delete(actor=actor, rule=part),
    ),
    LegalReference: (
        lambda actor, part: services.legal_reference_save(actor=actor, reference=part),
        lambda actor, part, changes: services.legal_reference_save(
            actor=actor, reference=part, changes=changes
        ),
        lambda actor, part: services.legal_reference_delete(actor=actor, reference=part),
    ),
    EscalationLevel: (
        lambda actor, part: services.escalation_level_save(actor=actor, level=part),
        lambda actor, part, changes: services.escalation_level_save(actor=actor, level=part, changes=changes),
        lambda actor, part: services.escalation_level_delete(actor=actor, level=part),
    ),
}


def save_parts(request: HttpRequest, formset: Any) -> None:
    """Write an inline formset of a version's parts through the services, in the formset's own order:
    the rows deleted, the rows changed, then the new ones."""
    create, change, delete = _PART_WRITERS[formset.model]
    actor = acting(request)
    formset.save(commit=False)  # sorts the rows into new, changed and deleted; writes nothing
    for part in formset.deleted_objects:
        delete(actor, part)
    forms_by_part = {id(form.instance): form for form in formset.forms}
    for part, _fields in formset.changed_objects:
        change(actor, part, form_changes(forms_by_part[id(part)], leave_out=frozenset({"version"})))
    for part in formset.new_objects:
        create(actor, part)
