"""The hand-over form of the case page and the coordinator's team form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Membership, Team
from directory.teams import TEAM_NAME_MAX_LENGTH

from .models import NOTE_MAX_LENGTH

USER_PREFIX = "user:"
TEAM_PREFIX = "team:"


def person_label(membership: Membership) -> str:
    return f"{membership.user.display_name} ({membership.get_role_display()})"


class HandOverForm(forms.Form):
    to = forms.ChoiceField(
        label=_("Hand the case to"),
        help_text=_("A colleague of your organisation, or a team. They are told at once."),
    )
    note = forms.CharField(
        label=_("Note to the new handler (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. why you hand it over, or what is left to do. Do not write the patient's name."),
    )

    def __init__(
        self, *args: Any, colleagues: list[Membership], teams: list[Team], me: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        people = [
            (f"{USER_PREFIX}{m.user.public_id}", _("Myself") if m.user_id == me else person_label(m))
            for m in sorted(colleagues, key=lambda m: m.user_id != me)
        ]
        choices: list[Any] = [("", _("Choose…"))]
        if people:
            choices.append((_("Colleagues"), people))
        if teams:
            choices.append((_("Teams"), [(f"{TEAM_PREFIX}{t.public_id}", t.name) for t in teams]))
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class ReleaseForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=NOTE_MAX_LENGTH, widget=forms.TextInput
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name of the team"), max_length=TEAM_NAME_MAX_LENGTH)
    members = forms.MultipleChoiceField(
        label=_("Members"), required=False, widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(
        label=_("Active (cases can be handed to the team)"), required=False, initial=True
    )

    def __init__(self, *args: Any, staff: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(m.public_id), person_label(m)) for m in staff]
