"""Forms of the login, the choice of acting organisation and role, and the administration of users.

An organisation administrator never sets a password: a user they create has none, and gets a link to
their own e-mail address to choose it (``PasswordLinkForm``: Django's password-reset tokens, sent
through Django's mail backend).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Membership, User


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


class OrganisationUserCreationForm(forms.ModelForm[User]):
    """A new user as an organisation administrator creates one: no password, an e-mail to send the link to."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "hsa_id"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _("The user gets a link to this address to choose their password.")

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class OrganisationUserChangeForm(forms.ModelForm[User]):
    """What an organisation administrator may change on a user: never password, staff or superuser."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "hsa_id", "is_active"]


class PasswordLinkForm(PasswordResetForm):
    """Sends one user a link to choose their password (Django's reset tokens and mail backend).

    Unlike the public reset form, it is addressed to a user, not to whoever has an e-mail address, and
    also reaches a user who has no password yet.
    """

    subject_template = "registration/password_link_subject.txt"
    email_template = "registration/password_link_email.txt"

    def __init__(self, *, user: User) -> None:
        super().__init__(data={"email": user.email})
        self.user = user

    def get_users(self, email: str) -> Any:
        if self.user.is_active and self.user.email:
            yield self.user

    def send(self, request: HttpRequest) -> bool:
        """Send the link; False if the user cannot get one (inactive, or no e-mail address)."""
        if not self.is_valid() or not self.user.is_active:
            return False
        self.save(
            request=request,
            use_https=request.is_secure(),
            subject_template_name=self.subject_template,
            email_template_name=self.email_template,
        )
        return True
