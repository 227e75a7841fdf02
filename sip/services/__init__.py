"""Writes on SIPs: start a plan, change its draft, finalise it, start a new version, withdraw consent,
record a follow-up, record who received the plan.

Each service is keyword-only and runs in one transaction. It locks the plan's row
(``select_for_update``) and checks the revision the caller read: of two people acting on the same
revision only the first succeeds, the second gets 412 (``StaleVersionError``); an action the plan's
state does not allow is 409 (``StateConflictError``); a person who may not edit is 403. Every write appends a
``SipEvent``, writes the access log and bumps the revision (the ETag).

Lock order: the plan, then its rows, then (after a follow-up) the case it came from. Starting a plan from
a case locks the case first, but no plan row exists yet then, so the two orders never meet.
"""

from __future__ import annotations

from ..inputs import CONSENT_FIELDS as CONSENT_FIELDS
from ..inputs import DRAFT_FIELDS as DRAFT_FIELDS
from ..inputs import ROW_KINDS as ROW_KINDS
from ..inputs import ContactPathInput as ContactPathInput
from ..inputs import DraftChanges as DraftChanges
from ..inputs import InsatsInput as InsatsInput
from ..inputs import OtherMeasureInput as OtherMeasureInput
from ..inputs import ParticipantInput as ParticipantInput
from .creation import sip_create_for_patient as sip_create_for_patient
from .creation import sip_create_from_case as sip_create_from_case
from .distribution import sip_record_distribution as sip_record_distribution
from .drafts import sip_update_draft as sip_update_draft
from .finalising import finalise_problems as finalise_problems
from .finalising import sip_finalise as sip_finalise
from .lifecycle import sip_new_version as sip_new_version
from .lifecycle import sip_record_follow_up as sip_record_follow_up
from .lifecycle import sip_withdraw_consent as sip_withdraw_consent
