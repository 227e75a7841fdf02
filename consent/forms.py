"""Forms of the legal basis for sharing, objections and spärrar. They check the shape of input; the
services (``consent.services.basis_clean``) decide the rest, and their errors are put next to the
fields (``hemsjukvard.pages.apply_service_errors``), so nothing typed is lost."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    NAME_MAX,
    SCOPE_MAX,
    TEXT_MAX,
    BasisKind,
    ConsentForm,
    GivenBy,
    OtherGround,
    SharedPart,
)
from .services import BasisInput

_DATE = forms.DateInput(attrs={"type": "date"})
LATER = ""


class BasisForm(forms.Form):
    """The legal basis: the fields of the chosen kind are required (``basis_clean``)."""

    kind = forms.ChoiceField(
        label=_("Legal basis for sharing"),
        choices=[(k, v) for k, v in BasisKind.choices if k != BasisKind.HISTORIC],
        widget=forms.RadioSelect,
        help_text=_(
            "Without a valid basis the other parties see what is asked but no health details, and not "
            "who the case is about."
        ),
    )
    scope = forms.CharField(
        label=_("Scope of the consent"),
        max_length=SCOPE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What may be shared, and with whom."),
    )
    given_by = forms.ChoiceField(
        label=_("Consent given by"), choices=[("", "–"), *GivenBy.choices], required=False
    )
    representative_name = forms.CharField(
        label=_("Name of the representative"), max_length=NAME_MAX, required=False
    )
    form = forms.ChoiceField(
        label=_("Consent given"), choices=[("", "–"), *ConsentForm.choices], required=False
    )
    given_on = forms.DateField(label=_("Consent given on"), required=False, widget=_DATE)
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=_DATE, help_text=_("Empty: until withdrawn.")
    )
    assessed_by_name = forms.CharField(label=_("Assessed by"), max_length=NAME_MAX, required=False)
    assessed_on = forms.DateField(label=_("Assessed on"), required=False, widget=_DATE)
    reasoning = forms.CharField(
        label=_("Reasoning of the menprövning"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why sharing does not harm the person, who cannot consent."),
    )
    ground = forms.ChoiceField(
        label=_("Legal ground"), choices=[("", "–"), *OtherGround.choices], required=False
    )
    ground_text = forms.CharField(
        label=_("Legal ground: explanation"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def basis(self) -> BasisInput:
        data: dict[str, Any] = {name: self.cleaned_data.get(name) for name in self.fields}
        return BasisInput(**data)


class OptionalBasisForm(BasisForm):
    """The basis on the new-case form: it may be recorded later (before anyone else needs to read)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.required = False
        kinds = [(k, v) for k, v in BasisKind.choices if k != BasisKind.HISTORIC]
        kind.choices = [(LATER, _("Record it later")), *kinds]

    def given(self) -> bool:
        return bool(self.cleaned_data.get("kind"))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LiftForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is lifted"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class ObjectionForm(ReasonForm):
    organisation = forms.ChoiceField(label=_("Not to be shared with"))

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("all", _("Any other organisation")), *organisations]


class BlockForm(ReasonForm):
    part = forms.ChoiceField(
        label=_("Part of the case"), choices=SharedPart.choices, widget=forms.RadioSelect
    )
