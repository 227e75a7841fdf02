"""Case representations (output) and the input of each action."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.api.serializers import TaskBandsSerializer, bands_by_task
from agreements.choices import SplitArrangement, TimeBand
from agreements.models import CareTaskType
from assignments.models import CaseAssignment
from consent.models import (
    NAME_MAX,
    SCOPE_MAX,
    TEXT_MAX,
    BasisKind,
    ConsentForm,
    GivenBy,
    OtherGround,
)
from directory.api.serializers import OrganisationRefSerializer, PersonRefSerializer
from directory.models import Organisation, OrganisationKind
from hemsjukvard.limits import (
    MAX_HAZARDS,
    MAX_MEASURES,
    MAX_MEASURES_PER_HAZARD,
    MAX_TASKS,
    at_most,
    max_length_of,
)

from ..models import (
    CaseEvent,
    CaseStatus,
    CaseTask,
    DecisionOutcome,
    EscalationDecision,
    EventKind,
    Hazard,
    Measure,
    Position,
    ResponsibilityCase,
    ReviewAnswer,
    RiskAnalysis,
    ShiftPlanning,
    Trigger,
    Urgency,
)
from .sharing import SharingStateSerializer, hide_task_text, sharing_of, sharing_state

# --- Output ----------------------------------------------------------------------------------------


class TaskReviewSerializer(serializers.Serializer[Any]):
    """One party's answer on a task: accepted or disputed, by whom, for which organisation."""

    user = PersonRefSerializer(read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    role = serializers.CharField(read_only=True)
    at = serializers.DateTimeField(read_only=True)
    answer = serializers.ChoiceField(choices=ReviewAnswer.choices, read_only=True)
    text = serializers.CharField(read_only=True, help_text=_("The party's position, where it disputed."))


class CaseTaskSerializer(serializers.ModelSerializer[CaseTask]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    task_type = serializers.CharField(source="task_type.code", read_only=True)
    task_type_name = serializers.CharField(source="task_type.name_sv", read_only=True)
    proposal = serializers.JSONField(
        read_only=True, help_text=_("The agreement's proposal as made at submit, with the rule cited.")
    )
    agreed_orders = OrganisationRefSerializer(read_only=True, allow_null=True)
    agreed_performs = OrganisationRefSerializer(read_only=True, allow_null=True)
    agreed_follows_up = OrganisationRefSerializer(read_only=True, allow_null=True)
    reviews = TaskReviewSerializer(
        many=True, read_only=True, help_text=_("Each party's answer on the task, oldest first.")
    )
    visit_bands = serializers.ListField(
        source="visit_band_list",
        child=serializers.ChoiceField(choices=TimeBand.choices),
        read_only=True,
        help_text=_("The times of day the task's visits are planned (empty: not given)."),
    )

    class Meta:
        model = CaseTask
        fields = [
            "id",
            "task_type",
            "task_type_name",
            "visit_bands",
            "note",
            "proposal_status",
            "proposal",
            "requires_risk_analysis",
            "approver_role",
            "specialist_active_role_required",
            "review_state",
            "agreed_orders",
            "agreed_performs",
            "agreed_follows_up",
            "agreed_basis",
            "agreed_at",
            "arrangement",
            "arrangement_note",
            "reviews",
        ]


class TeamRefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True, max_length=120)


class CaseHandlerSerializer(serializers.Serializer[Any]):
    """Who handles the case for one organisation on it (a person or a team); an organisation that names
    nobody is not listed."""

    organisation = OrganisationRefSerializer(read_only=True)
    assignee = PersonRefSerializer(read_only=True, allow_null=True)
    team = TeamRefSerializer(read_only=True, allow_null=True)
    assigned_by = PersonRefSerializer(read_only=True)
    assigned_at = serializers.DateTimeField(read_only=True)
    note = serializers.CharField(
        read_only=True,
        max_length=500,
        allow_blank=True,
        help_text=_("The hand-over's note: shown only to the handler's own organisation, empty for others."),
    )


class CaseSerializer(serializers.ModelSerializer[ResponsibilityCase]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    number = serializers.CharField(
        read_only=True,
        max_length=32,
        help_text=_("The case number people read out, e.g. HSV-2026-000123; unique, never changes."),
    )
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    opened_by = PersonRefSerializer(read_only=True)
    opened_by_organisation = OrganisationRefSerializer(read_only=True)
    kommun = OrganisationRefSerializer(read_only=True)
    vardcentral = OrganisationRefSerializer(read_only=True, allow_null=True)
    specialist_clinic = OrganisationRefSerializer(read_only=True, allow_null=True)
    stay_kommun = OrganisationRefSerializer(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Where the person stays, if not at home: that kommun takes the kommunal part (HSL 12 kap. 2 §)."
        ),
    )
    owner_organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    escalation_body = OrganisationRefSerializer(read_only=True, allow_null=True)
    tasks = CaseTaskSerializer(many=True, read_only=True)
    handlers = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()
    sharing = serializers.SerializerMethodField()

    class Meta:
        model = ResponsibilityCase
        fields = [
            "id",
            "number",
            "patient",
            "status",
            "allowed_actions",
            "trigger",
            "urgency",
            "background",
            "increased_staff_time",
            "increased_other_costs",
            "competence_needed",
            "patient_safety_risk",
            "shift_planning",
            "opened_by",
            "opened_by_organisation",
            "kommun",
            "vardcentral",
            "specialist_clinic",
            "stay_kommun",
            "stay_from",
            "stay_to",
            "stay_note",
            "owner_organisation",
            "owner_role",
            "due_at",
            "overdue",
            "escalation_level",
            "escalation_body",
            "closure",
            "tasks",
            "handlers",
            "version",
            "created_at",
            "submitted_at",
            "agreed_at",
            "closed_at",
            "updated_at",
            "sharing",
        ]

    def to_representation(self, instance: ResponsibilityCase) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not sharing_of(instance).text:
            data["background"] = ""
            for task in data["tasks"]:
                hide_task_text(task)
        return dict(data)

    @extend_schema_field(SharingStateSerializer)
    def get_sharing(self, case: ResponsibilityCase) -> dict[str, Any]:
        return sharing_state(case)

    @extend_schema_field(CaseHandlerSerializer(many=True))
    def get_handlers(self, case: ResponsibilityCase) -> list[dict[str, Any]]:
        return _handlers([case], _Refs(), timezone.get_current_timezone()).get(case.pk, [])

    def get_overdue(self, case: ResponsibilityCase) -> bool:
        return case.is_open and case.due_at is not None and case.due_at < timezone.now()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, case: ResponsibilityCase) -> list[str]:
        return list(getattr(case, "allowed_actions", []))


