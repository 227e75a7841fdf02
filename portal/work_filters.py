"""The filters and sort of My work, and the person's kept choice of them (``WorkListChoice``).

The choice is sent by POST (a GET changes nothing) and kept on the person, so My work opens the way
they left it, in the next session too. A stored value that is no longer a choice (an organisation that
left the region, a status renamed) is dropped when the choice is read, never an error.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import OPEN_STATUSES, CaseStatus
from cases.selectors import HANDLERS, SORTS, WorkFilters, case_organisation_choices
from directory.actor import Actor
from directory.models import Organisation, User

from .models import WorkListChoice

SORT_LABELS = {
    "due": gettext_lazy("Deadline, overdue first"),
    "urgent": gettext_lazy("Urgent first"),
    "newest": gettext_lazy("Newest first"),
    "updated": gettext_lazy("Latest changed first"),
}
HANDLER_LABELS = {
    "me": gettext_lazy("Assigned to me"),
    "team": gettext_lazy("My team"),
    "unassigned": gettext_lazy("Not assigned"),
}
FIELDS = ("urgent", "overdue", "status", "organisation", "handler", "sort")


class WorkFilterForm(forms.Form):
    urgent = forms.BooleanField(label=gettext_lazy("Only urgent"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Only overdue"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    organisation = forms.ChoiceField(label=gettext_lazy("Organisation on the case"), required=False)
    handler = forms.ChoiceField(label=gettext_lazy("Handler"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Sort"), required=False)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.public_id): o for o in organisations}
        self._choices("status", [(s.value, s.label) for s in CaseStatus if s.value in OPEN_STATUSES])
        self._choices("organisation", [(key, o.name) for key, o in self.organisations.items()])
        self._choices("handler", [(key, HANDLER_LABELS[key]) for key in HANDLERS])
        sort = self.fields["sort"]
        assert isinstance(sort, forms.ChoiceField)
        sort.choices = [(key, SORT_LABELS[key]) for key in SORTS]

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All")), *choices]

    def filters(self) -> WorkFilters:
        """The valid values as ``WorkFilters`` (an invalid one is left out)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        organisation = self.organisations.get(data.get("organisation") or "")
        return WorkFilters(
            urgent=bool(data.get("urgent")),
            overdue=bool(data.get("overdue")),
            status=data.get("status") or "",
            organisation=organisation.pk if organisation is not None else None,
            sort=data.get("sort") or "due",
            handler=data.get("handler") or "",
        )

    def values(self) -> dict[str, Any]:
        """What is kept: the valid values, as the form posts them."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {name: data[name] for name in FIELDS if data.get(name)}

    @property
    def narrowed(self) -> bool:
        """Whether any list is narrowed (a sort alone hides nothing)."""
        filters = self.filters()
        return (
            filters.urgent
            or filters.overdue
            or bool(filters.status)
            or filters.organisation is not None
            or bool(filters.handler)
        )


def organisations_for(actor: Actor) -> list[Organisation]:
    """The choices of the organisation filter (``cases.selectors.case_organisation_choices``)."""
    return case_organisation_choices(actor=actor)


def kept_form(user: User, organisations: list[Organisation]) -> WorkFilterForm:
    """The person's kept choice as a (validated) form; an empty one when they have kept none."""
    choice = WorkListChoice.objects.filter(user=user).values_list("values", flat=True).first()
    form = WorkFilterForm(
        {k: v for k, v in (choice or {}).items() if k in FIELDS}, organisations=organisations
    )
    form.is_valid()
    return form


def keep(user: User, form: WorkFilterForm) -> None:
    """Keep ``form``'s valid values as the person's choice (none kept: the choice is forgotten)."""
    values = form.values()
    if values:
        WorkListChoice.objects.update_or_create(user=user, defaults={"values": values})
    else:
        WorkListChoice.objects.filter(user=user).delete()
