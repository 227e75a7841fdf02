"""OpenAPI links: from each answer that names a resource to what can be done with it next.

A case created with ``POST /cases`` answers with the case; its ``id`` is the path parameter of reading,
changing, submitting, accepting it, starting its risk analysis, and so on, and the answer's ``ETag`` header
is the ``If-Match`` those writes ask for. ``LINKS`` says, once, how each follow-up operation takes its
values from such an answer (written under ``components/links``); ``FOLLOW_UPS`` says which operations'
2xx answers lead to which follow-ups. The drf-spectacular postprocessing hook below writes both into the
schema, and ``check_links`` says what in the tables does not fit the schema (a test asks it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LINK_REF = "#/components/links/"
BODY_ID = "$response.body#/id"
ETAG = "$response.header.ETag"
CASE_IN_PATH = "$request.path.id"


@dataclass(frozen=True)
class Link:
    operation_id: str
    description: str
    if_match: bool = False  # the answer's ETag is the If-Match of the follow-up
    parameters: dict[str, str] = field(default_factory=lambda: {"id": BODY_ID})
    request_body: dict[str, Any] | None = None

    def definition(self) -> dict[str, Any]:
        parameters = dict(self.parameters)
        if self.if_match:
            parameters["header.If-Match"] = ETAG
        found: dict[str, Any] = {"operationId": self.operation_id, "parameters": parameters}
        if self.request_body is not None:
            found["requestBody"] = self.request_body
        found["description"] = self.description + (
            " Send the answer's `ETag` header as `If-Match`." if self.if_match else ""
        )
        return found


def _on(operation_id: str, description: str, *, if_match: bool = False) -> Link:
    return Link(operation_id, description, if_match=if_match)


# What can be done with a case, its id being the answer's `id` (a case's ETag is also its analyses' and
# the plan's started from it).
CASE = {
    "ReadCase": _on("cases_retrieve", "Read the case."),
    "ChangeCase": _on("cases_partial_update", "Change the case's draft.", if_match=True),
    "SubmitCase": _on("cases_submit_create", "Submit the case.", if_match=True),
    "WithdrawCase": _on("cases_withdraw_create", "Withdraw the case.", if_match=True),
    "CommentOnCase": _on("cases_comment_create", "Comment on the case.", if_match=True),
    "TakeCase": _on("cases_handler_create", "Take the case as its handler.", if_match=True),
    "ReleaseCase": _on("cases_handler_release_create", "Release the case's handling.", if_match=True),
    "SkipConsent": _on("cases_consent_skip_create", "Go on without consent.", if_match=True),
    "AcceptCase": _on("cases_accept_create", "Accept the responsibility asked for.", if_match=True),
    "DisputeCase": _on("cases_dispute_create", "Dispute the case.", if_match=True),
    "StatePosition": _on("cases_positions_create", "State your organisation's position.", if_match=True),
    "EscalateCase": _on("cases_escalate_create", "Escalate the case.", if_match=True),
    "AcceptRecommendation": _on(
        "cases_accept_recommendation_create", "Accept the recommendation.", if_match=True
    ),
    "DeclineRecommendation": _on(
        "cases_decline_recommendation_create", "Decline the recommendation.", if_match=True
    ),
    "CannotSettle": _on("cases_cannot_settle_create", "Record that it cannot be settled.", if_match=True),
    "DecideCase": _on("cases_decide_create", "Decide the case.", if_match=True),
    "ActivateCase": _on("cases_activate_create", "Put the agreed care in force.", if_match=True),
    "StartFollowUp": _on("cases_start_follow_up_create", "Start the follow-up.", if_match=True),
    "ResumeCase": _on("cases_resume_create", "Resume the case.", if_match=True),
    "CloseCase": _on("cases_close_create", "Close the case.", if_match=True),
    "RecordLegalBasis": _on("cases_legal_basis_create", "Record the legal basis for sharing."),
    "WithdrawLegalBasis": _on("cases_legal_basis_withdraw_create", "Withdraw the legal basis."),
    "ObjectToSharing": _on("cases_objections_create", "Record the patient's objection to sharing."),
    "BlockSharing": _on("cases_blocks_create", "Block a part of the case from sharing."),
    "StartRiskAnalysis": _on("cases_risk_analyses_create", "Start a risk analysis.", if_match=True),
    "CaseRiskAnalyses": _on("cases_risk_analyses_list", "List the case's risk analyses."),
    "CaseRiskTemplates": _on("cases_risk_templates_list", "List the risk templates for the case."),
    "CaseTimeline": _on("cases_timeline_list", "Read the case's timeline."),
    "CaseTasks": _on("cases_tasks_list", "List the case's care tasks."),
    "AttachToCase": _on("cases_attachments_create", "Attach a file to the case."),
    "CaseAttachments": _on("cases_attachments_list", "List the case's attachments."),
    "WriteMessage": _on("cases_messages_create", "Send a message on the case."),
    "CaseMessages": _on("cases_messages_list", "List the case's messages."),
    "StartPlanFromCase": Link(
        "sips_from_case_create",
        "Start a coordinated individual plan (SIP) from the case.",
        if_match=True,
        parameters={},
        request_body={"case": BODY_ID},
    ),
}
RISK_ANALYSIS = {
    "ReadRiskAnalysis": _on("risk_analyses_retrieve", "Read the risk analysis."),
    "SignRiskAnalysis": _on("risk_analyses_sign_create", "Sign the risk analysis.", if_match=True),
    "ApproveRiskAnalysis": _on("risk_analyses_approve_create", "Approve the risk analysis.", if_match=True),
    "RejectRiskAnalysis": _on("risk_analyses_reject_create", "Reject the risk analysis.", if_match=True),
    "ReturnRiskAnalysis": _on("risk_analyses_return_create", "Return it for changes.", if_match=True),
    "RiskAssessmentFhir": _on("fhir_RiskAssessment_retrieve", "Read it as a FHIR RiskAssessment."),
    "RiskAnalysisDocument": Link(
        "documents_create",
        "Ask for the risk analysis as a PDF document.",
        parameters={},
        request_body={"kind": "risk_analysis", "source_id": BODY_ID},
    ),
}
SIP = {
    "ReadSip": _on("sips_retrieve", "Read the plan."),
    "ChangeSipDraft": _on("sips_draft_partial_update", "Change the plan's draft.", if_match=True),
    "FinaliseSip": _on("sips_finalise_create", "Finalise the plan.", if_match=True),
    "NewSipVersion": _on("sips_new_version_create", "Start a new version of the plan.", if_match=True),
    "DistributeSip": _on("sips_distributions_create", "Record who was given the plan.", if_match=True),
    "FollowUpSip": _on("sips_follow_ups_create", "Record a follow-up of the plan.", if_match=True),
    "WithdrawSipConsent": _on("sips_withdraw_consent_create", "Record withdrawn consent.", if_match=True),
    "AttachToSip": _on("sips_attachments_create", "Attach a file to the plan."),
    "SipAttachments": _on("sips_attachments_list", "List the plan's attachments."),
    "CarePlanFhir": _on("fhir_CarePlan_retrieve", "Read the plan as a FHIR CarePlan."),
    "CarePlanBundleFhir": _on("fhir_CarePlan_bundle_retrieve", "Read the plan as a FHIR bundle."),
}
DOCUMENT = {
    "ReadDocument": _on("documents_retrieve", "Read the document's status."),
    "DownloadDocument": _on("documents_download_retrieve", "Download the document once it is ready."),
}
MESSAGE = {
    "ReadMessage": _on("messages_retrieve", "Read the message."),
    "ReplyToMessage": _on("messages_replies_create", "Reply to the message.", if_match=True),
    "CloseMessage": _on("messages_close_create", "Close the message.", if_match=True),
}
ATTACHMENT = {
    "ReadAttachment": _on("attachments_retrieve", "Read the attachment."),
    "DownloadAttachment": _on("attachments_download_retrieve", "Download the attachment's file."),
    "RemoveAttachment": _on("attachments_remove_create", "Remove the attachment.", if_match=True),
}
BLOCK = {
    "LiftBlock": Link(
        "cases_blocks_lift_create",
        "Lift the block.",
        parameters={"id": CASE_IN_PATH, "block_id": BODY_ID},
    ),
}
OBJECTION = {
    "LiftObjection": Link(
        "cases_objections_lift_create",
        "Lift the objection.",
        parameters={"id": CASE_IN_PATH, "objection_id": BODY_ID},
    ),
}
SUBSCRIPTION = {
    "ReadSubscription": _on("webhook_subscriptions_retrieve", "Read the subscription."),
    "ChangeSubscription": _on("webhook_subscriptions_partial_update", "Change the subscription."),
    "SubscriptionDeliveries": _on("webhook_subscriptions_deliveries_list", "List its deliveries."),
    "EndSubscription": _on("webhook_subscriptions_destroy", "End the subscription."),
}
PATIENT = {
    "ReadPatient": _on("patients_retrieve", "Read the patient."),
    "PatientOverview": _on("patients_overview_retrieve", "Read the patient's overview."),
    "ChangePatient": _on("patients_partial_update", "Change the patient's details.", if_match=True),
    "ProtectIdentity": _on("patients_protected_identity_create", "Protect the identity.", if_match=True),
    "EmergencyAccess": _on("patients_emergency_access_create", "Open the record in an emergency."),
    "PatientEnrolments": _on("patients_enrolments_list", "List the patient's enrolments."),
    "EnrolPatient": _on("patients_enrolments_create", "Enrol the patient in home health care."),
    "RequestLogExtract": _on("patients_log_extract_create", "Ask for the patient's access-log extract."),
    "PatientFhir": _on("fhir_Patient_retrieve", "Read the patient as a FHIR Patient."),
}
ENROLMENT = {
    "ReadEnrolment": _on("enrolments_retrieve", "Read the enrolment."),
    "EndEnrolment": _on("enrolments_end_create", "End the enrolment.", if_match=True),
}
AGREEMENT = {"ReadAgreement": _on("agreements_retrieve", "Read the agreement.")}
AGREEMENT_VERSION = {
    "ReadAgreementVersion": _on("agreement_versions_retrieve", "Read the version."),
    "ChangeAgreementVersion": _on(
        "agreement_versions_partial_update", "Change the draft version.", if_match=True
    ),
    "PutInForce": _on("agreement_versions_put_in_force_create", "Put the version in force.", if_match=True),
}
SECTION = {
    "ReadSection": _on("agreement_sections_retrieve", "Read the section."),
    "ChangeSection": _on("agreement_sections_partial_update", "Change the section.", if_match=True),
    "DeleteSection": _on("agreement_sections_destroy", "Delete the draft's section.", if_match=True),
}
RULE = {
    "ReadRule": _on("responsibility_rules_retrieve", "Read the rule."),
    "ChangeRule": _on("responsibility_rules_partial_update", "Change the rule.", if_match=True),
    "DeleteRule": _on("responsibility_rules_destroy", "Delete the draft's rule.", if_match=True),
}
TASK_TYPE = {
    "ReadTaskType": _on("task_types_retrieve", "Read the care task type."),
    "ChangeTaskType": _on("task_types_partial_update", "Change the care task type.", if_match=True),
}
TEAM = {
    "ReadTeam": _on("teams_retrieve", "Read the team."),
    "ChangeTeam": _on("teams_partial_update", "Change the team."),
}
COMPETENCE_TRANSFER = {
    "ReadCompetenceTransfer": _on("competence_transfers_retrieve", "Read the competence transfer."),
    "RevokeCompetenceTransfer": _on("competence_transfers_revoke_create", "Revoke it."),
}
DELEGATION = {
    "ReadDelegation": _on("delegations_retrieve", "Read the delegation."),
    "DelegationCaseTasks": _on("delegations_case_tasks_create", "Name the case tasks it covers."),
    "RevokeDelegation": _on("delegations_revoke_create", "Revoke the delegation."),
}
NOTIFICATION = {"MarkNotificationRead": _on("notifications_read_create", "Mark the notification read.")}
FIGURES_REPORT = {"ReadFiguresReport": _on("figures_reports_retrieve", "Read the report's status.")}

GROUPS: tuple[dict[str, Link], ...] = (
    CASE,
    RISK_ANALYSIS,
    SIP,
    DOCUMENT,
    MESSAGE,
    ATTACHMENT,
    BLOCK,
    OBJECTION,
    SUBSCRIPTION,
    PATIENT,
    ENROLMENT,
    AGREEMENT,
    AGREEMENT_VERSION,
    SECTION,
    RULE,
    TASK_TYPE,
    TEAM,
    COMPETENCE_TRANSFER,
    DELEGATION,
    NOTIFICATION,
    FIGURES_REPORT,
)
LINKS: dict[str, Link] = {name: link for group in GROUPS for name, link in group.items()}

_CASE_ANSWERS = (
    "cases_create",
    "cases_retrieve",
    *(link.operation_id for name, link in CASE.items() if link.if_match and name != "StartPlanFromCase"),
    "cases_legal_basis_create",
    "cases_legal_basis_withdraw_create",
)
_SIP_ANSWERS = (
    "sips_create",
    "sips_from_case_create",
    "sips_retrieve",
    "sips_draft_partial_update",
    "sips_finalise_create",
    "sips_new_version_create",
    "sips_withdraw_consent_create",
)
_ANALYSIS_ANSWERS = (
    "cases_risk_analyses_create",
    "risk_analyses_retrieve",
    "risk_analyses_sign_create",
    "risk_analyses_approve_create",
    "risk_analyses_reject_create",
    "risk_analyses_return_create",
)


def _each(sources: tuple[str, ...], group: dict[str, Link]) -> dict[str, tuple[str, ...]]:
    return {source: tuple(group) for source in sources}


# Which operations' 2xx answers lead where (every 2xx answer of the operation carries the links).
FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    **_each(_CASE_ANSWERS, CASE),
    **_each(_ANALYSIS_ANSWERS, RISK_ANALYSIS),
    **_each(_SIP_ANSWERS, SIP),
    **_each(("documents_create", "documents_retrieve", "patients_log_extract_create"), DOCUMENT),
    **_each(("cases_messages_create", "messages_retrieve", "messages_replies_create"), MESSAGE),
    **_each(("cases_attachments_create", "sips_attachments_create", "attachments_retrieve"), ATTACHMENT),
    **_each(("cases_blocks_create",), BLOCK),
    **_each(("cases_objections_create",), OBJECTION),
    **_each(("webhook_subscriptions_create", "webhook_subscriptions_retrieve"), SUBSCRIPTION),
    **_each(("patients_retrieve", "patients_partial_update", "patients_protected_identity_create"), PATIENT),
    **_each(("patients_enrolments_create", "enrolments_retrieve"), ENROLMENT),
    **_each(("agreements_create",), AGREEMENT),
    **_each(
        ("agreement_versions_create", "agreement_versions_retrieve", "agreement_versions_partial_update"),
        AGREEMENT_VERSION,
    ),
    **_each(("agreement_sections_create", "agreement_sections_retrieve"), SECTION),
    **_each(("responsibility_rules_create", "responsibility_rules_retrieve"), RULE),
    **_each(("task_types_create", "task_types_retrieve"), TASK_TYPE),
    **_each(("teams_create", "teams_retrieve"), TEAM),
    **_each(("competence_transfers_create", "competence_transfers_retrieve"), COMPETENCE_TRANSFER),
    **_each(("delegations_create", "delegations_retrieve"), DELEGATION),
    **_each(("notifications_retrieve",), NOTIFICATION),
    **_each(("figures_reports_create",), FIGURES_REPORT),
}


def _operations(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        operation["operationId"]: operation
        for operations in result.get("paths", {}).values()
        for operation in operations.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def _parameter_names(operation: dict[str, Any], location: str) -> set[str]:
    return {p.get("name") for p in operation.get("parameters", []) if p.get("in") == location}


def check_links(result: dict[str, Any]) -> list[str]:
    """What in ``LINKS`` and ``FOLLOW_UPS`` does not fit the schema: an operation that does not exist, a
    parameter the target does not take, a required path parameter left out, a source without a 2xx."""
    operations = _operations(result)
    problems = []
    for name, link in LINKS.items():
        target = operations.get(link.operation_id)
        if target is None:
            problems.append(f"{name}: no operation {link.operation_id}")
            continue
        given = dict(link.parameters, **({"header.If-Match": ETAG} if link.if_match else {}))
        for key in given:
            location, _, parameter = key.rpartition(".")
            if parameter not in _parameter_names(target, location or "path"):
                problems.append(f"{name}: {link.operation_id} takes no {location or 'path'} {parameter}")
        missing = _parameter_names(target, "path") - set(given)
        if missing:
            problems.append(f"{name}: {link.operation_id} needs {sorted(missing)}")
        if link.request_body is not None and "requestBody" not in target:
            problems.append(f"{name}: {link.operation_id} takes no request body")
    for source, names in FOLLOW_UPS.items():
        operation = operations.get(source)
        if operation is None:
            problems.append(f"no operation {source}")
            continue
        if not any(str(code).startswith("2") for code in operation.get("responses", {})):
            problems.append(f"{source} has no 2xx answer")
        problems += [f"{source}: no link {name}" for name in names if name not in LINKS]
        for name in names:
            found = LINKS.get(name)
            takes_path = found is not None and CASE_IN_PATH in found.parameters.values()
            if takes_path and "id" not in _parameter_names(operation, "path"):
                problems.append(f"{source} has no path id for {name}")
    return problems


def add_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the links of ``FOLLOW_UPS`` on every 2xx answer of their
    operation, each referring to its definition under ``components/links``."""
    operations = _operations(result)
    used: set[str] = set()
    for source, names in FOLLOW_UPS.items():
        operation = operations.get(source)
        if operation is None:
            continue
        for code, response in operation.get("responses", {}).items():
            if not str(code).startswith("2") or "$ref" in response:
                continue
            links = response.setdefault("links", {})
            for name in names:
                links[name] = {"$ref": f"{LINK_REF}{name}"}
                used.add(name)
    if used:
        components = result.setdefault("components", {})
        merged = {**components.get("links", {}), **{name: LINKS[name].definition() for name in used}}
        components["links"] = {name: merged[name] for name in sorted(merged)}
    return result
