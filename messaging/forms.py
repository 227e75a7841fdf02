"""The page forms of messages: write one to a party of the case, reply in its thread, close it."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import CaseTask
from directory.models import Organisation

from .models import BODY_MAX_LENGTH


class DateInput(forms.DateInput):
    input_type = "date"


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
    body = forms.CharField(
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


class ReplyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    body = forms.CharField(
        label=_("Your reply"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the reply.")},
    )


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
