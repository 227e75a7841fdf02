"""The SIP editor's forms: the draft (the four elements, who does what and when, participants, contacts),
the follow-up, the withdrawal of consent and the record of who received the plan."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.models import Organisation, User
from hemsjukvard.limits import max_length_of
from sip.models import (
    ConsentWithdrawal,
    SipContactPath,
    SipFollowUp,
    SipInsats,
    SipOtherMeasure,
    SipParticipant,
    SipVersion,
)

from . import selectors, services
from .inputs import UNCHANGED
from .masking import shown
from .models import (
    Attendance,
    ConsentGivenBy,
    ContactPeriod,
    DistributionMethod,
    FollowUpOutcome,
    LegalBasis,
    OtherActorKind,
    ParticipantKind,
    RecipientKind,
    Sip,
    SipDistribution,
)

ROWS = {"participants": 4, "contact_paths": 3, "other_measures": 2}
EMPTY_PARTICIPANT_ROWS = 2  # rows for more participants, beside those the draft has
MAX_PARTICIPANT_ROWS = 50
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


class HandlaggareField(forms.ChoiceField):
    """The plan's biståndshandläggare, offered from a list: the user the page sends, or ``None``. Whether
    she may be named is the service's rule (the same as for the API), so the field checks only that the
    user exists; the service's refusal comes back beside the field."""

    def to_python(self, value: Any) -> User | None:
        if value in self.empty_values:
            return None
        try:
            return User.objects.get(public_id=uuid.UUID(str(value)))
        except (ValueError, User.DoesNotExist):
            raise ValidationError(
                _("Choose the biståndshandläggare from the list."), code="invalid_choice"
            ) from None

    def validate(self, value: Any) -> None:
        # Not checked against the list: the service says why someone may not be named.
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


class SipDraftForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    huvudansvar = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)
    huvudansvar_contact = forms.CharField(
        label=gettext_lazy("Contact for the overall responsibility"),
        required=False,
        max_length=max_length_of(SipVersion, "huvudansvar_contact"),
    )
    huvudansvar_phone = forms.CharField(
        label=gettext_lazy("Phone to the contact person"),
        required=False,
        max_length=max_length_of(SipVersion, "huvudansvar_phone"),
    )
    fast_vardkontakt_name = forms.CharField(
        label=gettext_lazy("Fast vårdkontakt"),
        required=False,
        max_length=max_length_of(SipVersion, "fast_vardkontakt_name"),
    )
    fast_vardkontakt_unit = forms.CharField(
        label=gettext_lazy("Unit"),
        required=False,
        max_length=max_length_of(SipVersion, "fast_vardkontakt_unit"),
    )
    fast_vardkontakt_phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=max_length_of(SipVersion, "fast_vardkontakt_phone"),
    )
    fast_lakarkontakt_name = forms.CharField(
        label=gettext_lazy("Fast läkarkontakt"),
        required=False,
        max_length=max_length_of(SipVersion, "fast_lakarkontakt_name"),
    )
    fast_lakarkontakt_unit = forms.CharField(
        label=gettext_lazy("Unit"),
        required=False,
        max_length=max_length_of(SipVersion, "fast_lakarkontakt_unit"),
    )
    fast_lakarkontakt_phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=max_length_of(SipVersion, "fast_lakarkontakt_phone"),
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
        handlaggare_choices: list[tuple[str, str]] | None = None,
        sol_only: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        # Whoever keeps the plan names socialtjänst's biståndshandläggare (``handlaggare_choices``: who may
        # be named); the biståndshandläggare herself does not get the field.
        if handlaggare_choices is not None:
            self.fields["bistandshandlaggare"] = HandlaggareField(
                label=gettext_lazy("Biståndshandläggare (social services)"),
                required=False,
                choices=[("", gettext_lazy("None named")), *handlaggare_choices],
                help_text=_handlaggare_help(version.sip),
            )
            named = version.sip.bistandshandlaggare
            self.initial["bistandshandlaggare"] = str(named.public_id) if named is not None else ""
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
            self.fields[f"insats_{key}_basis"] = forms.ChoiceField(
                label=gettext_lazy("Given under"), required=False, choices=LegalBasis.choices
            )
            self.fields[f"insats_{key}_starts_on"] = forms.DateField(
                label=gettext_lazy("Starts on"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[f"insats_{key}_frequency"] = forms.CharField(
                label=gettext_lazy("How often or for how long"),
                required=False,
                max_length=max_length_of(SipInsats, "frequency"),
                help_text=gettext_lazy("E.g. daily at 08 and 20, every third day, weeks 50–52."),
            )
            self.fields[f"insats_{key}_reported_by"] = forms.CharField(
                label=gettext_lazy("Results reported by"),
                required=False,
                max_length=max_length_of(SipInsats, "reported_by"),
            )
            self.fields[f"insats_{key}_reported_to"] = forms.CharField(
                label=gettext_lazy("Results reported to"),
                required=False,
                max_length=max_length_of(SipInsats, "reported_to"),
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
        stored_participants = len(list(version.participants.all()))
        sent_rows = 0
        if self.is_bound:
            sent_rows = sum(1 for n in self.data if n.startswith("participant_") and n.endswith("_name"))
        self.participant_rows = min(
            max(stored_participants + EMPTY_PARTICIPANT_ROWS, sent_rows, ROWS["participants"]),
            MAX_PARTICIPANT_ROWS,
        )
        for index in range(self.participant_rows):
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
            self.fields[f"participant_{index}_attendance"] = forms.ChoiceField(
                label=gettext_lazy("Attended"), required=False, choices=[("", "–"), *Attendance.choices]
            )
            self.fields[f"participant_{index}_phone"] = forms.CharField(
                label=gettext_lazy("Phone"), required=False, max_length=max_length_of(SipParticipant, "phone")
            )
            self.fields[f"participant_{index}_email"] = forms.CharField(
                label=gettext_lazy("E-mail (optional)"),
                required=False,
                max_length=max_length_of(SipParticipant, "email"),
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
        self.sol_only = sol_only
        if sol_only:
            self._lock_all_but_sol(version)

    _INSATS_PARTS = (
        "description",
        "responsible",
        "basis",
        "starts_on",
        "frequency",
        "reported_by",
        "reported_to",
    )

    def _lock_all_but_sol(self, version: Any) -> None:
        """For socialtjänst's biståndshandläggare: what she may not change (the plan's fields, the
        participants, the contact paths, the health care (HSL) insatser) is shown read-only and kept as
        stored, so the page never offers what saving would refuse. The SoL insatser, rows she adds and what
        others do stay editable."""
        if self.is_bound:
            self._initial_from(version)  # what a read-only field keeps
        open_rows: set[str] = set()
        for key in self.insats_keys:
            origin = self._origin(key)
            if origin is None or origin.basis != LegalBasis.HSL:
                open_rows.add(f"insats_{key}_")
            else:
                for part in self._INSATS_PARTS:
                    self.initial[f"insats_{key}_{part}"] = self.initial.get(
                        f"insats_{self.insatser.index(origin)}_{part}"
                    )
        for name, field in self.fields.items():
            if name == "revision" or name.startswith("other_") or name.endswith("_origin"):
                continue
            if any(name.startswith(prefix) for prefix in open_rows):
                continue
            field.disabled = True

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
            self.initial[f"insats_{index}_basis"] = insats.basis
            self.initial[f"insats_{index}_starts_on"] = insats.starts_on
            self.initial[f"insats_{index}_frequency"] = insats.frequency
            self.initial[f"insats_{index}_reported_by"] = insats.reported_by
            self.initial[f"insats_{index}_reported_to"] = insats.reported_to
        for index, m in enumerate(list(version.other_measures.all())[: ROWS["other_measures"]]):
            self.initial.update(
                {
                    f"other_{index}_description": m.description,
                    f"other_{index}_kind": m.actor_kind,
                    f"other_{index}_name": self._shown(m, "actor_name"),
                }
            )
        for index, p in enumerate(list(version.participants.all())[: self.participant_rows]):
            self.initial.update(
                {
                    f"participant_{index}_name": self._shown(p, "name"),
                    f"participant_{index}_kind": p.kind,
                    f"participant_{index}_role": p.role,
                    f"participant_{index}_attendance": p.attendance,
                    f"participant_{index}_phone": self._shown(p, "phone"),
                    f"participant_{index}_email": self._shown(p, "email"),
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
                "fields": [
                    self[f"insats_{key}_description"],
                    self[f"insats_{key}_responsible"],
                    self[f"insats_{key}_basis"],
                    self[f"insats_{key}_starts_on"],
                    self[f"insats_{key}_frequency"],
                    self[f"insats_{key}_reported_by"],
                    self[f"insats_{key}_reported_to"],
                ],
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
            "participants": self.rows("participant", self.participant_rows),
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
            "huvudansvar_phone",
            "fast_vardkontakt_name",
            "fast_vardkontakt_unit",
            "fast_vardkontakt_phone",
            "fast_lakarkontakt_name",
            "fast_lakarkontakt_unit",
            "fast_lakarkontakt_phone",
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
            when = {
                name: data.get(f"insats_{key}_{name}") or ""
                for name in ("frequency", "reported_by", "reported_to")
            }
            starts_on = data.get(f"insats_{key}_starts_on")
            if origin is None and not description and responsible is None and not any(when.values()):
                continue  # a row added and left empty
            insatser.append(
                services.InsatsInput(
                    description=description or (origin.description if origin is not None else ""),
                    responsible=responsible,
                    orders=origin.orders if origin is not None else None,
                    follows_up=origin.follows_up if origin is not None else None,
                    task_type=origin.task_type if origin is not None else None,
                    notes=origin.notes if origin is not None else "",
                    basis=data.get(f"insats_{key}_basis") or (origin.basis if origin is not None else "hsl"),
                    starts_on=starts_on,
                    **when,
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
        # The page does not show a participant's organisation: a row keeps the one stored in its place.
        stored = list(self.version.participants.all())
        participants = [
            services.ParticipantInput(
                name=data[f"participant_{i}_name"],
                kind=data[f"participant_{i}_kind"],
                role=data.get(f"participant_{i}_role") or "",
                organisation=stored[i].organisation if i < len(stored) else None,
                attendance=data.get(f"participant_{i}_attendance") or "",
                phone=data.get(f"participant_{i}_phone") or "",
                email=data.get(f"participant_{i}_email") or "",
            )
            for i in range(self.participant_rows)
            if data.get(f"participant_{i}_name")
        ]
        # Nor a contact path's organisation and notes (set through the API): a path keeps its period's.
        stored_paths = {path.period: path for path in self.version.contact_paths.all()}
        contacts = []
        for i in range(3):
            if not data.get(f"contact_{i}_who"):
                continue
            period = data[f"contact_{i}_period"] or ContactPeriod.choices[i][0]
            kept = stored_paths.get(period)
            contacts.append(
                services.ContactPathInput(
                    period=period,
                    who=data[f"contact_{i}_who"],
                    phone=data.get(f"contact_{i}_phone") or "",
                    organisation=kept.organisation if kept is not None else None,
                    notes=kept.notes if kept is not None else "",
                )
            )
        return services.DraftChanges(
            fields=fields,
            bistandshandlaggare=self._handlaggare(),
            insatser=insatser,
            other_measures=other,
            participants=participants,
            contact_paths=contacts,
        )

    def _handlaggare(self) -> Any:
        """The biståndshandläggare to name, ``None`` to un-name her, or unchanged (also when the page
        sends the one already named: saving the draft then never re-checks her)."""
        if "bistandshandlaggare" not in self.fields:
            return UNCHANGED
        chosen = self.cleaned_data.get("bistandshandlaggare")
        if (chosen.pk if chosen is not None else None) == self.version.sip.bistandshandlaggare_id:
            return UNCHANGED
        return chosen


def _handlaggare_help(sip: Sip) -> str:
    if sip.case_id is None:
        return _(
            "The one you name can read the plan and write its social services (SoL) insatser once you "
            "save the draft. This plan has no case, so the handläggare is not notified: say so yourself. "
            "Choose “None named” to remove the handläggare, who then no longer sees the plan."
        )
    return _(
        "When you save the draft, the one you name gets a notification that the plan names them as "
        "biståndshandläggare. They can then read the plan and write its social services (SoL) insatser, "
        "nothing else of the person's record. Choose “None named” to remove the handläggare, who then no "
        "longer sees the plan."
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


class DistributionForm(forms.Form):
    """Utlämnad till / skickad till: who received the plan, how, when."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    recipient_kind = forms.ChoiceField(
        label=gettext_lazy("Received by"), choices=RecipientKind.choices, widget=forms.RadioSelect
    )
    recipient_name = forms.CharField(
        label=gettext_lazy("Recipient's name"), max_length=max_length_of(SipDistribution, "recipient_name")
    )
    method = forms.ChoiceField(label=gettext_lazy("How"), choices=DistributionMethod.choices)
    given_on = forms.DateField(
        label=gettext_lazy("Given or sent on"), widget=forms.DateInput(attrs={"type": "date"})
    )
