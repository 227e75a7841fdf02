"""Forms of the login and the choice of acting organisation and role."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import Membership


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Try again."),
        "inactive": _("This account is not active. Contact your system administrator."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")


class ActingMembershipForm(forms.Form):
    membership = forms.ChoiceField(label=_("Act as"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, memberships: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (str(m.public_id), f"{m.get_role_display()} – {m.organisation.name}") for m in memberships
        ]
