"""Everything a person can do on a page, an integration can do through the API.

The page actions are found in the URL configuration: every named route outside ``/api/`` and
``/admin/`` whose view takes ``POST``. Each has its API counterpart here (``COUNTERPARTS``, an
``operationId`` of the committed openapi.yaml), or is on the short list of page actions without one
(``WITHOUT_API``), with what is missing. A new page action fails this test until it has an operation or
an honest entry on that list; an entry whose page action is gone fails too. The routes that take an
action's name in the URL (``cases:action``, ``cases:analysis-action``, ``sip:action``) are checked
action by action, against the transition table and the SIP's actions.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from cases.transitions import PERSON_ACTIONS
from cases.transitions import A as CaseAction
from sip.policies import ALL_ACTIONS as SIP_ACTIONS
from sip.policies import SipAction

# Page action (URL name) → the API operation that does the same.
COUNTERPARTS = {
    "login": "auth_token_create",
    # A token acts in one membership, chosen when it is issued (``membership``).
    "acting": "auth_token_create",
    "logout": "auth_logout_create",
    "inbox-read": "notifications_read_create",
    "inbox-read-all": "notifications_read_all_create",
    "inbox-email": "notifications_email_preference_update",
    "work-filters": "me_work_filters_update",
    "cases:notification-read": "notifications_read_create",
    "patients:emergency": "patients_emergency_access_create",
    "patients:enrol": "patients_enrolments_create",
    "patients:enrolment-end": "enrolments_end_create",
    "figures:report-create": "figures_reports_create",
    "audit:extract-create": "patients_log_extract_create",
    "audit:review-mark": "access_log_entries_review_create",
    "audit:extract-pdf": "documents_create",
    "documents:request": "documents_create",
    "cases:new": "cases_create",
    "cases:proposal": "responsibility_proposals_create",
    "cases:edit": "cases_partial_update",
    "cases:analysis": "cases_risk_analyses_create",
    "sip:from-case": "sips_from_case_create",
    "sip:withdraw-consent": "sips_withdraw_consent_create",
    "consent:basis": "cases_legal_basis_create",
    "consent:withdraw": "cases_legal_basis_withdraw_create",
    "consent:objection": "cases_objections_create",
    "consent:objection-lift": "cases_objections_lift_create",
    "consent:block": "cases_blocks_create",
    "consent:block-lift": "cases_blocks_lift_create",
    "competence:transfer-revoke": "competence_transfers_revoke_create",
    "competence:delegation-revoke": "delegations_revoke_create",
    "competence:delegation-link": "delegations_case_tasks_create",
    "attachments:case-upload": "cases_attachments_create",
    "attachments:sip-upload": "sips_attachments_create",
    "attachments:remove": "attachments_remove_create",
    "messaging:send": "cases_messages_create",
    "messaging:reply": "messages_replies_create",
    "messaging:close": "messages_close_create",
    "assignments:hand-over": "cases_handler_create",
    "assignments:release": "cases_handler_release_create",
    "assignments:team-create": "teams_create",
    "assignments:team-update": "teams_partial_update",
}
# Routes whose action is named in the URL: checked per action below.
BY_ACTION = {"cases:action", "cases:analysis-action", "sip:action"}
# Page actions without an API operation, and why; keep this short and true.
WITHOUT_API = {
    "password_reset_confirm": "A browser sign-in's password reset; integrations act with client credentials.",
    "set_language": "The page's language; the API follows each request's Accept-Language.",
    "sip:draft-rows": "Adds an empty row to the draft form; the API's draft PATCH sends every row.",
}

# A case action of the transition table → its operation.
CASE_OPERATIONS = {
    CaseAction.UPDATE: "cases_partial_update",
    CaseAction.STATE_POSITION: "cases_positions_create",
    CaseAction.CREATE_ANALYSIS: "cases_risk_analyses_create",
    CaseAction.SIGN_ANALYSIS: "risk_analyses_sign_create",
    CaseAction.APPROVE_ANALYSIS: "risk_analyses_approve_create",
    CaseAction.REJECT_ANALYSIS: "risk_analyses_reject_create",
    CaseAction.RETURN_ANALYSIS: "risk_analyses_return_create",
    # After MAS rejected the analysis, a party disputes the split again: the same operation.
    CaseAction.DISPUTE_AFTER_REJECTION: "cases_dispute_create",
}
SIP_OPERATIONS = {
    SipAction.UPDATE_DRAFT: "sips_draft_partial_update",
    SipAction.FINALISE: "sips_finalise_create",
    SipAction.NEW_VERSION: "sips_new_version_create",
    SipAction.WITHDRAW_CONSENT: "sips_withdraw_consent_create",
    SipAction.RECORD_FOLLOW_UP: "sips_follow_ups_create",
    SipAction.RECORD_DISTRIBUTION: "sips_distributions_create",
}


def case_operation(action: str) -> str:
    return CASE_OPERATIONS.get(action, f"cases_{action}_create")


@pytest.fixture(scope="module")
def operation_ids() -> set[str]:
    schema = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())
    return {
        operation["operationId"]
        for item in schema["paths"].values()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }


def _routes(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str | None, Callable[..., Any]]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield prefix + str(pattern.pattern), name, pattern.callback


def _allowed_methods(view: Callable[..., Any]) -> set[str] | None:
    """The methods a ``require_http_methods`` (``require_POST``) decorator lets through, if any."""
    seen: set[int] = set()
    current: Any = view
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for cell in getattr(current, "__closure__", None) or ():
            value = cell.cell_contents
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(m, str) and m.isupper() for m in value)
            ):
                return set(value)
        current = getattr(current, "__wrapped__", None)
    return None


def takes_post(view: Callable[..., Any]) -> bool:
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return "post" in view_class.http_method_names and hasattr(view_class, "post")
    methods = _allowed_methods(view)
    if methods is not None:
        return "POST" in methods
    inner = inspect.unwrap(view)
    return "POST" in inspect.getsource(inner)


def page_actions() -> set[str]:
    found = set()
    for route, name, view in _routes(get_resolver().url_patterns):
        if route.startswith(("api/", "admin/")) or not takes_post(view):
            continue
        assert name is not None, f"the page action {route} has no URL name"
        found.add(name)
    return found


def test_every_page_action_has_an_api_operation_or_says_what_is_missing():
    found = page_actions()
    listed = set(COUNTERPARTS) | BY_ACTION | set(WITHOUT_API)
    new = sorted(found - listed)
    assert not new, (
        "Page actions without an API counterpart: add the operation (and name it in COUNTERPARTS), or say "
        f"in WITHOUT_API what is missing: {new}"
    )
    gone = sorted(listed - found)
    assert not gone, f"Listed here but no longer a page action: {gone}"
    assert not set(COUNTERPARTS) & set(WITHOUT_API)


def test_the_counterparts_are_operations_of_the_schema(operation_ids):
    missing = {page: op for page, op in COUNTERPARTS.items() if op not in operation_ids}
    assert not missing, missing


def test_every_case_action_of_the_transition_table_has_its_operation(operation_ids):
    missing = {
        action: case_operation(action)
        for action in PERSON_ACTIONS
        if case_operation(action) not in operation_ids
    }
    assert not missing, f"Case actions a person takes on the page without an API operation: {missing}"


def test_every_sip_action_has_its_operation(operation_ids):
    assert set(SIP_OPERATIONS) == set(SIP_ACTIONS)
    missing = {action: op for action, op in SIP_OPERATIONS.items() if op not in operation_ids}
    assert not missing, missing


def test_the_list_without_api_is_short():
    assert len(WITHOUT_API) <= 4, "Page actions without an API: add the operations rather than the excuses."
