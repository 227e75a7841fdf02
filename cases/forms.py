"""Forms of the case pages. They parse and check the shape of input; the services decide the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.choices import SplitArrangement, TaskKind, TimeBand
from directory.models import Organisation, OrganisationKind
from hemsjukvard.limits import max_length_of

from .models import (
    CaseEvent,
    CaseTask,
    DecisionOutcome,
    EscalationDecision,
    Hazard,
    Measure,
    Position,
    ResponsibilityCase,
    RiskAnalysis,
    ShiftPlanning,
    Trigger,
    Urgency,
)
from .presenters import task_name


class VersionedForm(forms.Form):
    """Carries the case version the person read, so a change made by someone else meanwhile is caught."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CaseNewForm(forms.Form):
    trigger = forms.ChoiceField(label=_("Trigger"), choices=Trigger.choices, widget=forms.RadioSelect)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect
    )
    specialist_clinic = forms.ModelChoiceField(
        label=_("Ordering specialist clinic"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("For specialised tasks (e.g. PD): the clinic that orders them."),
    )
    # A draft is saved as it is, even without tasks; submitting names what is missing.
    tasks = forms.MultipleChoiceField(
        label=_("Tasks asked of the municipality"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    background = forms.CharField(
        label=_("Background"),
        required=False,
        max_length=max_length_of(ResponsibilityCase, "background"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    increased_staff_time = forms.BooleanField(label=_("More staff time (ökad personaltid)"), required=False)
    increased_other_costs = forms.BooleanField(
        label=_("Other costs (ökade övriga kostnader)"), required=False
    )
    competence_needed = forms.BooleanField(label=_("Competence needed (kompetenshöjning)"), required=False)
    patient_safety_risk = forms.BooleanField(
        label=_("Patient-safety risk (patientsäkerhetsrisk)"), required=False
    )
    shift_planning = forms.ChoiceField(
        label=_("Was the shift of care planned?"),
        choices=ShiftPlanning.choices,
        initial=ShiftPlanning.UNKNOWN,
    )
    # Where the person stays, if not at home: the kommun of stay takes the kommunal part (HSL 12 kap. 2 §).
    stay_kommun = forms.ModelChoiceField(
        label=_("Staying in another kommun"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("No, at home"),
        help_text=_("E.g. a summer house or a short-term stay: that kommun performs the kommun's part."),
    )
    stay_from = forms.DateField(
        label=_("Staying from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    stay_to = forms.DateField(
        label=_("Staying until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    stay_note = forms.CharField(
        label=_("About the stay"), required=False, max_length=max_length_of(ResponsibilityCase, "stay_note")
    )
    submit_now = forms.BooleanField(required=False, widget=forms.HiddenInput)

    # Per ticked task, the times of day its visits are planned: checkboxes named ``bands-<task code>``.
    BANDS_PREFIX = "bands-"

    def __init__(
        self,
        *args: Any,
        clinics: Sequence[Organisation] = (),
        task_choices: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["specialist_clinic"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[c.pk for c in clinics]).order_by("name")
        field.to_field_name = "public_id"
        tasks = self.fields["tasks"]
        assert isinstance(tasks, forms.MultipleChoiceField)
        tasks.choices = list(task_choices)
        stay = self.fields["stay_kommun"]
        assert isinstance(stay, forms.ModelChoiceField)
        stay.queryset = Organisation.objects.filter(kind=OrganisationKind.KOMMUN, is_active=True).order_by(
            "name"
        )
        stay.to_field_name = "public_id"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        bands: dict[str, list[str]] = {}
        getlist = getattr(self.data, "getlist", None)
        for code in cleaned.get("tasks") or []:
            chosen = list(getlist(f"{self.BANDS_PREFIX}{code}")) if getlist else []
            if set(chosen) - set(TimeBand.values):
                self.add_error("tasks", _("Choose times of day from the list: day, evening, night."))
            elif chosen:
                bands[code] = chosen
        cleaned["visit_bands"] = bands
        return cleaned

    def bands_of(self, code: str) -> list[str]:
        """The times of day ticked for a task, as the form shows them again."""
        getlist = getattr(self.data, "getlist", None)
        if getlist is not None and self.is_bound:
            return list(getlist(f"{self.BANDS_PREFIX}{code}"))
        return list((self.initial.get("visit_bands") or {}).get(code, []))


class CaseDraftForm(CaseNewForm):
    """The new-case form for changing a draft: it carries the version the person read."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def initial_from(case: ResponsibilityCase) -> dict[str, Any]:
        """The form filled in as the draft is: its fields, the tasks ticked and the version read."""
        return {
            "trigger": case.trigger,
            "urgency": case.urgency,
            "specialist_clinic": case.specialist_clinic.public_id if case.specialist_clinic else None,
            "tasks": [t.task_type.code for t in case.tasks.select_related("task_type").order_by("pk")],
            "background": case.background,
            "increased_staff_time": case.increased_staff_time,
            "increased_other_costs": case.increased_other_costs,
            "competence_needed": case.competence_needed,
            "patient_safety_risk": case.patient_safety_risk,
            "shift_planning": case.shift_planning,
            "stay_kommun": case.stay_kommun.public_id if case.stay_kommun else None,
            "stay_from": case.stay_from,
            "stay_to": case.stay_to,
            "stay_note": case.stay_note,
            "visit_bands": {
                t.task_type.code: t.visit_band_list
                for t in case.tasks.select_related("task_type")
                if t.visit_bands
            },
            "version": case.version,
        }


# A reason or comment is kept on the case's event.
REASON_MAX_LENGTH = max_length_of(CaseEvent, "reason")


class ReasonForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class OptionalReasonForm(VersionedForm):
    reason = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CommentForm(VersionedForm):
    text = forms.CharField(
        label=_("Comment"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


def _org_field(
    label: Any, organisations: Sequence[Organisation], *, required: bool
) -> forms.ModelChoiceField[Organisation]:
    field: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=label,
        queryset=Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by("name"),
        to_field_name="public_id",
        required=required,
        empty_label=_("Choose…"),
    )
    return field


SPLIT_PARTS = (("orders", _("Orders")), ("performs", _("Performs")), ("follows_up", _("Follows up")))


class _TaskFieldsForm(VersionedForm):
    """A form with fields per task: ``<prefix>_<task public id>_<part>``."""

    def __init__(
        self,
        *args: Any,
        tasks: Sequence[CaseTask] = (),
        organisations: Sequence[Organisation] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.tasks = list(tasks)
        self.organisations = list(organisations)

    def split_fields(self, task: CaseTask, *, required: bool) -> None:
        for part, label in SPLIT_PARTS:
            self.fields[f"split_{task.public_id}_{part}"] = _org_field(
                label, self.organisations, required=required
            )

    def split_of(self, task: CaseTask) -> dict[str, Organisation | None]:
        return {part: self.cleaned_data.get(f"split_{task.public_id}_{part}") for part, _label in SPLIT_PARTS}

    def arrangement_fields(self, task: CaseTask) -> None:
        """For a physician task: the law's fallback, the kommun engaging a physician, with a note."""
        if task.task_type.kind != TaskKind.PHYSICIAN:
            return
        self.fields[f"split_{task.public_id}_arrangement"] = forms.BooleanField(
            label=SplitArrangement.KOMMUN_ENGAGES_PHYSICIAN.label, required=False
        )
        self.fields[f"split_{task.public_id}_arrangement_note"] = forms.CharField(
            label=_("arrangement: note"),
            required=False,
            max_length=max_length_of(CaseTask, "arrangement_note"),
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("Which physician the kommun engages, for what, and how the region was consulted."),
        )

    def arrangement_of(self, task: CaseTask) -> dict[str, str]:
        if not self.cleaned_data.get(f"split_{task.public_id}_arrangement"):
            return {"arrangement": "", "arrangement_note": ""}
        note = str(self.cleaned_data.get(f"split_{task.public_id}_arrangement_note") or "")
        return {"arrangement": SplitArrangement.KOMMUN_ENGAGES_PHYSICIAN, "arrangement_note": note}

    def task_groups(self) -> list[dict[str, Any]]:
        """For the template: each task with its bound fields."""
        groups = []
        for task in self.tasks:
            key = str(task.public_id)
            groups.append(
                {
                    "task": task,
                    "name": task_name(task.task_type),
                    "fields": [self[name] for name in self.fields if key in name],
                }
            )
        return groups


class ReviewAnswerChoice:
    LATER = ""
    ACCEPT = "accept"
    DISPUTE = "dispute"


REVIEW_ANSWERS = [
    (ReviewAnswerChoice.LATER, _("Not now")),
    (ReviewAnswerChoice.ACCEPT, _("Accept")),
    (ReviewAnswerChoice.DISPUTE, _("Dispute")),
]


class ReviewForm(_TaskFieldsForm):
    """A party's answers on the tasks awaiting it, in one submit: accept some, dispute others (with a
    position on each disputed task), leave the rest for later. Accepting an unclear task needs the
    split the reviewer states; on a disputed task the split is the one the party proposes."""

    reason = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for task in self.tasks:
            self.fields[f"answer_{task.public_id}"] = forms.ChoiceField(
                label=_("Your answer"),
                choices=REVIEW_ANSWERS,
                required=False,
                initial=ReviewAnswerChoice.ACCEPT,
                widget=forms.RadioSelect,
            )
            self.fields[f"text_{task.public_id}"] = forms.CharField(
                label=_("Position (when you dispute)"),
                required=False,
                max_length=max_length_of(Position, "text"),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.split_fields(task, required=False)
            self.arrangement_fields(task)

    def answer_of(self, task: CaseTask) -> str:
        return str(self.cleaned_data.get(f"answer_{task.public_id}") or "")

    def text_of(self, task: CaseTask) -> str:
        return str(self.cleaned_data.get(f"text_{task.public_id}") or "").strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        answers = {t.public_id: str(cleaned.get(f"answer_{t.public_id}") or "") for t in self.tasks}
        if not any(answers.values()):
            raise ValidationError(_("Accept or dispute at least one task."))
        for task in self.tasks:
            answer = answers[task.public_id]
            if (
                answer == ReviewAnswerChoice.DISPUTE
                and not str(cleaned.get(f"text_{task.public_id}") or "").strip()
            ):
                self.add_error(f"text_{task.public_id}", _("State your position on the task you dispute."))
            if answer == ReviewAnswerChoice.ACCEPT and task.is_unclear:
                for part, _label in SPLIT_PARTS:
                    if cleaned.get(f"split_{task.public_id}_{part}") is None:
                        self.add_error(
                            f"split_{task.public_id}_{part}",
                            _("The responsibility is unclear: state who orders, performs and follows it up."),
                        )
        return cleaned


class PositionsForm(_TaskFieldsForm):
    """A position in words on each task (optional per task, at least one), with a split it proposes."""

    reason = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for task in self.tasks:
            self.fields[f"text_{task.public_id}"] = forms.CharField(
                label=_("Position"),
                required=False,
                max_length=max_length_of(Position, "text"),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.split_fields(task, required=False)
            self.arrangement_fields(task)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(str(cleaned.get(f"text_{t.public_id}") or "").strip() for t in self.tasks):
            raise ValidationError(_("State a position on at least one task."))
        return cleaned


class DecideForm(_TaskFieldsForm):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        max_length=max_length_of(EscalationDecision, "reasons"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for task in self.tasks:
            self.split_fields(task, required=False)
            self.arrangement_fields(task)


LIKELIHOOD = [
    ("", _("Choose…")),
    ("1", _("1 – Very unlikely")),
    ("2", _("2 – Unlikely")),
    ("3", _("3 – Likely")),
    ("4", _("4 – Very likely")),
]
CONSEQUENCE = [
    ("", _("Choose…")),
    ("1", _("1 – Minor")),
    ("2", _("2 – Moderate")),
    ("3", _("3 – Serious")),
    ("4", _("4 – Catastrophic")),
]


class HazardForm(forms.Form):
    description = forms.CharField(
        label=_("Hazard"),
        required=False,
        max_length=max_length_of(Hazard, "description"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    likelihood = forms.TypedChoiceField(label=_("Likelihood"), choices=LIKELIHOOD, coerce=int, required=False)
    consequence = forms.TypedChoiceField(
        label=_("Consequence"), choices=CONSEQUENCE, coerce=int, required=False
    )
    measure = forms.CharField(
        label=_("Measure"),
        required=False,
        max_length=max_length_of(Measure, "description"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    measure_owner = forms.ModelChoiceField(
        label=_("Measure owned by"),
        queryset=Organisation.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("Choose…"),
    )
    measure_due = forms.DateField(
        label=_("Measure due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, organisations: Sequence[Organisation] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["measure_owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        described = bool(str(cleaned.get("description") or "").strip())
        if described:
            for name in ("likelihood", "consequence"):
                if not cleaned.get(name):
                    self.add_error(name, _("Score from 1 to 4."))
        if str(cleaned.get("measure") or "").strip():
            if not cleaned.get("measure_owner"):
                self.add_error("measure_owner", _("Say who owns the measure."))
            if not cleaned.get("measure_due"):
                self.add_error("measure_due", _("Give a due date for the measure."))
        due = cleaned.get("measure_due")
        if due is not None and due < timezone.localdate():
            self.add_error("measure_due", _("A measure's due date cannot be in the past."))
        return cleaned

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not str(data.get("description") or "").strip()


HazardFormSet = forms.formset_factory(HazardForm, extra=0, min_num=1, max_num=20, validate_max=True)


class AnalysisForm(VersionedForm):
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=max_length_of(RiskAnalysis, "summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    review_on = forms.DateField(
        label=_("Review date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_review_on(self) -> Any:
        value = self.cleaned_data.get("review_on")
        if value is not None and value < timezone.localdate():
            raise ValidationError(_("The review date cannot be in the past."))
        return value
