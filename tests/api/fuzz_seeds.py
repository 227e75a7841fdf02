"""Real ids and callers for the operations that have no request example, in the seeded demo world.

``test_fuzz`` sends every operation once as it would be used (an operation with a request example as
its setup in ``example_setups`` says; the others as here: who calls, with which record's id, query and
``If-Match``), then fuzzes it with those same ids and headers, so the generated requests reach the
logic behind the id instead of stopping at a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agreements.models import AgreementVersion, CareTaskType, ResponsibilityRule, Section
from attachments.models import Attachment
from cases.models import Notification, ResponsibilityCase, RiskAnalysis
from competence.models import CompetenceTransfer, Delegation
from demo.people import TEAM_NAME
from directory.models import Membership, Team
from documents.models import Document
from figures.models import FiguresReport
from patients.models import Enrolment, Patient
from sip.models import Sip, SipStatus

from .example_setups import (
    Prepared,
    _integrator,
    _region_admin,
    attachment_upload,
    varberg_case_of_the_nurse,
)
from .example_setups_messages import open_message
from .examples_world import KOMMUN, Caller, ExampleWorld, as_member, as_user, kommun_nurse, organisation

Seed = Callable[[ExampleWorld], Prepared]


def _first(queryset: Any) -> Any:
    found = queryset.order_by("-pk").first()
    assert found is not None, f"the seeded world has no {queryset.model.__name__}"
    return found


def _varberg_case() -> ResponsibilityCase:
    return _first(ResponsibilityCase.objects.filter(kommun__name=KOMMUN, risk_analyses__isnull=False))


def _varberg_patient() -> Patient:
    return _first(Patient.objects.filter(enrolments__kommun__name=KOMMUN, enrolments__ends_on__isnull=True))


def _read(caller: Caller, path_id: Any, read: str | None = None) -> Seed:
    def seed(w: ExampleWorld) -> Prepared:
        headers = {"If-Match": w.etag(caller, read, path_id)} if read else {}
        return Prepared(caller, path_params={"id": path_id}, headers=headers)

    return seed


def by_id(make: Callable[[], tuple[Caller, Any]], read: str | None = None) -> Seed:
    """Called by ``make()``'s caller with its record's id (and the ETag of ``read`` as ``If-Match``)."""

    def seed(w: ExampleWorld) -> Prepared:
        caller, record_id = make()
        return _read(caller, record_id, read)(w)

    return seed


def plain(make: Callable[[], Caller], **query: Callable[[], Any]) -> Seed:
    def seed(w: ExampleWorld) -> Prepared:
        prepared = Prepared(make())
        prepared.values = {name: value() for name, value in query.items()}  # the query, for a GET
        return prepared

    return seed


def case_action(action: str, *, analysis: bool = False) -> Seed:
    """A demo case on which someone may take ``action`` now (on its latest analysis if ``analysis``)."""

    def seed(w: ExampleWorld) -> Prepared:
        case, membership = w.case_for(action)
        caller = as_member(membership)
        if analysis:
            latest = _first(RiskAnalysis.objects.filter(case=case))
            return _read(caller, latest.public_id, "risk_analyses_retrieve")(w)
        return _read(caller, case.public_id, "cases_retrieve")(w)

    return seed


def _notified() -> tuple[Caller, Any]:
    notice = _first(Notification.objects.select_related("user"))
    membership = _first(Membership.objects.active().filter(user=notice.user))
    return as_member(membership), notice.public_id


def _notified_caller() -> Caller:
    return _notified()[0]


def _subscription(w: ExampleWorld) -> tuple[Caller, Any]:
    if w.integrator is None:
        integrator = _integrator(w)
        created = w.call(
            integrator,
            "webhook_subscriptions_create",
            json={"url": "https://journal.kommun.example.se/hooks/fuzz", "events": ["case.submitted"]},
        )
        assert created.status == 201, created.body
        w.integrator = (integrator, created.body["id"])
    return w.integrator


def subscription(w: ExampleWorld) -> Prepared:
    caller, subscription_id = _subscription(w)
    return Prepared(caller, path_params={"id": subscription_id})


def subscriptions(w: ExampleWorld) -> Prepared:
    return Prepared(_subscription(w)[0])


def _draft_part(model: type[Section] | type[ResponsibilityRule]) -> tuple[Caller, Any]:
    return _region_admin(), _first(model.objects.filter(version__status="draft")).public_id


def _document() -> tuple[Caller, Any]:
    document = _first(Document.objects.filter(kind="risk_analysis"))
    return kommun_nurse(), document.public_id


def _sip(status: str) -> tuple[Caller, Any]:
    return kommun_nurse(), _first(
        Sip.objects.filter(status=status, patient__folkbokforing_kommun__name=KOMMUN)
    ).public_id


def _logout(w: ExampleWorld) -> Prepared:
    """A token of its own, revoked by the call."""
    return Prepared(kommun_nurse())


def _nurse_with(record: Callable[[], Any]) -> Callable[[], tuple[Caller, Any]]:
    return lambda: (kommun_nurse(), record())


def _attach_to_case(w: ExampleWorld) -> Prepared:
    """The nurse attaches a discharge summary (a real PDF) to a Varberg case."""
    prepared = by_id(_nurse_with(lambda: varberg_case_of_the_nurse().public_id))(w)
    prepared.multipart = attachment_upload()
    return prepared


def _attach_to_sip(w: ExampleWorld) -> Prepared:
    """The nurse attaches a training sign-off (a real PDF) to a finalised Varberg plan."""
    prepared = by_id(lambda: _sip(SipStatus.FINALISED))(w)
    prepared.multipart = {**attachment_upload(), "kind": "training_sign_off", "title": "Intyg PD"}
    return prepared


def _attachment() -> tuple[Caller, Any]:
    """An attachment of a Varberg case, made by the upload seed or the removal example before (the
    seeds run after the examples), and not removed."""
    found = (
        Attachment.objects.filter(case__kommun__name=KOMMUN, removed_at__isnull=True).order_by("-pk").first()
    )
    assert found is not None, "no attachment: cases_attachments_create runs first"
    return kommun_nurse(), found.public_id


SEEDS: dict[str, Seed] = {
    "me_retrieve": plain(kommun_nurse),
    "organisations_list": plain(kommun_nurse),
    "organisations_retrieve": by_id(_nurse_with(lambda: organisation(KOMMUN).public_id)),
    "patients_list": plain(kommun_nurse),
    "patients_retrieve": by_id(_nurse_with(lambda: _varberg_patient().public_id)),
    "patients_enrolments_list": by_id(_nurse_with(lambda: _varberg_patient().public_id)),
    "patients_overview_retrieve": by_id(_nurse_with(lambda: _varberg_patient().public_id)),
    "enrolments_retrieve": by_id(
        _nurse_with(lambda: _first(Enrolment.objects.filter(patient=_varberg_patient())).public_id)
    ),
    "cases_list": plain(kommun_nurse),
    "cases_retrieve": by_id(_nurse_with(lambda: _varberg_case().public_id)),
    "cases_tasks_list": by_id(_nurse_with(lambda: _varberg_case().public_id)),
    "cases_timeline_list": by_id(_nurse_with(lambda: _varberg_case().public_id)),
    "cases_risk_analyses_list": by_id(_nurse_with(lambda: _varberg_case().public_id)),
    "cases_risk_templates_list": by_id(_nurse_with(lambda: _varberg_case().public_id)),
    "risk_analyses_retrieve": by_id(
        _nurse_with(lambda: _first(RiskAnalysis.objects.filter(case=_varberg_case())).public_id)
    ),
    "risk_analyses_sign_create": case_action("sign_analysis", analysis=True),
    "risk_analyses_approve_create": case_action("approve_analysis", analysis=True),
    "notifications_list": plain(_notified_caller),
    "notifications_retrieve": by_id(_notified),
    "notifications_read_create": by_id(_notified),
    "notifications_read_all_create": plain(_notified_caller),
    "notifications_email_preference_retrieve": plain(kommun_nurse),
    "me_work_filters_retrieve": plain(kommun_nurse),
    "access_log_entries_list": plain(lambda: as_user("mas.varberg"), unreviewed=lambda: "true"),
    "documents_list": plain(
        kommun_nurse,
        kind=lambda: "risk_analysis",
        source_id=lambda: _first(Document.objects.filter(kind="risk_analysis")).source_id,
    ),
    "documents_retrieve": by_id(_document),
    "documents_download_retrieve": by_id(_document),
    "sips_list": plain(kommun_nurse),
    "sips_retrieve": by_id(lambda: _sip(SipStatus.FINALISED)),
    "sips_finalise_create": by_id(lambda: _sip(SipStatus.DRAFT), "sips_retrieve"),
    "sips_new_version_create": by_id(lambda: _sip(SipStatus.FINALISED), "sips_retrieve"),
    "fhir_Patient_retrieve": by_id(_nurse_with(lambda: _varberg_patient().public_id)),
    "fhir_Organization_retrieve": by_id(_nurse_with(lambda: organisation(KOMMUN).public_id)),
    "fhir_CarePlan_retrieve": by_id(lambda: _sip(SipStatus.FINALISED)),
    "fhir_CarePlan_bundle_retrieve": by_id(lambda: _sip(SipStatus.FINALISED)),
    "fhir_RiskAssessment_retrieve": by_id(
        _nurse_with(lambda: _first(RiskAnalysis.objects.filter(case=_varberg_case())).public_id)
    ),
    "fhir_Task_retrieve": plain(kommun_nurse, case=lambda: _varberg_case().public_id),
    "figures_scopes_list": plain(lambda: as_user("coordinator.varberg")),
    "figures_kpis_retrieve": plain(lambda: as_user("coordinator.varberg")),
    "figures_shift_table_retrieve": plain(lambda: as_user("coordinator.varberg")),
    "figures_reports_retrieve": by_id(
        lambda: (as_user("coordinator.varberg"), _first(FiguresReport.objects.all()).public_id)
    ),
    "agreements_list": plain(_region_admin),
    "agreements_retrieve": by_id(
        lambda: (
            _region_admin(),
            _first(AgreementVersion.objects.filter(status="in_force")).agreement.public_id,
        )
    ),
    "agreement_versions_list": plain(_region_admin),
    "agreement_versions_retrieve": by_id(
        lambda: (_region_admin(), _first(AgreementVersion.objects.filter(status="in_force")).public_id)
    ),
    "agreement_versions_put_in_force_create": by_id(
        lambda: (_region_admin(), _first(AgreementVersion.objects.filter(status="draft")).public_id),
        "agreement_versions_retrieve",
    ),
    "agreement_sections_list": plain(_region_admin),
    "agreement_sections_retrieve": by_id(lambda: _draft_part(Section)),
    "agreement_sections_destroy": by_id(lambda: _draft_part(Section), "agreement_sections_retrieve"),
    "responsibility_rules_list": plain(_region_admin),
    "responsibility_rules_retrieve": by_id(lambda: _draft_part(ResponsibilityRule)),
    "responsibility_rules_destroy": by_id(
        lambda: _draft_part(ResponsibilityRule), "responsibility_rules_retrieve"
    ),
    "task_types_list": plain(_region_admin),
    "task_types_retrieve": by_id(lambda: (_region_admin(), _first(CareTaskType.objects.all()).public_id)),
    "webhook_subscriptions_list": subscriptions,
    "webhook_subscriptions_retrieve": subscription,
    "webhook_subscriptions_deliveries_list": subscription,
    "webhook_subscriptions_destroy": subscription,
    "competence_transfers_list": plain(kommun_nurse),
    "competence_transfers_retrieve": by_id(
        _nurse_with(lambda: _first(CompetenceTransfer.objects.filter(receiving_unit__name=KOMMUN)).public_id)
    ),
    "delegations_list": plain(kommun_nurse),
    "delegations_retrieve": by_id(
        _nurse_with(lambda: _first(Delegation.objects.filter(receiver_organisation__name=KOMMUN)).public_id)
    ),
    "cases_attachments_list": by_id(_nurse_with(lambda: varberg_case_of_the_nurse().public_id)),
    "cases_attachments_create": _attach_to_case,
    "sips_attachments_list": by_id(lambda: _sip(SipStatus.FINALISED)),
    "sips_attachments_create": _attach_to_sip,
    "attachments_retrieve": by_id(_attachment),
    "attachments_download_retrieve": by_id(_attachment),
    "cases_messages_list": by_id(_nurse_with(lambda: open_message().case.public_id)),
    "messages_list": plain(kommun_nurse),
    "messages_retrieve": by_id(_nurse_with(lambda: open_message().public_id)),
    "messages_close_create": by_id(_nurse_with(lambda: open_message().public_id), "messages_retrieve"),
    "teams_list": plain(kommun_nurse),
    "teams_retrieve": by_id(_nurse_with(lambda: Team.objects.get(name=TEAM_NAME).public_id)),
    "auth_logout_create": _logout,
}
# Sent last: they take away what the calls before use (a subscription, the caller's token).
LAST = ("webhook_subscriptions_destroy", "auth_logout_create")
