"""Forms of the registers' pages; the services validate again and have the last word."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agreements.models import CareTaskType
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind

from .models import NAMES_MAX, TEXT_MAX

DATE = forms.DateInput(attrs={"type": "date"})


class TaskTypeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Task types by their Swedish name, as the nurse knows them (not the catalogue code)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name_sv)


def _units(actor: Actor, kinds: tuple[str, ...]) -> QuerySet[Organisation]:
    regions = {m.organisation.region_id or m.organisation_id for m in actor.memberships}
    return Organisation.objects.filter(region_id__in=regions, kind__in=kinds, is_active=True).order_by("name")


class TransferForm(forms.Form):
    task_type = TaskTypeChoiceField(CareTaskType.objects.none(), label=_("Task"))
    training_unit = forms.ModelChoiceField(Organisation.objects.none(), label=_("Training unit"))
    trainers = forms.CharField(
        label=_("Trained by"), max_length=NAMES_MAX, help_text=_("The names of those who gave the training.")
    )
    receiving_unit = forms.ModelChoiceField(Organisation.objects.none(), label=_("Unit trained"))
    trained_staff = forms.CharField(
        label=_("Staff trained"), max_length=NAMES_MAX, help_text=_("The names of those who were trained.")
    )
    trained_on = forms.DateField(label=_("Trained on"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE)
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task_type"].queryset = CareTaskType.objects.order_by("name_sv")  # type: ignore[attr-defined]
        self.fields["training_unit"].queryset = _units(  # type: ignore[attr-defined]
            actor,
            (OrganisationKind.SPECIALIST_CLINIC, OrganisationKind.MOBILE_TEAM, OrganisationKind.VARDCENTRAL),
        )
        self.fields["receiving_unit"].queryset = _units(  # type: ignore[attr-defined]
            actor, (OrganisationKind.KOMMUN, OrganisationKind.VARDCENTRAL, OrganisationKind.MOBILE_TEAM)
        )


class DelegationForm(forms.Form):
    task_type = TaskTypeChoiceField(CareTaskType.objects.none(), label=_("Task"))
    receiver_name = forms.CharField(label=_("Delegated to (name)"), max_length=200)
    receiver_title = forms.CharField(label=_("Their title"), max_length=200, required=False)
    receiver_organisation = forms.ModelChoiceField(Organisation.objects.none(), label=_("Their employer"))
    decision = forms.CharField(
        label=_("Written decision"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What is delegated, on what conditions, and how the receiver's competence was checked."),
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE, help_text=_("At most 12 months."))
    consulted_with = forms.CharField(
        label=_("Consulted with"),
        max_length=200,
        required=False,
        help_text=_(
            "Where the receiver works for the other principal: with whom the delegation was consulted."
        ),
    )
    consulted_on = forms.DateField(label=_("Consulted on"), widget=DATE, required=False)
    consultation_note = forms.CharField(
        label=_("Consultation note"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task_type"].queryset = CareTaskType.objects.order_by("name_sv")  # type: ignore[attr-defined]
        self.fields["receiver_organisation"].queryset = _units(  # type: ignore[attr-defined]
            actor,
            (
                OrganisationKind.KOMMUN,
                OrganisationKind.VARDCENTRAL,
                OrganisationKind.SPECIALIST_CLINIC,
                OrganisationKind.MOBILE_TEAM,
            ),
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revoking"), max_length=TEXT_MAX)


class LinkForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        help_text=_("As on the case page and its documents, e.g. HSV-2026-000123."),
    )