class CaseEventSerializer(serializers.ModelSerializer[CaseEvent]):
    kind = serializers.ChoiceField(
        choices=EventKind.choices, read_only=True, help_text=_("What happened: a transition, a comment, ...")
    )
    user = PersonRefSerializer(read_only=True, allow_null=True)
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    payload = serializers.JSONField(
        read_only=True,
        help_text=_(
            "What the step recorded, by kind. A joint body's decision (kind `decided`) names its `level`, "
            "`body`, `outcome`, whether it is `binding`, the `splits` per task and the `decision`'s id, "
            "which is the `source_id` of its decision notice (`POST /documents`, kind `decision_notice`)."
        ),
    )

    class Meta:
        model = CaseEvent
        fields = [
            "at",
            "kind",
            "action",
            "user",
            "organisation",
            "role",
            "api_client",
            "from_status",
            "to_status",
            "reason",
            "payload",
        ]


class MeasureSerializer(serializers.ModelSerializer[Measure]):
    owner_organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = Measure
        fields = ["description", "owner_organisation", "owner_name", "due_on"]


class HazardSerializer(serializers.ModelSerializer[Hazard]):
    score = serializers.IntegerField(read_only=True)
    high = serializers.BooleanField(source="is_high", read_only=True)
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta:
        model = Hazard
        fields = ["description", "likelihood", "consequence", "score", "high", "measures"]


class PersonalActSerializer(serializers.Serializer[Any]):
    user = PersonRefSerializer(read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    role = serializers.CharField(read_only=True)
    at = serializers.DateTimeField(read_only=True)


class AnalysisDecisionOutSerializer(PersonalActSerializer):
    for_role = serializers.CharField(read_only=True)
    verdict = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)


