"""Forms of the legal basis for sharing, objections and spärrar. They check the shape of input; the
services (``consent.services.basis_clean``) decide the rest, and their errors are put next to the
fields (``hemsjukvard.pages.apply_service_errors``), so nothing typed is lost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
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
from .services import BasisInput, basis_clean

_DATE = forms.DateInput(attrs={"type": "date"})
LATER = ""

# The fields each kind of basis asks for; only the chosen kind's are checked and recorded.
FIELDS_OF_KIND: dict[str, tuple[str, ...]] = {
    BasisKind.CONSENT: ("scope", "given_by", "representative_name", "form", "given_on", "valid_until"),
    BasisKind.MENPROVNING: ("assessed_by_name", "assessed_on", "reasoning"),
    BasisKind.OTHER_GROUND: ("ground", "ground_text"),
}
_LEGENDS: dict[str, Any] = {
    BasisKind.CONSENT: _("Consent"),
    BasisKind.MENPROVNING: _("Menprövning"),
    BasisKind.OTHER_GROUND: _("Another legal ground"),
}
_HINTS: dict[str, Any] = {
    BasisKind.CONSENT: _("Fill in only if the legal basis is consent."),
    BasisKind.MENPROVNING: _(
        "Fill in only if the legal basis is a menprövning (for a person who cannot consent)."
    ),
    BasisKind.OTHER_GROUND: _("Fill in only if the legal basis is another legal ground."),
}


@dataclass(frozen=True)
class BasisGroup:
    """The fields of one kind of basis, shown together under a legend that says when to fill them."""

    kind: str
    legend: Any
    hint: Any
    fields: list[forms.BoundField]


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

    def groups(self) -> list[BasisGroup]:
        """The fields of each kind of basis, in the order the kinds are offered."""
        return [
            BasisGroup(kind, _LEGENDS[kind], _HINTS[kind], [self[name] for name in names])
            for kind, names in FIELDS_OF_KIND.items()
        ]

    def clean(self) -> dict[str, Any]:
        """Only the chosen kind's fields are checked: a wrong date among another kind's fields (typed,
        then another kind chosen) does not stop the form; what was typed there is still shown."""
        cleaned = super().clean() or {}
        chosen = FIELDS_OF_KIND.get(cleaned.get("kind") or "", ())
        for names in FIELDS_OF_KIND.values():
            for name in names:
                if name not in chosen and name in self.errors:
                    del self.errors[name]
        return cleaned

    def basis(self) -> BasisInput:
        """The chosen kind and its own fields; the other kinds' fields are left out."""
        kind = self.cleaned_data.get("kind") or ""
        names = [name for name in FIELDS_OF_KIND.get(kind, ()) if name in self.cleaned_data]
        return BasisInput(kind=kind, **{name: self.cleaned_data[name] for name in names})


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

    def clean(self) -> dict[str, Any]:
        """A basis given here is checked as recording it will check it (``basis_clean``), so its
        mistakes show together with the case form's, not on a later submit."""
        cleaned = super().clean()
        if cleaned.get("kind") and not self.errors:
            try:
                basis_clean(self.basis())
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    self.add_error(name if name in self.fields else None, messages)
        return cleaned


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
