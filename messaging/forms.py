"""The page forms of messages: write one to a party of the case, reply in its thread, close it."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import CaseTask
from directory.models import Organisation

from .models import BODY_MAX_LENGTH
from .services import reply_by_errors


class DateInput(forms.DateInput):
    input_type = "date"


class TextField(forms.CharField):
    """Free text from a textarea, its line breaks counted as the browser counts them.

    A browser sends each line break of a textarea as CR LF, but its ``maxlength`` counts it as one
    character: without this, a text the browser let through is refused as too long by as many
    characters as it has lines. Line breaks are stored as LF."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)


class MessageForm(forms.Form):
    to = forms.ChoiceField(
        label=_("To"),
        help_text=_("One of the case's other parties."),
        error_messages={"required": _("Choose one of the case's other parties.")},
    )
    task = forms.ChoiceField(label=_("Concerns the task"), required=False)
    reply_by = forms.DateField(
        label=_("Answer by"),
        required=False,
        widget=DateInput(),
        help_text=_("Optional. If no answer has come by then, both they and you get a reminder."),
    )
    body = TextField(
        label=_("Message"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Write no more about the patient than the question needs (at most 4,000 characters)."),
        error_messages={"required": _("Write the message.")},
    )

    def __init__(
        self,
        *args: Any,
        parties: list[Organisation],
        tasks: list[CaseTask],
        task_names: dict[int, str],
        first_day: datetime.date,
        last_day: datetime.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        to = self.fields["to"]
        task = self.fields["task"]
        assert isinstance(to, forms.ChoiceField)
        assert isinstance(task, forms.ChoiceField)
        to.choices = [
            ("", _("Choose a party")),
            *((str(o.public_id), o.name) for o in parties),
        ]
        task.choices = [
            ("", _("The case as a whole")),
            *((str(t.public_id), task_names.get(t.pk, "")) for t in tasks),
        ]
        widget = self.fields["reply_by"].widget
        widget.attrs.update({"min": first_day.isoformat(), "max": last_day.isoformat()})
        self.first_day = first_day

    def clean_reply_by(self) -> datetime.date | None:
        """The service's rule for the date, checked here too so that a refused form says every error at
        once (a message too long and a day already passed), not one per submit."""
        value: datetime.date | None = self.cleaned_data.get("reply_by")
        if problems := reply_by_errors(value, self.first_day):
            raise forms.ValidationError(problems)
        return value


class ReplyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    body = TextField(
        label=_("Your reply"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the reply.")},
    )


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
