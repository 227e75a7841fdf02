"""The case search page (``/cases/search/``) of coordinators, MAS and MAR.

Its search and filters are GET parameters, so a link reproduces the result. Every case listed was found
through ``cases.selectors.case_search`` (the case rule) and is logged by ``cases_listed``; other roles
get 403. A value that is not a choice is a Swedish field error and that filter is left out.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from access.roles import CASE_SEARCH_ROLES
from directory.actor import Actor
from directory.models import Organisation

from . import selectors
from .models import CaseStatus
from .presenters import task_catalogue, task_name, work_rows

PAGE_SIZE = 25


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Case number, patient's name or personnummer"),
        help_text=gettext_lazy(
            "The case number as on its documents (HSV-2026-000123, or only 123), or the beginning of its id."
        ),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    task = forms.ChoiceField(label=gettext_lazy("Task"), required=False)
    organisation = forms.ChoiceField(label=gettext_lazy("Organisation on the case"), required=False)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("status", list(CaseStatus.choices))
        self._choices("task", [(t.code, task_name(t)) for t in task_catalogue()])
        self._choices("organisation", [(str(o.public_id), o.name) for o in organisations])

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All")), *choices]

    def search(self) -> selectors.CaseSearch:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        organisation = data.get("organisation") or ""
        return selectors.CaseSearch(
            query=str(data.get("q") or ""),
            status=data.get("status") or "",
            task_type=data.get("task") or "",
            organisation=uuid.UUID(organisation) if organisation else None,
        )


@login_required
@require_GET
def case_search(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    if not any(m.role in CASE_SEARCH_ROLES for m in actor.memberships):
        raise PermissionDenied(_("Only coordinators, MAS and MAR search all cases."))
    form = CaseSearchForm(request.GET, organisations=selectors.case_organisation_choices(actor=actor))
    valid = form.is_valid()
    search = form.search()
    searched = bool(search.query.strip() or search.status or search.task_type or search.organisation)
    rows: list[Any] = []
    page = None
    if searched:
        cases = selectors.case_search(actor=actor, search=search)
        page = Paginator(selectors.case_list_keys(cases).order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        shown = selectors.cases_listed(actor=actor, cases=cases, ids=[case.pk for case in page.object_list])
        rows = work_rows(shown)
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "cases/case_search.html",
        {"form": form, "rows": rows, "page": page, "searched": searched, "address": kept.urlencode()},
        status=200 if valid else 400,
    )
