"""Every input the API takes is bounded: texts by their column, lists by a maximum, both in the schema.

The input serializers are the request bodies of the generated schema (drf-spectacular's registry), so a
new endpoint is checked without being listed here. A text field of a serializer bound to a model (the
table below) must have that model field's length: a longer value would reach PostgreSQL and fail there
as a 500; free text kept in a TextField gets ``TEXT_MAX_LENGTH``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.db import models
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from agreements.api import serializers as agreement_api
from agreements.models import Agreement, AgreementVersion, CareTaskType, ResponsibilityRule, Section
from assignments.api import serializers as assignment_api
from assignments.models import CaseAssignment
from attachments.api import serializers as attachment_api
from attachments.models import Attachment
from audit.api.review import ReviewMarkSerializer
from audit.models import AccessLogReview
from cases.api import serializers as case_api
from cases.api.preferences import EmailPreferenceSerializer
from cases.models import (
    CaseEvent,
    EscalationDecision,
    Hazard,
    Measure,
    NotificationPreference,
    Position,
    ResponsibilityCase,
    RiskAnalysis,
)
from competence.api import serializers as competence_api
from competence.models import CompetenceTransfer, Delegation
from directory.api.serializers import PASSWORD_MAX_LENGTH, TokenRequestSerializer
from directory.models import Team, User
from hemsjukvard.limits import SECTION_TEXT_MAX_LENGTH, TEXT_MAX_LENGTH, max_length_of
from integrations.api.serializers import (
    OAuthTokenRequestSerializer,
    SubscriptionCreateSerializer,
    SubscriptionUpdateSerializer,
)
from integrations.models import ApiClient, WebhookSubscription
from messaging.api import serializers as message_api
from messaging.models import CaseMessage, MessageReply
from patients.api import serializers as patient_api
from patients.models import Enrolment, Patient, ProtectedIdentityChange
from sip.api import serializers as sip_api
from sip.models import (
    ConsentWithdrawal,
    SipContactPath,
    SipDistribution,
    SipFollowUp,
    SipInsats,
    SipOtherMeasure,
    SipParticipant,
    SipVersion,
)

# The model each input serializer writes to; its text fields of the same name take that field's length.
MODEL_OF: dict[type[serializers.BaseSerializer[Any]], type[models.Model]] = {
    case_api.CaseWriteSerializer: ResponsibilityCase,
    EmailPreferenceSerializer: NotificationPreference,
    ReviewMarkSerializer: AccessLogReview,
    case_api.CaseDraftUpdateSerializer: ResponsibilityCase,
    case_api.CaseCreateSerializer: ResponsibilityCase,
    case_api.PositionSerializer: Position,
    case_api.DecideSerializer: EscalationDecision,
    case_api.MeasureInputSerializer: Measure,
    case_api.HazardInputSerializer: Hazard,
    case_api.RiskAnalysisCreateSerializer: RiskAnalysis,
    sip_api.InsatsInputSerializer: SipInsats,
    sip_api.OtherMeasureInputSerializer: SipOtherMeasure,
    sip_api.ParticipantInputSerializer: SipParticipant,
    sip_api.ContactPathInputSerializer: SipContactPath,
    sip_api.DraftUpdateSerializer: SipVersion,
    sip_api.WithdrawConsentSerializer: ConsentWithdrawal,
    sip_api.FollowUpInputSerializer: SipFollowUp,
    sip_api.DistributionInputSerializer: SipDistribution,
    patient_api.PatientWriteSerializer: Patient,
    patient_api.PatientCreateSerializer: Patient,
    patient_api.EnrolmentInputSerializer: Enrolment,
    patient_api.EnrolmentCreateSerializer: Enrolment,
    agreement_api.CareTaskTypeWriteSerializer: CareTaskType,
    agreement_api.AgreementCreateSerializer: Agreement,
    agreement_api.AgreementVersionWriteSerializer: AgreementVersion,
    agreement_api.AgreementVersionCopySerializer: AgreementVersion,
    agreement_api.AgreementVersionNewSerializer: AgreementVersion,
    agreement_api.AgreementSettingsSerializer: AgreementVersion,
    agreement_api.SectionWriteSerializer: Section,
    agreement_api.ConditionsSerializer: ResponsibilityRule,
    TokenRequestSerializer: User,
    patient_api.ProtectedIdentityChangeSerializer: ProtectedIdentityChange,
    OAuthTokenRequestSerializer: ApiClient,
    SubscriptionCreateSerializer: WebhookSubscription,
    SubscriptionUpdateSerializer: WebhookSubscription,
    competence_api.CompetenceTransferInputSerializer: CompetenceTransfer,
    competence_api.DelegationInputSerializer: Delegation,
    attachment_api.AttachmentUploadSerializer: Attachment,
    message_api.MessageCreateSerializer: CaseMessage,
    message_api.ReplyCreateSerializer: MessageReply,
    assignment_api.HandOverSerializer: CaseAssignment,
    assignment_api.ReleaseSerializer: CaseAssignment,
    assignment_api.TeamWriteSerializer: Team,
}
# Text fields named differently from the model field they are kept in.
KEPT_IN: dict[tuple[type[serializers.BaseSerializer[Any]], str], tuple[type[models.Model], str]] = {
    (case_api.ReasonSerializer, "reason"): (CaseEvent, "reason"),
    (case_api.OptionalReasonSerializer, "reason"): (CaseEvent, "reason"),
    (case_api.CommentSerializer, "text"): (CaseEvent, "reason"),
    (case_api.AcceptSerializer, "reason"): (CaseEvent, "reason"),
    (case_api.DisputeSerializer, "reason"): (CaseEvent, "reason"),
    (case_api.EscalateSerializer, "reason"): (CaseEvent, "reason"),
    (patient_api.EnrolmentEndSerializer, "reason"): (Enrolment, "end_reason"),
}


def _declared(model: type[models.Model], name: str) -> int:
    """The max_length the model field declares (on a TextField, where ``max_length_of`` sees free text)."""
    length = model._meta.get_field(name).max_length
    assert length is not None, f"{model.__name__}.{name} declares no max_length"
    return int(length)


# Deliberately other than the model field's length, and why.
EXCEPTIONS: dict[tuple[type[serializers.BaseSerializer[Any]], str], int] = {
    # Sent as YYYYMMDD-NNNN (13 characters), stored as 12 digits; a reservnummer is stored as up to 20
    # characters and may be typed with spaces and dashes.
    (patient_api.PatientCreateSerializer, "personal_identity"): 28,
    # A section may quote a whole chapter of the agreement.
    (agreement_api.SectionWriteSerializer, "text"): SECTION_TEXT_MAX_LENGTH,
    # Only its hash is stored.
    (TokenRequestSerializer, "password"): PASSWORD_MAX_LENGTH,
    # The registers' free texts are TextFields with a max_length of their own (shorter than the kernel
    # limit), which their services check too: the input takes that length.
    (competence_api.CompetenceTransferInputSerializer, "note"): _declared(CompetenceTransfer, "note"),
    (competence_api.ReasonInputSerializer, "reason"): _declared(CompetenceTransfer, "revoke_reason"),
    (competence_api.DelegationInputSerializer, "decision"): _declared(Delegation, "decision"),
    # Kept in the attachment's removal_reason, a TextField with a max_length of its own.
    (attachment_api.AttachmentRemoveSerializer, "reason"): _declared(Attachment, "removal_reason"),
    (competence_api.DelegationInputSerializer, "consultation_note"): _declared(
        Delegation, "consultation_note"
    ),
    # A message and a reply are a question and its answer: a page at most (messaging.models).
    (message_api.MessageCreateSerializer, "body"): _declared(CaseMessage, "body"),
    (message_api.ReplyCreateSerializer, "body"): _declared(MessageReply, "body"),
    # A hand-over's note is a short TextField with a length of its own, which the service checks too.
    (assignment_api.HandOverSerializer, "note"): _declared(CaseAssignment, "note"),
    (assignment_api.ReleaseSerializer, "note"): _declared(CaseAssignment, "note"),
}


def _input_serializers() -> dict[str, serializers.BaseSerializer[Any]]:
    generator = SchemaGenerator()
    generator.get_schema(request=None, public=True)
    found = {}
    for (name, kind), component in generator.registry._components.items():
        if (
            kind == "schemas"
            and name.endswith("Request")
            and isinstance(component.object, serializers.BaseSerializer)
        ):
            found[name] = component.object
    assert len(found) > 30, sorted(found)  # the generator found the API's request bodies
    return found


def _unbounded(serializer: serializers.BaseSerializer[Any], path: str) -> list[str]:
    """Text and list fields of ``serializer`` (and what it nests) that have no maximum."""
    problems: list[str] = []
    assert isinstance(serializer, serializers.Serializer)
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        problems += _field_unbounded(field, f"{path}.{name}")
    return problems


def _field_unbounded(field: Any, path: str) -> list[str]:
    if isinstance(field, serializers.ListSerializer):
        own = [] if getattr(field, "max_length", None) is not None else [f"{path}: a list without max_length"]
        return own + _field_unbounded(field.child, f"{path}[]")
    if isinstance(field, serializers.ListField):
        own = [] if field.max_length is not None else [f"{path}: a list without max_length"]
        return own + _field_unbounded(field.child, f"{path}[]")
    if isinstance(field, serializers.ManyRelatedField):
        return [f"{path}: many=True related field (no max_length; use a ListField)"]
    if isinstance(field, serializers.DictField | serializers.JSONField | serializers.HStoreField):
        return [f"{path}: free-form JSON input"]
    if isinstance(field, serializers.Serializer):
        return _unbounded(field, path)
    if isinstance(field, serializers.CharField) and field.max_length is None:
        return [f"{path}: text without max_length"]
    return []


def test_every_input_text_and_list_has_a_maximum() -> None:
    problems: list[str] = []
    for name, serializer in sorted(_input_serializers().items()):
        problems += _unbounded(serializer, name)
    assert not problems, "\n".join(problems)


def test_input_text_fields_take_their_model_fields_length() -> None:
    checked = 0
    problems: list[str] = []
    for serializer in _input_serializers().values():
        cls = type(serializer)
        model = MODEL_OF.get(cls)
        assert isinstance(serializer, serializers.Serializer)
        for name, field in serializer.fields.items():
            if not isinstance(field, serializers.CharField) or field.read_only:
                continue
            source = field.source if isinstance(field.source, str) else name
            if (cls, name) in EXCEPTIONS:
                expected = EXCEPTIONS[(cls, name)]
            elif (cls, name) in KEPT_IN:
                expected = max_length_of(*KEPT_IN[(cls, name)])
            elif model is not None and source in {f.name for f in model._meta.concrete_fields}:
                expected = max_length_of(model, source)
            else:
                continue
            checked += 1
            if field.max_length != expected:
                problems.append(
                    f"{cls.__name__}.{name}: max_length {field.max_length}, the column holds {expected}"
                )
    assert checked > 50
    assert not problems, "\n".join(problems)


def test_every_input_serializer_is_bound_or_known_to_have_no_model() -> None:
    """A new input serializer must be added to MODEL_OF (or here), so its lengths are checked."""
    without_model = {
        "CreateForPatientSerializer",
        "CreateFromCaseSerializer",
        "AcceptSerializer",
        "SplitSerializer",
        "ReasonSerializer",
        "EscalateSerializer",
        "OptionalReasonSerializer",
        "CommentSerializer",
        "DisputeSerializer",
        "PositionsSerializer",
        "DocumentRequestSerializer",
        "ReportRequestSerializer",
        "EmergencyAccessSerializer",
        "EnrolmentEndSerializer",
        "PartyWriteSerializer",
        "DeadlinesSerializer",
        "ResponsibilityRuleWriteSerializer",
        "ProposalRequestSerializer",
        # A task's code (bounded by the catalogue's code) and at most three time bands, a choice.
        "TaskBandsSerializer",
        # Revokes a training or a delegation; its reason is kept in either register's revoke_reason
        # (EXCEPTIONS checks its length).
        "ReasonInputSerializer",
        # Only a case task's id, to link a delegation to.
        "LinkInputSerializer",
        # Only the log extract's language, a choice; the extract is a document made from the access log.
        "LogExtractSerializer",
        # My work's kept filters: kept together as the page's form values (``portal.WorkListChoice``), each
        # a short choice the form checks.
        "WorkFiltersSerializer",
        # Removes an attachment; its reason is kept in removal_reason (EXCEPTIONS checks its length).
        "AttachmentRemoveSerializer",
        # The schema's oneOf of two request shapes, each of which is checked on its own.
        "PolymorphicProxySerializer",
        # The legal basis for sharing, an objection, a spärr, lifting one, a reason, and a submit that may
        # carry the basis: their bounds are consent.models' constants, which consent.services checks too.
        "BasisInputSerializer",
        "BlockInputSerializer",
        "ObjectionInputSerializer",
        "LiftSerializer",
        "SharingReasonSerializer",
        "SubmitSerializer",
    }
    unknown = {
        type(s).__name__
        for s in _input_serializers().values()
        if type(s) not in MODEL_OF and type(s).__name__ not in without_model
    }
    assert not unknown


def test_free_text_is_bounded_by_the_kernel_limit() -> None:
    field = sip_api.DraftUpdateSerializer().fields["what_matters"]
    assert isinstance(field, serializers.CharField)
    assert field.max_length == TEXT_MAX_LENGTH


# --- The committed schema shows the bounds ------------------------------------------------------------

SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text(encoding="utf-8"))
# Strings whose format or enum bounds them already.
BOUNDED_FORMATS = {"uuid", "date", "date-time", "binary"}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        _hash, _components, kind, name = schema["$ref"].split("/")
        schema = SCHEMA["components"][kind][name]
    return schema


def _schema_unbounded(schema: dict[str, Any], path: str, seen: set[str]) -> list[str]:
    ref = schema.get("$ref")
    if ref in seen:
        return []
    if ref:
        seen = seen | {ref}
    schema = _resolve(schema)
    problems: list[str] = []
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            problems += _schema_unbounded(part, path, seen)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        for name, prop in schema.get("properties", {}).items():
            if prop.get("readOnly"):
                continue
            problems += _schema_unbounded(prop, f"{path}.{name}", seen)
    elif kind == "array":
        if "maxItems" not in schema:
            problems.append(f"{path}: array without maxItems")
        problems += _schema_unbounded(schema.get("items", {}), f"{path}[]", seen)
    elif kind == "string":
        choices = any("enum" in _resolve(part) for key in ("anyOf", "oneOf") for part in schema.get(key, []))
        bounded = "maxLength" in schema or "enum" in schema or choices
        if not bounded and schema.get("format") not in BOUNDED_FORMATS:
            problems.append(f"{path}: string without maxLength")
    return problems


def test_the_committed_schema_shows_every_request_bound() -> None:
    problems: list[str] = []
    bodies = 0
    for route, operations in SCHEMA["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if not body:
                continue
            for media_type, content in body.get("content", {}).items():
                bodies += 1
                problems += _schema_unbounded(
                    content["schema"], f"{method.upper()} {route} ({media_type})", set()
                )
    assert bodies > 30
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize(
    ("component", "prop", "key", "value"),
    [
        ("RiskAnalysisCreateRequest", "hazards", "maxItems", 50),
        ("HazardInputRequest", "measures", "maxItems", 20),
        ("PatchedDraftUpdateRequest", "participants", "maxItems", 50),
        ("PatchedDraftUpdateRequest", "huvudansvar_contact", "maxLength", 200),
        ("CaseCreateRequest", "tasks", "maxItems", 50),
        ("WithdrawConsentRequest", "withdrawn_by_name", "maxLength", 200),
    ],
)
def test_the_schema_names_the_bounds(component: str, prop: str, key: str, value: int) -> None:
    assert SCHEMA["components"]["schemas"][component]["properties"][prop][key] == value