class RiskAnalysisSerializer(serializers.ModelSerializer[RiskAnalysis]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    case = serializers.UUIDField(source="case.public_id", read_only=True)
    version = serializers.IntegerField(source="number", read_only=True)
    created_by = PersonRefSerializer(read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    hazards = HazardSerializer(many=True, read_only=True)
    measures = serializers.SerializerMethodField()
    signatures = PersonalActSerializer(many=True, read_only=True)
    decisions = AnalysisDecisionOutSerializer(many=True, read_only=True)

    class Meta:
        model = RiskAnalysis
        fields = [
            "id",
            "case",
            "version",
            "status",
            "summary",
            "review_on",
            "created_by",
            "organisation",
            "created_at",
            "hazards",
            "measures",
            "signatures",
            "decisions",
        ]

    @extend_schema_field(MeasureSerializer(many=True))
    def get_measures(self, analysis: RiskAnalysis) -> list[dict[str, Any]]:
        general = [m for m in analysis.measures.all() if m.hazard_id is None]
        return list(MeasureSerializer(general, many=True).data)


# --- Input -----------------------------------------------------------------------------------------


def organisation_field(
    kinds: tuple[str, ...] | None = None, **kwargs: Any
) -> serializers.SlugRelatedField[Organisation]:
    queryset = Organisation.objects.filter(is_active=True)
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    return serializers.SlugRelatedField(slug_field="public_id", queryset=queryset, **kwargs)


class CaseWriteSerializer(serializers.Serializer[dict[str, Any]]):
    trigger = serializers.ChoiceField(choices=Trigger.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    background = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(ResponsibilityCase, "background")
    )
    specialist_clinic = organisation_field(
        (OrganisationKind.SPECIALIST_CLINIC,), required=False, allow_null=True
    )
    increased_staff_time = serializers.BooleanField(required=False)
    increased_other_costs = serializers.BooleanField(required=False)
    competence_needed = serializers.BooleanField(required=False)
    patient_safety_risk = serializers.BooleanField(required=False)
    shift_planning = serializers.ChoiceField(choices=ShiftPlanning.choices, required=False)
    stay_kommun = organisation_field(
        (OrganisationKind.KOMMUN,),
        required=False,
        allow_null=True,
        help_text=_(
            "The kommun where the person stays, if not at home (e.g. a summer house): it takes the "
            "kommunal part of the proposal (HSL 12 kap. 2 §)."
        ),
    )
    stay_from = serializers.DateField(required=False, allow_null=True)
    stay_to = serializers.DateField(required=False, allow_null=True)
    stay_note = serializers.CharField(
        required=False, allow_blank=True, max_length=max_length_of(ResponsibilityCase, "stay_note")
    )
    tasks = serializers.ListField(
        child=serializers.SlugField(max_length=max_length_of(CareTaskType, "code")),
        min_length=1,
        **at_most(MAX_TASKS),
        help_text=_("Codes of the care task types asked for, e.g. peritoneal_dialysis."),
    )
    visit_bands = serializers.ListField(
        child=TaskBandsSerializer(),
        required=False,
        **at_most(MAX_TASKS),
        help_text=_(
            "Per task, the times of day its visits are planned. Agreements may divide a task by the time "
            "of day."
        ),
    )

    def validate_visit_bands(self, value: list[dict[str, Any]]) -> dict[str, list[str]]:
        return bands_by_task(value) or {}


class BasisInputSerializer(serializers.Serializer[dict[str, Any]]):
    """A legal basis for sharing: consent, a menprövning or another ground; the fields of the chosen
    kind are required, the others ignored."""

    kind = serializers.ChoiceField(
        choices=[c for c in BasisKind.choices if c[0] != BasisKind.HISTORIC],
        help_text=_("consent, menprovning or other_ground."),
    )
    scope = serializers.CharField(required=False, allow_blank=True, max_length=SCOPE_MAX)
    given_by = serializers.ChoiceField(choices=GivenBy.choices, required=False, allow_blank=True)
    representative_name = serializers.CharField(required=False, allow_blank=True, max_length=NAME_MAX)
    form = serializers.ChoiceField(choices=ConsentForm.choices, required=False, allow_blank=True)
    given_on = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    assessed_by_name = serializers.CharField(required=False, allow_blank=True, max_length=NAME_MAX)
    assessed_on = serializers.DateField(required=False, allow_null=True)
    reasoning = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    ground = serializers.ChoiceField(choices=OtherGround.choices, required=False, allow_blank=True)
    ground_text = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)


class CaseCreateSerializer(CaseWriteSerializer):
    patient = serializers.UUIDField()
    legal_basis = BasisInputSerializer(
        required=False,
        help_text=_(
            "The legal basis for sharing the case with the other parties, recorded with it. Without one "
            "they see what is asked but no health details until it is recorded."
        ),
    )


# The submit's request example: the person's oral consent, recorded with the submit.
SUBMIT_EXAMPLE = {
    "legal_basis": {
        "kind": "consent",
        "scope": "Ärendet och riskanalysen delas med vårdcentralen och njurmedicin.",
        "given_by": "person",
        "form": "oral",
        "given_on": "2026-03-02",
    }
}


class SubmitSerializer(serializers.Serializer[dict[str, Any]]):
    legal_basis = BasisInputSerializer(
        required=False, help_text=_("The legal basis for sharing, if not recorded when the case was opened.")
    )


class CaseDraftUpdateSerializer(CaseWriteSerializer):
    """A change to a draft, saved as it is: the tasks may be emptied; submitting asks for them."""

    tasks = serializers.ListField(
        child=serializers.SlugField(max_length=max_length_of(CareTaskType, "code")),
        **at_most(MAX_TASKS),
        help_text=_("Codes of the care task types asked for; may be empty while the case is a draft."),
    )


# A reason or comment is kept on the case's event (CaseEvent.reason).
REASON_MAX_LENGTH = max_length_of(CaseEvent, "reason")


class ReasonSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class EscalateSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
    level = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=32767,
        help_text=_(
            "The level you escalate to; by default the one above the level you read. When the case "
            "already stands escalated at this level (your request repeated, or a colleague was first), "
            "the answer is the case as it is and nothing moves further, also with an If-Match from "
            "before that escalation: send it to make a retry safe."
        ),
    )


class OptionalReasonSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)


class CommentSerializer(serializers.Serializer[dict[str, Any]]):
    text = serializers.CharField(max_length=REASON_MAX_LENGTH)


ARRANGEMENT_HELP = _(
    "kommun_engages_physician: the region does not provide the physician care, so the kommun engages a "
    "physician at the region's expense (the law's fallback to “physician care is never the kommun's”); "
    "needs arrangement_note. A split naming the kommun for a physician task without it is refused (400)."
)


def arrangement_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=SplitArrangement.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=ARRANGEMENT_HELP,
    )


def arrangement_note_field() -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=max_length_of(CaseTask, "arrangement_note"),
        help_text=_("Which physician the kommun engages, for what, and how the region was consulted."),
    )


class SplitSerializer(serializers.Serializer[dict[str, Any]]):
    task = serializers.UUIDField()
    orders = organisation_field(required=False, allow_null=True)
    performs = organisation_field(required=False, allow_null=True)
    follows_up = organisation_field(required=False, allow_null=True)
    arrangement = arrangement_field()
    arrangement_note = arrangement_note_field()


class AcceptSerializer(serializers.Serializer[dict[str, Any]]):
    tasks = SplitSerializer(
        many=True,
        required=False,
        **at_most(MAX_TASKS),
        help_text=_(
            "Tasks to accept, of those your organisation answers for; leave out to accept every task "
            "still awaiting your organisation's answer. An unclear task needs orders, performs and "
            "follows_up."
        ),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)


class PositionSerializer(serializers.Serializer[dict[str, Any]]):
    task = serializers.UUIDField()
    text = serializers.CharField(max_length=max_length_of(Position, "text"))
    orders = organisation_field(required=False, allow_null=True)
    performs = organisation_field(required=False, allow_null=True)
    follows_up = organisation_field(required=False, allow_null=True)
    arrangement = arrangement_field()
    arrangement_note = arrangement_note_field()


class DisputeSerializer(serializers.Serializer[dict[str, Any]]):
    positions = PositionSerializer(many=True, **at_most(MAX_TASKS))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH)


class PositionsSerializer(serializers.Serializer[dict[str, Any]]):
    positions = PositionSerializer(many=True, **at_most(MAX_TASKS))


class DecideSerializer(serializers.Serializer[dict[str, Any]]):
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    reasons = serializers.CharField(max_length=max_length_of(EscalationDecision, "reasons"))
    splits = SplitSerializer(many=True, required=False, **at_most(MAX_TASKS))


