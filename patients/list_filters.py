"""The patient list's search and filters as GET parameters, and what a search for a personnummer that
cannot be one says.

The filters live in the address (``?q=…&housing=…&vardcentral=…``), so a link reproduces the list. A
value that is not one of the choices is a field error in Swedish next to that filter, and the list is
shown without it: never a 500.

A query shaped like a whole personnummer (``YYYYMMDD-NNNN``, ``YYMMDD-NNNN``, with or without the dash)
that fails the check digit, or whose date does not exist or lies in the future, gets a hint saying why;
such a number is never offered emergency access (``patients.views``): nobody has it.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.actor import Actor
from directory.models import Organisation, OrganisationKind

from .models import HousingSetting
from .personnummer import is_reservnummer, parse_identity
from .selectors import PatientFilters

# A whole identity number as typed: the century optional, a dash or plus optional, spaces allowed.
_WHOLE_NUMBER = re.compile(r"^(\d{2})?\d{6}[-+]?\d{4}$")

FILTER_NAMES = ("housing", "vardcentral", "enrolled", "open_case", "task")
YES_NO = [("", gettext_lazy("All")), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def identity_problem(query: str, *, today: datetime.date | None = None) -> str | None:
    """Why ``query``, typed as a whole personnummer, cannot be one; ``None`` for anything else (a name,
    part of a number, or a number that may exist)."""
    cleaned = query.strip().replace(" ", "")
    if is_reservnummer(cleaned) or not _WHOLE_NUMBER.match(cleaned):
        return None
    today = today or datetime.date.today()
    try:
        identity = parse_identity(cleaned, today=today)
    except ValidationError as error:
        return str(error.messages[0])
    if identity.birth_date > today:
        return _("The date in the personnummer lies in the future: %(date)s.") % {
            "date": identity.birth_date.isoformat()
        }
    return None


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class PatientFilterForm(forms.Form):
    """The search and filters above the patient list (bound to ``request.GET``)."""

    q = forms.CharField(
        label=gettext_lazy("Personnummer or name"),
        help_text=gettext_lazy("Personnummer as YYYYMMDD-NNNN, or part of the name."),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    housing = forms.ChoiceField(
        label=gettext_lazy("Housing setting"),
        choices=[("", gettext_lazy("All")), *HousingSetting.choices],
        required=False,
    )
    vardcentral = forms.ChoiceField(label=gettext_lazy("Listed vårdcentral"), required=False)
    enrolled = forms.ChoiceField(
        label=gettext_lazy("Enrolled in home health care"), choices=YES_NO, required=False
    )
    open_case = forms.ChoiceField(label=gettext_lazy("Open case"), choices=YES_NO, required=False)
    task = forms.ChoiceField(label=gettext_lazy("Task on an open case"), required=False)

    def __init__(
        self, *args: Any, vardcentraler: list[Organisation], tasks: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        vardcentral = self.fields["vardcentral"]
        assert isinstance(vardcentral, forms.ChoiceField)
        vardcentral.choices = [("", _("All")), *((str(v.public_id), v.name) for v in vardcentraler)]
        task = self.fields["task"]
        assert isinstance(task, forms.ChoiceField)
        task.choices = [("", _("All")), *tasks]

    def filters(self) -> PatientFilters:
        """The filters whose values are valid (an invalid one is left out, and shown as an error)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        vardcentral = data.get("vardcentral") or ""
        return PatientFilters(
            housing=data.get("housing") or "",
            vardcentral=uuid.UUID(vardcentral) if vardcentral else None,
            enrolled=_yes_no(data.get("enrolled") or ""),
            open_case=_yes_no(data.get("open_case") or ""),
            task_type=data.get("task") or "",
        )

    @property
    def search(self) -> str:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return str(data.get("q") or "")

    @property
    def any_filter(self) -> bool:
        return any(self.data.get(name) for name in FILTER_NAMES)


def vardcentraler_for(actor: Actor) -> list[Organisation]:
    """The vårdcentraler of the regions the person works in: the choices of the vårdcentral filter
    (directory data, not patient data)."""
    regions = {
        m.organisation.pk if m.organisation.kind == OrganisationKind.REGION else m.organisation.region_id
        for m in actor.memberships
    }
    return list(
        Organisation.objects.filter(
            kind=OrganisationKind.VARDCENTRAL, region_id__in=[r for r in regions if r is not None]
        ).order_by("name")
    )
