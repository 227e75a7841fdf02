"""SIP pages: start a plan from an agreed case, edit the draft (the four elements, consent, goals,
participants, contact paths, follow-up date), finalise it (the law's checks as messages), versions,
follow-up, and the PDF. Reads through ``sip.selectors``, writes through ``sip.services``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import ModelChoiceIterator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attachments import sections as attachment_sections
from cases import selectors as case_selectors
from directory.actor import Actor
from directory.models import Organisation
from documents import selectors as document_selectors
from documents.models import DocumentKind
from hemsjukvard.errors import StaleVersionError, StateConflictError
from hemsjukvard.form_once import form_once
from hemsjukvard.limits import max_length_of
from hemsjukvard.pages import apply_service_errors, refusal_message
from sip.models import (
    ConsentWithdrawal,
    SipContactPath,
    SipFollowUp,
    SipInsats,
    SipOtherMeasure,
    SipParticipant,
    SipVersion,
)

from . import policies, selectors, services
from .masking import MASK, shown
from .models import ConsentGivenBy, ContactPeriod, FollowUpOutcome, OtherActorKind, ParticipantKind, Sip

ROWS = {"participants": 4, "contact_paths": 3, "other_measures": 2}
# The insatser are rows the person adds and removes. Each row carries a key (``insats_row``, kept in the
# page) and, when it is a row of the saved draft, the index of that row (``insats_<key>_origin``), so that
# what the page does not show (task type, ordering and following-up organisation, notes) is kept.
INSATS_ROW = "insats_row"
MAX_INSATS = 100  # rows one can add up to; a longer draft (from the API) keeps all its rows
MAX_ROW_KEY = 9999


def _insats_keys(data: Any) -> list[int] | None:
    """The row keys the page sent, in order (``None`` when it sent none: a page from before rows)."""
    if INSATS_ROW not in data:
        return None
    keys: list[int] = []
    for raw in data.getlist(INSATS_ROW):
        if raw.isdigit() and int(raw) <= MAX_ROW_KEY and int(raw) not in keys:
            keys.append(int(raw))
    return keys


def _organisations(sip: Sip) -> list[Organisation]:
    ids = set(selectors.sip_organisation_ids(sip))
    region_id = sip.patient.folkbokforing_kommun.region_id
    if region_id is not None:
        ids.add(region_id)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


class _ListedChoiceIterator(ModelChoiceIterator):
    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        field = self.field
        assert isinstance(field, OrganisationChoiceField)
        if field.empty_label is not None:
            yield ("", field.empty_label)
        for organisation in field.organisations:
            yield self.choice(organisation)

    def __len__(self) -> int:
        field = self.field
        assert isinstance(field, OrganisationChoiceField)
        return len(field.organisations) + (1 if field.empty_label is not None else 0)


class OrganisationChoiceField(forms.ModelChoiceField[Organisation]):
    """A choice of the plan's organisations, read once per page: the editor shows one such select per
    insats row, and each would otherwise query for its options and again to check the choice."""

    iterator = _ListedChoiceIterator

    def __init__(self, *, organisations: list[Organisation], **kwargs: Any) -> None:
        self.organisations = organisations
        super().__init__(
            queryset=Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by("name"),
            to_field_name="public_id",
            **kwargs,
        )

    def to_python(self, value: Any) -> Organisation | None:
        if value in self.empty_values:
            return None
        for organisation in self.organisations:
            if str(organisation.public_id) == str(value):
                return organisation
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


def _org_field(
    label: Any, organisations: list[Organisation], required: bool = False
) -> OrganisationChoiceField:
    return OrganisationChoiceField(
        label=label,
        organisations=organisations,
        required=required,
        empty_label=gettext_lazy("Choose…"),
    )


class SipDraftForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    huvudansvar = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)
    huvudansvar_contact = forms.CharField(
        label=gettext_lazy("Contact for the overall responsibility"),
        required=False,
        max_length=max_length_of(SipVersion, "huvudansvar_contact"),
    )
    no_other_measures = forms.BooleanField(
        label=gettext_lazy("No one other than the kommun and the region does anything"), required=False
    )
    what_matters = forms.CharField(
        label=gettext_lazy("What matters to the person"),
        required=False,
        max_length=max_length_of(SipVersion, "what_matters"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    own_goals = forms.CharField(
        label=gettext_lazy("The person's own goals"),
        required=False,
        max_length=max_length_of(SipVersion, "own_goals"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    interpreter_needed = forms.BooleanField(label=gettext_lazy("Needs an interpreter"), required=False)
    interpreter_language = forms.CharField(
        label=gettext_lazy("Interpreter language"),
        required=False,
        max_length=max_length_of(SipVersion, "interpreter_language"),
    )
    follow_up_on = forms.DateField(
        label=gettext_lazy("Follow-up date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    consent_given_by = forms.ChoiceField(
        label=gettext_lazy("Consent given by"), required=False, choices=[("", "–"), *ConsentGivenBy.choices]
    )
    consent_given_by_name = forms.CharField(
        label=gettext_lazy("Name of who gave consent"),
        required=False,
        max_length=max_length_of(SipVersion, "consent_given_by_name"),
    )
    consent_representative_role = forms.CharField(
        label=gettext_lazy("Role of the representative"),
        required=False,
        max_length=max_length_of(SipVersion, "consent_representative_role"),
    )
    consent_scope = forms.CharField(
        label=gettext_lazy("What the consent covers"),
        required=False,
        max_length=max_length_of(SipVersion, "consent_scope"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    consent_given_on = forms.DateField(
        label=gettext_lazy("Consent given on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    consent_valid_to = forms.DateField(
        label=gettext_lazy("Consent valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        version: Any,
        organisations: list[Organisation],
        insats_keys: list[int] | None = None,
        focus_key: int | None = None,
        identity_visible: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        # Someone who sees the identity masked is shown the mask in the fields naming the person or a
        # närstående; sent back unchanged, the service keeps what is stored (``sip.masking``).
        self.identity_visible = identity_visible
        self.fields["huvudansvar"] = _org_field(
            gettext_lazy("Overall responsibility (huvudansvar)"), organisations
        )
        self.insatser = list(version.insatser.all())
        if insats_keys is None and self.is_bound:
            insats_keys = _insats_keys(self.data)
        # Without keys (a first render, or a page from before rows) the rows are the draft's, in order.
        self.by_position = insats_keys is None
        self.insats_keys = insats_keys if insats_keys is not None else list(range(len(self.insatser)))
        for key in self.insats_keys:
            self.fields[f"insats_{key}_origin"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=0
            )
            # A row just added takes the focus, so the person types straight into it.
            attrs = {"data-focus-on-load": ""} if key == focus_key else {}
            self.fields[f"insats_{key}_description"] = forms.CharField(
                label=gettext_lazy("Insats"),
                required=False,
                max_length=max_length_of(SipInsats, "description"),
                widget=forms.TextInput(attrs=attrs),
            )
            self.fields[f"insats_{key}_responsible"] = _org_field(
                gettext_lazy("Answered for by"), organisations
            )
        for index in range(ROWS["other_measures"]):
            self.fields[f"other_{index}_description"] = forms.CharField(
                label=gettext_lazy("Measure"),
                required=False,
                max_length=max_length_of(SipOtherMeasure, "description"),
            )
            self.fields[f"other_{index}_kind"] = forms.ChoiceField(
                label=gettext_lazy("Kind of actor"),
                required=False,
                choices=[("", "–"), *OtherActorKind.choices],
            )
            self.fields[f"other_{index}_name"] = forms.CharField(
                label=gettext_lazy("Who"),
                required=False,
                max_length=max_length_of(SipOtherMeasure, "actor_name"),
            )
        for index in range(ROWS["participants"]):
            self.fields[f"participant_{index}_name"] = forms.CharField(
                label=gettext_lazy("Name"),
                required=False,
                max_length=max_length_of(SipParticipant, "name"),
            )
            self.fields[f"participant_{index}_kind"] = forms.ChoiceField(
                label=gettext_lazy("Kind"), required=False, choices=[("", "–"), *ParticipantKind.choices]
            )
            self.fields[f"participant_{index}_role"] = forms.CharField(
                label=gettext_lazy("Role"),
                required=False,
                max_length=max_length_of(SipParticipant, "role"),
            )
        for index, (period, _label) in enumerate(ContactPeriod.choices):
            self.fields[f"contact_{index}_period"] = forms.CharField(
                widget=forms.HiddenInput, initial=period, required=False
            )
            self.fields[f"contact_{index}_who"] = forms.CharField(
                label=gettext_lazy("Who to call"),
                required=False,
                max_length=max_length_of(SipContactPath, "who"),
            )
            self.fields[f"contact_{index}_phone"] = forms.CharField(
                label=gettext_lazy("Phone"),
                required=False,
                max_length=max_length_of(SipContactPath, "phone"),
            )
        if not self.is_bound:
            self._initial_from(version)

    def _initial_from(self, version: Any) -> None:
        for name in services.DRAFT_FIELDS:
            value = getattr(version, name, None)
            if name == "huvudansvar":
                value = version.huvudansvar.public_id if version.huvudansvar_id else None
            self.initial[name] = value
        self.initial["consent_given_by_name"] = self._shown(version, "consent_given_by_name")
        for index, insats in enumerate(self.insatser):
            self.initial[f"insats_{index}_origin"] = index
            self.initial[f"insats_{index}_description"] = insats.description
            self.initial[f"insats_{index}_responsible"] = (
                insats.responsible.public_id if insats.responsible_id else None
            )
        for index, m in enumerate(list(version.other_measures.all())[: ROWS["other_measures"]]):
            self.initial.update(
                {
                    f"other_{index}_description": m.description,
                    f"other_{index}_kind": m.actor_kind,
                    f"other_{index}_name": self._shown(m, "actor_name"),
                }
            )
        for index, p in enumerate(list(version.participants.all())[: ROWS["participants"]]):
            self.initial.update(
                {
                    f"participant_{index}_name": self._shown(p, "name"),
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

    def _shown(self, record: object, field: str) -> str:
        return shown(record, field, identity_visible=self.identity_visible)

    def rows(self, prefix: str, count: int) -> list[list[Any]]:
        return [
            [
                self[n]
                for n in self.fields
                if n.startswith(f"{prefix}_{i}_") and not self.fields[n].widget.is_hidden
            ]
            for i in range(count)
        ]

    def insats_rows(self) -> list[dict[str, Any]]:
        """The insats rows as the page shows them: key, number, the hidden origin and visible fields."""
        return [
            {
                "key": key,
                "number": number,
                "origin": self[f"insats_{key}_origin"],
                "fields": [self[f"insats_{key}_description"], self[f"insats_{key}_responsible"]],
            }
            for number, key in enumerate(self.insats_keys, start=1)
        ]

    def _origin(self, key: int) -> Any:
        """The saved insats a row stands for, or ``None`` for a row the person added."""
        if self.by_position:
            return self.insatser[key] if key < len(self.insatser) else None
        raw = self.data.get(f"insats_{key}_origin", "") if self.is_bound else ""
        if not str(raw).isdigit() or int(raw) >= len(self.insatser):
            return None
        return self.insatser[int(raw)]

    def groups(self) -> dict[str, Any]:
        return {
            "insatser": self.insats_rows(),
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
        insatser = []
        for key in self.insats_keys:
            origin = self._origin(key)
            description = (data.get(f"insats_{key}_description") or "").strip()
            responsible = data.get(f"insats_{key}_responsible")
            if origin is None and not description and responsible is None:
                continue  # a row added and left empty
            insatser.append(
                services.InsatsInput(
                    description=description or (origin.description if origin is not None else ""),
                    responsible=responsible,
                    orders=origin.orders if origin is not None else None,
                    follows_up=origin.follows_up if origin is not None else None,
                    task_type=origin.task_type if origin is not None else None,
                    notes=origin.notes if origin is not None else "",
                )
            )
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
        label=gettext_lazy("How the follow-up went"),
        max_length=max_length_of(SipFollowUp, "notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConsentWithdrawalForm(forms.Form):
    """Samtycke återkallat: who withdrew the consent, when, and why if they said."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    withdrawn_by = forms.ChoiceField(
        label=gettext_lazy("Who withdrew the consent"),
        choices=ConsentGivenBy.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Say whether the person or a representative withdrew the consent.")
        },
    )
    withdrawn_by_name = forms.CharField(
        label=gettext_lazy("Name of who withdrew the consent"),
        max_length=max_length_of(ConsentWithdrawal, "withdrawn_by_name"),
        error_messages={"required": gettext_lazy("Give the name of who withdrew the consent.")},
    )
    withdrawn_on = forms.DateField(
        label=gettext_lazy("Withdrawn on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": gettext_lazy("Give the date the consent was withdrawn.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason, if the person gave one"),
        required=False,
        max_length=max_length_of(ConsentWithdrawal, "reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_withdrawn_on(self) -> Any:
        # The service checks this too; checking here keeps the confirmation step from confirming an
        # entry that would then be refused.
        withdrawn_on = self.cleaned_data["withdrawn_on"]
        if withdrawn_on > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."))
        return withdrawn_on


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
    actions = policies.allowed_actions(actor, view.facts)
    organisations = _organisations(sip)
    visible = view.identity_visible
    if form is None and policies.SipAction.UPDATE_DRAFT in actions:
        form = SipDraftForm(
            version=version,
            organisations=organisations,
            initial={"revision": sip.revision},
            identity_visible=visible,
        )
    if follow_form is None and policies.SipAction.RECORD_FOLLOW_UP in actions:
        follow_form = FollowUpForm(
            initial={"revision": sip.revision, "held_on": timezone.localdate()}, prefix="follow"
        )
    finalised = selectors.latest_finalised(sip)
    withdrawal = selectors.consent_withdrawal(sip)
    documents: list[Any] = []
    if finalised is not None and view.shared:
        documents = document_selectors.documents_listed(
            actor=actor,
            documents=document_selectors.documents_for_source(
                actor=actor, kind=DocumentKind.SIP_CARE_PLAN, source_id=finalised.public_id
            )[:5],
        )
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
            "attachments": attachment_sections.sip_section(actor=actor, view=view),
            "versions": list(sip.versions.all()),
            "identity_visible": visible,
            "mask": MASK,
            "withdrawal": withdrawal,
            # Who gave and who withdrew consent name the person (or their representative): masked alike.
            "consent_given_by_name": shown(finalised, "consent_given_by_name", identity_visible=visible)
            if finalised is not None
            else "",
            "withdrawn_by_name": shown(withdrawal, "withdrawn_by_name", identity_visible=visible)
            if withdrawal is not None
            else "",
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

    def start() -> HttpResponseBase:
        sip = services.sip_create_from_case(actor=actor, case=case, expected_case_version=None)
        messages.success(
            request,
            _("The SIP is started from the agreed case; the case becomes active when the SIP is finalised."),
        )
        return redirect("sip:detail", public_id=sip.public_id)

    try:
        # A double click or the back button starts one plan: the second POST goes where the first went.
        return form_once(request, start)
    except (StateConflictError, ValidationError) as error:
        messages.error(request, refusal_message(error))
        return redirect("cases:detail", public_id=case.public_id)


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
                request.POST,
                version=selectors.current_version(sip),
                organisations=_organisations(sip),
                identity_visible=view.identity_visible,
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
    except StaleVersionError:
        messages.error(
            request, _("Someone else changed the SIP while you were working on it. Check it and try again.")
        )
    except StateConflictError as conflict:
        messages.error(request, conflict.message)
    return redirect("sip:detail", public_id=sip.public_id)


@login_required
@require_POST
def sip_draft_rows(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Add an insats row to the draft being edited, or remove one; nothing is saved until "Save".

    The whole form is posted (so what the person typed stays), the rows change, and the form comes back:
    with htmx only the insatser fieldset, without JavaScript the whole page.
    """
    actor = Actor.from_request(request)
    view = selectors.sip_get(actor=actor, public_id=public_id)
    sip = view.sip
    # A plan no longer shared with the person (consent withdrawn) is not theirs to edit either.
    if not view.shared or policies.SipAction.UPDATE_DRAFT not in policies.allowed_actions(actor, view.facts):
        raise PermissionDenied(_("Only the care staff on the plan may change it."))
    version = selectors.current_version(sip)
    keys = _insats_keys(request.POST)
    if keys is None:
        keys = list(range(len(list(version.insatser.all()))))
    removed = request.POST.get("insats_remove", "")
    focus: int | None = None
    if removed.isdigit() and int(removed) in keys:
        keys.remove(int(removed))
    elif "insats_add" in request.POST and len(keys) < MAX_INSATS:
        focus = next(k for k in range(len(keys) + 1) if k not in keys)  # the smallest key not in use
        keys.append(focus)
    form = SipDraftForm(
        request.POST,
        version=version,
        organisations=_organisations(sip),
        insats_keys=keys,
        focus_key=focus,
        identity_visible=view.identity_visible,
    )
    form.is_valid()  # cleans the posted values for the re-render; errors show as they would on saving
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "sip/_insatser.html",
            {"form": form, "groups": form.groups(), "sip": sip, "removed": focus is None and bool(removed)},
        )
    return _render(request, actor, view, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def sip_withdraw_consent(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    """Record that the person (or their representative) withdrew consent: fill in, confirm, recorded.

    The first post shows what will be recorded and what it does (sharing stops) and asks for
    confirmation; only the confirmed post calls ``services.sip_withdraw_consent``.
    """
    actor = Actor.from_request(request)
    view = selectors.sip_get(actor=actor, public_id=public_id)
    sip = view.sip
    facts = view.facts
    if policies.editing_membership(actor, facts.organisation_ids) is None or not view.shared:
        raise PermissionDenied(_("Only the care staff on the plan may change it."))
    if policies.SipAction.WITHDRAW_CONSENT not in policies.allowed_actions(actor, facts):
        messages.error(
            request, _("There is no consent to withdraw: it has already been withdrawn, or none was given.")
        )
        return redirect("sip:detail", public_id=sip.public_id)
    others = [o for o in _organisations(sip) if o.pk != sip.owner_organisation_id]
    context: dict[str, Any] = {
        "view": view,
        "sip": sip,
        "identity_visible": view.identity_visible,
        "finalised": selectors.latest_finalised(sip),
        "others": others,
    }
    if request.method != "POST":
        context["form"] = ConsentWithdrawalForm(
            initial={"revision": sip.revision, "withdrawn_on": timezone.localdate()}
        )
        return render(request, "sip/consent_withdraw.html", context)
    form = ConsentWithdrawalForm(request.POST)
    context["form"] = form
    if not form.is_valid() or "edit" in request.POST:
        return render(request, "sip/consent_withdraw.html", context, status=400 if form.errors else 200)
    if "confirm" not in request.POST:
        context["confirming"] = True
        return render(request, "sip/consent_withdraw.html", context)
    revision = form.cleaned_data.get("revision")
    try:
        withdrawal = services.sip_withdraw_consent(
            actor=actor,
            sip=sip,
            expected_revision=revision,
            withdrawn_by=form.cleaned_data["withdrawn_by"],
            withdrawn_by_name=form.cleaned_data["withdrawn_by_name"],
            withdrawn_on=form.cleaned_data["withdrawn_on"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return render(request, "sip/consent_withdraw.html", context, status=400)
    except StaleVersionError:
        messages.error(
            request, _("Someone else changed the SIP while you were working on it. Check it and try again.")
        )
        return redirect("sip:detail", public_id=sip.public_id)
    except StateConflictError as conflict:
        messages.error(request, conflict.message)
        return redirect("sip:detail", public_id=sip.public_id)
    if withdrawal is not None:
        messages.success(
            request,
            _(
                "The withdrawal of consent is recorded. The plan is no longer shared with other "
                "organisations."
            ),
        )
    else:
        messages.success(
            request,
            _("The consent in the draft is removed; the plan cannot be finalised without a new consent."),
        )
    return redirect("sip:detail", public_id=sip.public_id)