class MeasureInputSerializer(serializers.Serializer[dict[str, Any]]):
    description = serializers.CharField(max_length=max_length_of(Measure, "description"))
    owner_organisation = organisation_field()
    owner_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(Measure, "owner_name")
    )
    due_on = serializers.DateField()


class HazardInputSerializer(serializers.Serializer[dict[str, Any]]):
    description = serializers.CharField(max_length=max_length_of(Hazard, "description"))
    likelihood = serializers.IntegerField(min_value=1, max_value=4)
    consequence = serializers.IntegerField(min_value=1, max_value=4)
    measures = MeasureInputSerializer(many=True, required=False, **at_most(MAX_MEASURES_PER_HAZARD))


class RiskAnalysisCreateSerializer(serializers.Serializer[dict[str, Any]]):
    summary = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=max_length_of(RiskAnalysis, "summary")
    )
    review_on = serializers.DateField(required=False, allow_null=True)
    hazards = serializers.ListField(child=HazardInputSerializer(), min_length=1, **at_most(MAX_HAZARDS))
    measures = MeasureInputSerializer(many=True, required=False, **at_most(MAX_MEASURES))


STATUS_CHOICES = CaseStatus.choices


# --- Fast output for case reads --------------------------------------------------------------------
#
# ``CaseSerializer`` stays the contract (the OpenAPI schema is generated from it and the tests compare
# against it), but walking ~25 DRF fields and nine nested serializers per case cost ~4 ms a case at
# national scale, most of a list request. These functions write the same JSON by hand: the same keys
# in the same order, the same formats (UUIDs as text, times in the current time zone as ISO 8601 with
# ``Z`` for UTC, choices as their stored value) and the same nulls.
# ``tests/cases/test_case_representation.py`` renders both for cases in every status and fails on any
# difference, so a field added to the serializer and not here is caught.


def _iso_datetime(value: datetime.datetime | None, zone: datetime.tzinfo) -> str | None:
    """As ``serializers.DateTimeField``: the time in ``zone``, ISO 8601, ``Z`` for UTC."""
    if value is None:
        return None
    local = value.astimezone(zone) if timezone.is_aware(value) else timezone.make_aware(value, zone)
    text = local.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class _Refs:
    """Organisation and person references of one response, each built once however often named."""

    def __init__(self) -> None:
        self.organisations: dict[int, dict[str, Any]] = {}
        self.people: dict[int, dict[str, Any]] = {}

    def organisation(self, organisation: Organisation | None) -> dict[str, Any] | None:
        if organisation is None:
            return None
        ref = self.organisations.get(organisation.pk)
        if ref is None:
            ref = {
                "id": str(organisation.public_id),
                "name": organisation.name,
                "kind": str(organisation.kind),
            }
            self.organisations[organisation.pk] = ref
        return dict(ref)

    def person(self, user: Any) -> dict[str, Any] | None:
        if user is None:
            return None
        ref = self.people.get(user.pk)
        if ref is None:
            ref = {"id": str(user.public_id), "name": user.display_name, "hsa_id": user.hsa_id}
            self.people[user.pk] = ref
        return dict(ref)


def _choice(value: Any) -> Any:
    """As ``serializers.ChoiceField``: the stored value ('' and None as they are)."""
    if value is None or value == "":
        return value
    return str(value)


def _case_task_representation(task: CaseTask, refs: _Refs, zone: datetime.tzinfo) -> dict[str, Any]:
    return {
        "id": str(task.public_id),
        "task_type": task.task_type.code,
        "task_type_name": task.task_type.name_sv,
        "visit_bands": task.visit_band_list,
        "note": task.note,
        "proposal_status": _choice(task.proposal_status),
        "proposal": task.proposal,
        "requires_risk_analysis": bool(task.requires_risk_analysis),
        "approver_role": task.approver_role,
        "specialist_active_role_required": bool(task.specialist_active_role_required),
        "review_state": _choice(task.review_state),
        "agreed_orders": refs.organisation(task.agreed_orders),
        "agreed_performs": refs.organisation(task.agreed_performs),
        "agreed_follows_up": refs.organisation(task.agreed_follows_up),
        "agreed_basis": _choice(task.agreed_basis),
        "agreed_at": _iso_datetime(task.agreed_at, zone),
        "arrangement": _choice(task.arrangement),
        "arrangement_note": task.arrangement_note,
        "reviews": [
            {
                "user": refs.person(review.user),
                "organisation": refs.organisation(review.organisation),
                "role": review.role,
                "at": _iso_datetime(review.at, zone),
                "answer": _choice(review.answer),
                "text": review.text,
            }
            for review in task.reviews.all()
        ],
    }


