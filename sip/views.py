"""SIP pages: start a plan from an agreed case, edit the draft (the four elements, consent, goals,
participants, contact paths, follow-up date), finalise it (the law's checks as messages), versions,
follow-up, and the PDF. Reads through ``sip.selectors``, writes through ``sip.services``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases import selectors as case_selectors
from cases.forms import apply_service_errors
from directory.actor import Actor
from directory.models import Organisation
from documents import selectors as document_selectors
from documents.models import DocumentKind
from hemsjukvard.api.concurrency import PreconditionFailed
from hemsjukvard.api.errors import Conflict

from . import policies, selectors, services
from .models import ConsentGivenBy, ContactPeriod, FollowUpOutcome, OtherActorKind, ParticipantKind, Sip

ROWS = {"participants": 4, "contact_paths": 3, "other_measures": 2}


def _organisations(sip: Sip) -> list[Organisation]:
    ids = set(selectors.sip_organisation_ids(sip))
    region_id = sip.patient.folkbokforing_kommun.region_id
    if region_id is not None:
        ids.add(region_id)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def _org_field(
    label: Any, organisations: list[Organisation], required: bool = False
) -> forms.ModelChoiceField[Organisation]:
    return forms.ModelChoiceField(
        label=label,
        queryset=Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by("name"),
        to_field_name="public_id",
        required=required,
        empty_label=gettext_lazy("Choose…"),
    )


class SipDraftForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    huvudansvar = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)
    huvudansvar_contact = forms.CharField(
        label=gettext_lazy("Contact for the overall responsibility"), required=False
    )
    no_other_measures = forms.BooleanField(
        label=gettext_lazy("No one other than the kommun and the region does anything"), required=False
    )
    what_matters = forms.CharField(
        label=gettext_lazy("What matters to the person"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    own_goals = forms.CharField(
        label=gettext_lazy("The person's own goals"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    interpreter_needed = forms.BooleanField(label=gettext_lazy("Needs an interpreter"), required=False)
    interpreter_language = forms.CharField(label=gettext_lazy("Interpreter language"), required=False)
    follow_up_on = forms.DateField(
        label=gettext_lazy("Follow-up date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    consent_given_by = forms.ChoiceField(
        label=gettext_lazy("Consent given by"), required=False, choices=[("", "–"), *ConsentGivenBy.choices]
    )
    consent_given_by_name = forms.CharField(label=gettext_lazy("Name of who gave consent"), required=False)
    consent_representative_role = forms.CharField(
        label=gettext_lazy("Role of the representative"), required=False
    )
    consent_scope = forms.CharField(
        label=gettext_lazy("What the consent covers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent_given_on = forms.DateField(
        label=gettext_lazy("Consent given on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    consent_valid_to = forms.DateField(
        label=gettext_lazy("Consent valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, version: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["huvudansvar"] = _org_field(
            gettext_lazy("Overall responsibility (huvudansvar)"), organisations
        )
        self.insatser = list(version.insatser.all())
        for index in range(len(self.insatser)):
            self.fields[f"insats_{index}_description"] = forms.CharField(
                label=gettext_lazy("Insats"), required=False
            )
            self.fields[f"insats_{index}_responsible"] = _org_field(
                gettext_lazy("Answered for by"), organisations
            )
        for index in range(ROWS["other_measures"]):
            self.fields[f"other_{index}_description"] = forms.CharField(
                label=gettext_lazy("Measure"), required=False
            )
            self.fields[f"other_{index}_kind"] = forms.ChoiceField(
                label=gettext_lazy("Kind of actor"),
                required=False,
                choices=[("", "–"), *OtherActorKind.choices],
            )
            self.fields[f"other_{index}_name"] = forms.CharField(label=gettext_lazy("Who"), required=False)
        for index in range(ROWS["participants"]):
            self.fields[f"participant_{index}_name"] = forms.CharField(
                label=gettext_lazy("Name"), required=False
            )
            self.fields[f"participant_{index}_kind"] = forms.ChoiceField(
                label=gettext_lazy("Kind"), required=False, choices=[("", "–"), *ParticipantKind.choices]
            )
            self.fields[f"participant_{index}_role"] = forms.CharField(
                label=gettext_lazy("Role"), required=False
            )
        for index, (period, _label) in enumerate(ContactPeriod.choices):
            self.fields[f"contact_{index}_period"] = forms.CharField(
                widget=forms.HiddenInput, initial=period, required=False
            )
            self.fields[f"contact_{index}_who"] = forms.CharField(
                label=gettext_lazy("Who to call"), required=False
            )
            self.fields[f"contact_{index}_phone"] = forms.CharField(
                label=gettext_lazy("Phone"), required=False
            )
        if not self.is_bound:
            self._initial_from(version)

    def _initial_from(self, version: Any) -> None:
        for name in services.DRAFT_FIELDS:
            value = getattr(version, name, None)
            if name == "huvudansvar":
                value = version.huvudansvar.public_id if version.huvudansvar_id else None
            self.initial[name] = value
        for index, insats in enumerate(self.insatser):
            self.initial[f"insats_{index}_description"] = insats.description
            self.initial[f"insats_{index}_responsible"] = (
                insats.responsible.public_id if insats.responsible_id else None
            )
        for index, m in enumerate(list(version.other_measures.all())[: ROWS["other_measures"]]):
            self.initial.update(
                {
                    f"other_{index}_description": m.description,
                    f"other_{index}_kind": m.actor_kind,
                    f"other_{index}_name": m.actor_name,
                }
            )
        for index, p in enumerate(list(version.participants.all())[: ROWS["participants"]]):
            self.initial.update(
                {
                    f"participant_{index}_name": p.name,
                    f"participant_{index}_kind": p.kind,
                    f"participant_{index}_role": p.role,
                }
            )
        paths = {p.period: p for p in version.contact_paths.all()}
        for index, (period, _label) in enumerate(ContactPeriod.choices):
            if period in paths:
                self.initial.update(
                    {f"contact_{index}_who": paths[period].who, f"contact_{index}_phone": paths[period].phone}
                )

    def rows(self, prefix: str, count: int) -> list[list[Any]]:
        return [
            [
                self[n]
                for n in self.fields
                if n.startswith(f"{prefix}_{i}_") and not self.fields[n].widget.is_hidden
            ]
            for i in range(count)
        ]

    def groups(self) -> dict[str, Any]:
        return {
            "insatser": list(zip(self.insatser, self.rows("insats", len(self.insatser)), strict=True)),
            "other": self.rows("other", ROWS["other_measures"]),
            "participants": self.rows("participant", ROWS["participants"]),
            "contacts": list(
                zip([label for _p, label in ContactPeriod.choices], self.rows("contact", 3), strict=True)
            ),
            "contact_hidden": [self[f"contact_{i}_period"] for i in range(3)],
        }

    def changes(self) -> services.DraftChanges:
        data = self.cleaned_data
        fields = {name: data.get(name) for name in services.DRAFT_FIELDS}
        for name in (
            "consent_given_by",
            "huvudansvar_contact",
            "what_matters",
            "own_goals",
            "interpreter_language",
            "consent_given_by_name",
            "consent_representative_role",
            "consent_scope",
        ):
            fields[name] = fields[name] or ""
        insatser = [
            services.InsatsInput(
                description=data.get(f"insats_{i}_description") or insats.description,
                responsible=data.get(f"insats_{i}_responsible"),
                orders=insats.orders,
                follows_up=insats.follows_up,
                task_type=insats.task_type,
                notes=insats.notes,
            )
            for i, insats in enumerate(self.insatser)
        ]
        other = [
            services.OtherMeasureInput(
                description=data[f"other_{i}_description"],
                actor_kind=data[f"other_{i}_kind"],
                actor_name=data[f"other_{i}_name"],
            )
            for i in range(ROWS["other_measures"])
            if data.get(f"other_{i}_description")
        ]
        participants = [
            services.ParticipantInput(
                name=data[f"participant_{i}_name"],
                kind=data[f"participant_{i}_kind"],
                role=data.get(f"participant_{i}_role") or "",
            )
            for i in range(ROWS["participants"])
            if data.get(f"participant_{i}_name")
        ]
        contacts = [
            services.ContactPathInput(
                period=data[f"contact_{i}_period"] or ContactPeriod.choices[i][0],
                who=data[f"contact_{i}_who"],
                phone=data.get(f"contact_{i}_phone") or "",
            )
            for i in range(3)
            if data.get(f"contact_{i}_who")
        ]
        return services.DraftChanges(
            fields=fields,
            insatser=insatser,
            other_measures=other,
            participants=participants,
            contact_paths=contacts,
        )


class FollowUpForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    held_on = forms.DateField(label=gettext_lazy("Held on"), widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"), choices=FollowUpOutcome.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=gettext_lazy("How the follow-up went"), widget=forms.Textarea(attrs={"rows": 3})
    )


def _render(
    request: HttpRequest,
    actor: Actor,
    view: Any,
    *,
    form: Any = None,
    follow_form: Any = None,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    sip = view.sip
    version = selectors.current_version(sip)
    actions = policies.allowed_actions(actor, selectors.sip_facts(sip))
    organisations = _organisations(sip)
    if form is None and policies.SipAction.UPDATE_DRAFT in actions:
        form = SipDraftForm(version=version, organisations=organisations, initial={"revision": sip.revision})
    if follow_form is None and policies.SipAction.RECORD_FOLLOW_UP in actions:
        follow_form = FollowUpForm(
            initial={"revision": sip.revision, "held_on": timezone.localdate()}, prefix="follow"
        )
    finalised = selectors.latest_finalised(sip)
    documents: list[Any] = []
    if finalised is not None and view.shared:
        documents = list(
            document_selectors.documents_for_source(
                actor=actor, kind=DocumentKind.SIP_CARE_PLAN, source_id=finalised.public_id
            )[:5]
        )
        document_selectors.documents_log_listed(actor=actor, documents=documents)
    return render(
        request,
        "sip/sip_detail.html",
        {
            "view": view,
            "sip": sip,
            "version": version,
            "finalised": finalised,
            "actions": actions,
            "form": form,
            "groups": form.groups() if form is not None else None,
            "follow_form": follow_form,
            "problems": problems or {},
            "documents": documents,
            "versions": list(sip.versions.all()),
            "identity_visible": view.identity_visible,
        },
        status=status,
    )


@login_required
@require_GET
def sip_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = Actor.from_request(request)
    return _render(request, actor, selectors.sip_get(actor=actor, public_id=public_id))


@login_required
@require_POST
def sip_from_case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=case_id)
    try:
        sip = services.sip_create_from_case(actor=actor, case=case, expected_case_version=None)
    except (Conflict, ValidationError) as error:
        messages.error(
            request, str(error.detail) if isinstance(error, Conflict) else " ".join(error.messages)
        )
        return redirect("cases:detail", public_id=case.public_id)
    messages.success(request, _("The SIP is started from the agreed case; fill it in and finalise it."))
    return redirect("sip:detail", public_id=sip.public_id)


def _problems(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"": list(error.messages)}


@login_required
@require_http_methods(["POST"])
def sip_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponseBase:
    actor = Actor.from_request(request)
    view = selectors.sip_get(actor=actor, public_id=public_id)
    sip = view.sip
    revision_raw = request.POST.get("revision") or request.POST.get("follow-revision")
    revision = int(revision_raw) if revision_raw and revision_raw.isdigit() else None
    try:
        if action == "save" or action == "finalise":
            form = SipDraftForm(
                request.POST, version=selectors.current_version(sip), organisations=_organisations(sip)
            )
            if not form.is_valid():
                return _render(request, actor, view, form=form, status=400)
            try:
                services.sip_update_draft(
                    actor=actor, sip=sip, expected_revision=revision, changes=form.changes()
                )
            except ValidationError as error:
                apply_service_errors(form, error)
                return _render(request, actor, view, form=form, status=400)
            if action == "finalise":
                try:
                    services.sip_finalise(
                        actor=actor, sip=selectors.sip_reload(sip=sip), expected_revision=None
                    )
                except ValidationError as error:
                    view = selectors.sip_get(actor=actor, public_id=public_id, log=False)
                    return _render(request, actor, view, problems=_problems(error), status=400)
                messages.success(
                    request, _("The SIP is finalised. Create the PDF for the person and the participants.")
                )
            else:
                messages.success(request, _("The draft is saved."))
        elif action == "new_version":
            services.sip_new_version(actor=actor, sip=sip, expected_revision=revision)
            messages.success(request, _("A new version is started as a draft."))
        elif action == "follow_up":
            follow_form = FollowUpForm(request.POST, prefix="follow")
            if not follow_form.is_valid():
                return _render(request, actor, view, follow_form=follow_form, status=400)
            try:
                services.sip_record_follow_up(
                    actor=actor,
                    sip=sip,
                    expected_revision=revision,
                    **{k: follow_form.cleaned_data[k] for k in ("held_on", "outcome", "notes")},
                )
            except ValidationError as error:
                apply_service_errors(follow_form, error)
                return _render(request, actor, view, follow_form=follow_form, status=400)
            messages.success(request, _("The follow-up is recorded."))
        else:
            raise Http404
    except PreconditionFailed:
        messages.error(
            request, _("Someone else changed the SIP while you were working on it. Check it and try again.")
        )
    except Conflict as conflict:
        messages.error(request, str(conflict.detail))
    return redirect("sip:detail", public_id=sip.public_id)
