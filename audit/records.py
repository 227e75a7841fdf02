"""The record types the access log names: what was read or changed (``AccessLogEntry.record_type``).

Every module that writes the log takes its record type from here, so a review or a patient's log extract
can rely on one list. The values are stored in the log and must never change.
"""

from __future__ import annotations

from typing import Final

# A patient and their enrolment, registration and protected identity (patients).
RECORD_PATIENT: Final = "patient"
RECORD_ENROLMENT: Final = "enrolment"
RECORD_REGISTRATION: Final = "patient_registration"
RECORD_PROTECTED_IDENTITY: Final = "protected_identity"
# A responsibility case, its timeline and its risk analysis (cases).
RECORD_CASE: Final = "responsibility_case"
RECORD_TIMELINE: Final = "case_timeline"
RECORD_ANALYSIS: Final = "risk_analysis"
# The rule engine's proposal for a patient (agreements, and the case form that shows it).
RECORD_PROPOSAL: Final = "responsibility_proposal"
# A coordinated individual plan (sip).
RECORD_SIP: Final = "sip"
# A generated document (documents).
RECORD_DOCUMENT: Final = "document"
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
        RECORD_PROPOSAL,
        RECORD_SIP,
        RECORD_DOCUMENT,
        RECORD_LOG_ENTRY,
        RECORD_REVIEW,
        RECORD_EXTRACT,
    }
)
