"""The record types the access log names: what was read or changed (``AccessLogEntry.record_type``).

Every module that writes the log takes its record type from here, so a review or a patient's log extract
can rely on one list. The values are stored in the log and must never change.
"""

from __future__ import annotations

from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# A patient and their enrolment, registration and protected identity (patients).
RECORD_PATIENT: Final = "patient"
RECORD_ENROLMENT: Final = "enrolment"
RECORD_REGISTRATION: Final = "patient_registration"
RECORD_PROTECTED_IDENTITY: Final = "protected_identity"
# A responsibility case, its timeline and its risk analysis (cases).
RECORD_CASE: Final = "responsibility_case"
RECORD_TIMELINE: Final = "case_timeline"
RECORD_ANALYSIS: Final = "risk_analysis"
# The legal basis for sharing a case, an objection or a spärr (consent).
RECORD_SHARING: Final = "sharing_basis"
# A message on a case to one party, with its thread (messaging).
RECORD_CASE_MESSAGE: Final = "case_message"
# The rule engine's proposal for a patient (agreements, and the case form that shows it).
RECORD_PROPOSAL: Final = "responsibility_proposal"
# A coordinated individual plan (sip).
RECORD_SIP: Final = "sip"
# A patient's overview: cases, plans, risk analyses, registers, enrolments and their timeline (overview).
RECORD_OVERVIEW: Final = "patient_overview"
# A generated document (documents).
RECORD_DOCUMENT: Final = "document"
# A file attached to a case or a SIP (attachments).
RECORD_ATTACHMENT: Final = "attachment"
# The access log itself: an entry shown in the review, a review written, a patient's log extract (audit).
RECORD_LOG_ENTRY: Final = "access_log_entry"
RECORD_REVIEW: Final = "access_log_review"
RECORD_EXTRACT: Final = "access_log_extract"

RECORD_TYPES: Final = frozenset(
    {
        RECORD_PATIENT,
        RECORD_ENROLMENT,
        RECORD_REGISTRATION,
        RECORD_PROTECTED_IDENTITY,
        RECORD_CASE,
        RECORD_TIMELINE,
        RECORD_ANALYSIS,
        RECORD_SHARING,
        RECORD_CASE_MESSAGE,
        RECORD_PROPOSAL,
        RECORD_SIP,
        RECORD_OVERVIEW,
        RECORD_DOCUMENT,
        RECORD_ATTACHMENT,
        RECORD_LOG_ENTRY,
        RECORD_REVIEW,
        RECORD_EXTRACT,
    }
)

# What the review, its export and the patient's extract show for each record type (Swedish in the
# interface). A value without a label (none today) is shown as stored.
TYPE_LABELS: Final[dict[str, Promise]] = {
    RECORD_PATIENT: _("Patient"),
    RECORD_ENROLMENT: _("Enrolment"),
    RECORD_REGISTRATION: _("Patient registration"),
    RECORD_PROTECTED_IDENTITY: _("Protected identity"),
    RECORD_CASE: _("Responsibility case"),
    RECORD_TIMELINE: _("Case timeline"),
    RECORD_ANALYSIS: _("Risk analysis"),
    RECORD_SHARING: _("Legal basis for sharing"),
    RECORD_CASE_MESSAGE: _("Message on a case"),
    RECORD_PROPOSAL: _("Responsibility proposal"),
    RECORD_SIP: _("SIP"),
    RECORD_OVERVIEW: _("Patient overview"),
    RECORD_DOCUMENT: _("Document"),
    RECORD_ATTACHMENT: _("Attachment"),
    RECORD_LOG_ENTRY: _("Access log entry"),
    RECORD_REVIEW: _("Access log review"),
    RECORD_EXTRACT: _("Log extract"),
}


def record_type_label(value: str) -> str:
    label = TYPE_LABELS.get(value)
    return str(label) if label is not None else value
