"""Writes on responsibility cases: every action of ``cases.transitions`` is one service here.

Each service is keyword-only, runs in one transaction, locks the case row (``select_for_update``) and
checks the version the caller read, so of two people acting on the same version only the first
succeeds and the second gets 412; it then checks the transition table (409 with the allowed actions for
a wrong status, 403 for a wrong person), writes, bumps the version, appends a ``CaseEvent`` and writes
the access log. Work for the worker goes to the outbox in the same transaction (``hemsjukvard.outbox``).

Lock order: the case row first, then rows that belong to it; nothing here locks two cases.

The services live in one module per sub-area and are re-exported here, so callers write
``services.case_submit``:

- ``inputs``: the typed values callers hand in;
- ``core``: lock, authorise, move, record, save (what every transition shares);
- ``drafts``: open and change a draft;
- ``review``: submit (the engine proposes), accept, dispute, positions;
- ``escalation``: escalate and decide;
- ``risk_analysis``: write, sign or return, inform MAS, approve, reject;
- ``follow_up``: activate, follow up, resume, close, withdraw, comment;
- ``reminders``: deadlines and notification e-mail;
- ``notifications``: the notification of every step (who, by ``cases.notify``), digests, the inbox.
"""

from .core import (
    DEFAULT_APPROVAL_DAYS,
    DEFAULT_REVIEW_DAYS,
    STALE_VERSION,
    S,
)
from .drafts import (
    case_open,
    case_update,
)
from .escalation import (
    case_answer_recommendation,
    case_cannot_settle,
    case_consent_skip,
    case_decide,
    case_escalate,
    task_label,
)
from .follow_up import (
    SIMPLE_MOVES,
    case_comment,
    case_move,
    case_withdraw,
)
from .inputs import (
    CASE_FIELDS,
    AnalysisInput,
    CaseInput,
    HazardInput,
    MeasureInput,
    PositionInput,
    Split,
)
from .notifications import (
    case_label,
    case_step_notify,
    notices_write,
    notification_digest_email,
    notification_preference_set,
    notifications_digest_schedule,
    notifications_email,
    notifications_mark_all_read,
)
from .reminders import (
    case_remind_if_overdue,
    notification_email,
    notification_mark_read,
    overdue_case_ids,
)
from .review import (
    case_accept,
    case_dispute,
    case_dispute_after_rejection,
    case_review,
    case_state_position,
    case_submit,
)
from .risk_analysis import (
    FourEyesRefused,
    risk_analysis_approve,
    risk_analysis_create,
    risk_analysis_reject,
    risk_analysis_return,
    risk_analysis_sign,
)

__all__ = [
    "CASE_FIELDS",
    "DEFAULT_APPROVAL_DAYS",
    "DEFAULT_REVIEW_DAYS",
    "SIMPLE_MOVES",
    "STALE_VERSION",
    "AnalysisInput",
    "CaseInput",
    "FourEyesRefused",
    "HazardInput",
    "MeasureInput",
    "PositionInput",
    "S",
    "Split",
    "case_accept",
    "case_answer_recommendation",
    "case_cannot_settle",
    "case_comment",
    "case_consent_skip",
    "case_decide",
    "case_dispute",
    "case_dispute_after_rejection",
    "case_escalate",
    "case_label",
    "case_move",
    "case_open",
    "case_remind_if_overdue",
    "case_review",
    "case_state_position",
    "case_step_notify",
    "case_submit",
    "case_update",
    "case_withdraw",
    "notices_write",
    "notification_digest_email",
    "notification_email",
    "notification_mark_read",
    "notification_preference_set",
    "notifications_digest_schedule",
    "notifications_email",
    "notifications_mark_all_read",
    "overdue_case_ids",
    "risk_analysis_approve",
    "risk_analysis_create",
    "risk_analysis_reject",
    "risk_analysis_return",
    "risk_analysis_sign",
    "task_label",
]