def case_representations(cases: Sequence[ResponsibilityCase]) -> list[dict[str, Any]]:
    """``CaseSerializer(cases, many=True).data``, written by hand (see above).

    The cases need what ``cases.selectors`` loads with them (patient, organisations, opener, tasks with
    their types and agreed parties) and ``allowed_actions`` set by the view.
    """
    zone = timezone.get_current_timezone()
    now = timezone.now()
    refs = _Refs()
    handlers = _handlers(cases, refs, zone)
    out = []
    for case in cases:
        escalation_level = case.escalation_level
        shared = sharing_of(case)
        tasks = [_case_task_representation(task, refs, zone) for task in case.tasks.all()]
        if not shared.text:
            for task in tasks:
                hide_task_text(task)
        out.append(
            {
                "id": str(case.public_id),
                "number": case.number,
                "patient": str(case.patient.public_id),
                "status": _choice(case.status),
                "allowed_actions": list(getattr(case, "allowed_actions", [])),
                "trigger": _choice(case.trigger),
                "urgency": _choice(case.urgency),
                "background": case.background if shared.text else "",
                "increased_staff_time": bool(case.increased_staff_time),
                "increased_other_costs": bool(case.increased_other_costs),
                "competence_needed": bool(case.competence_needed),
                "patient_safety_risk": bool(case.patient_safety_risk),
                "shift_planning": _choice(case.shift_planning),
                "opened_by": refs.person(case.opened_by),
                "opened_by_organisation": refs.organisation(case.opened_by_organisation),
                "kommun": refs.organisation(case.kommun),
                "vardcentral": refs.organisation(case.vardcentral),
                "specialist_clinic": refs.organisation(case.specialist_clinic),
                "stay_kommun": refs.organisation(case.stay_kommun),
                "stay_from": case.stay_from.isoformat() if case.stay_from else None,
                "stay_to": case.stay_to.isoformat() if case.stay_to else None,
                "stay_note": case.stay_note,
                "owner_organisation": refs.organisation(case.owner_organisation),
                "owner_role": case.owner_role,
                "due_at": _iso_datetime(case.due_at, zone),
                "overdue": case.is_open and case.due_at is not None and case.due_at < now,
                "escalation_level": int(escalation_level) if escalation_level is not None else None,
                "escalation_body": refs.organisation(case.escalation_body),
                "closure": _choice(case.closure),
                "tasks": tasks,
                "handlers": handlers.get(case.pk, []),
                "version": int(case.version),
                "created_at": _iso_datetime(case.created_at, zone),
                "submitted_at": _iso_datetime(case.submitted_at, zone),
                "agreed_at": _iso_datetime(case.agreed_at, zone),
                "closed_at": _iso_datetime(case.closed_at, zone),
                "updated_at": _iso_datetime(case.updated_at, zone),
                "sharing": sharing_state(case),
            }
        )
    return out


def _handlers(
    cases: Sequence[ResponsibilityCase], refs: _Refs, zone: datetime.tzinfo
) -> dict[int, list[dict[str, Any]]]:
    """The current handlers of each case (``assignments``), in one query for all of them."""
    rows = (
        CaseAssignment.objects.for_cases(case.pk for case in cases)
        .current()
        .handled()
        .select_related("organisation", "assignee", "team", "assigned_by")
        .order_by("case_id", "organisation__name", "pk")
    )
    readers = {case.pk: sharing_of(case).readers for case in cases}
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row.case_id, []).append(
            {
                "organisation": refs.organisation(row.organisation),
                "assignee": refs.person(row.assignee),
                "team": {"id": str(row.team.public_id), "name": row.team.name} if row.team else None,
                "assigned_by": refs.person(row.assigned_by),
                "assigned_at": _iso_datetime(row.at, zone),
                # A hand-over's note is internal to the handler's organisation (the case page does the same).
                "note": row.note if row.organisation_id in readers[row.case_id] else "",
            }
        )
    return found


def case_representation(case: ResponsibilityCase) -> dict[str, Any]:
    """``CaseSerializer(case).data``, written by hand."""
    return case_representations([case])[0]
