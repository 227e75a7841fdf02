"""The role sets of the access rule, each defined once: who reaches which patient, whose identity, which
case, which plan, and who may change what.

A set is named for what it grants, not for the roles in it: two sets with the same roles today (the
kommun's nursing staff and those who may see a protected identity) are two rules that may part.
Nothing here decides anything; ``access.patients``, ``access.cases``, ``access.sips`` and the apps'
``policies`` modules do, with these sets.
"""

from __future__ import annotations

from directory.models import Role

# --- Reaching a patient (``access.patients``) -------------------------------------------------------

# Members of a kommun in these roles reach the patients enrolled there (and folkbokförda there in
# special housing, where the kommun is principal for health care).
KOMMUN_CARE_ROLES = frozenset({Role.NURSE, Role.REHAB, Role.MAS, Role.MAR, Role.COORDINATOR})
# MAS and MAR reach the patients their kommun gives, gave or is asked to give health care (enrolled now or
# before, or on a case with the kommun as party, open or closed).
KOMMUN_OVERSIGHT_ROLES = frozenset({Role.MAS, Role.MAR})
KOMMUN_NURSING_STAFF = frozenset({Role.NURSE, Role.REHAB, Role.MAS, Role.MAR})
# Members of a vårdcentral in these roles reach the patients listed there.
VARDCENTRAL_CARE_ROLES = frozenset({Role.GP, Role.COORDINATOR})
# Roles that reach a case naming their organisation, and through an open case its patient. Every role
# but ``admin``, which by design reaches no patient data.
CASE_PARTY_ROLES = frozenset(
    {
        Role.NURSE,
        Role.REHAB,
        Role.MAS,
        Role.MAR,
        Role.GP,
        Role.SPECIALIST,
        Role.COORDINATOR,
        Role.GOVERNANCE,
    }
)
# Whoever may reach a patient at all, by any of the rules above. A biståndshandläggare reaches plans, a
# log reviewer the log and an administrator the set-up: none of them the patient register.
PATIENT_REACHING_ROLES = KOMMUN_CARE_ROLES | VARDCENTRAL_CARE_ROLES | CASE_PARTY_ROLES
# Nödåtkomst: the care roles of an organisation in the patient's region. Admin, governance and
# coordinators never open a patient in an emergency: they give no care.
EMERGENCY_ROLES = frozenset({Role.NURSE, Role.REHAB, Role.GP, Role.SPECIALIST, Role.MAS, Role.MAR})

# --- Seeing a protected identity (skyddad identitet) ---------------------------------------------------

# Who treats the patient and so may see a protected identity. Coordinators reach the patient but never
# the identity: they organise care, they do not give it.
IDENTITY_KOMMUN_ROLES = KOMMUN_NURSING_STAFF
IDENTITY_VARDCENTRAL_ROLES = frozenset({Role.GP})

# --- Changing patient data (``patients.policies``) ---------------------------------------------------

ENROLLING_ROLES = frozenset({*KOMMUN_NURSING_STAFF, Role.COORDINATOR})
# Who records a change of skyddad identitet. The MAS (medicinskt ansvarig sjuksköterska) carries the
# kommun's responsibility for patient safety and reviews the access log: one named, accountable person per
# kommun rather than every nurse, and not the system administrator, who by design reaches no patient data.
PROTECTED_IDENTITY_ROLES = frozenset({Role.MAS})

# --- Cases: whose work a case is (``cases.selectors.worklist``) ----------------------------------------

# Who approves a risk analysis (MAR for rehabilitation, MAS otherwise and when there is no MAR).
APPROVER_ROLES = frozenset({Role.MAS, Role.MAR})
# Who searches every case they may see (``cases.search_views``): those who follow up deadlines and
# patient safety across the organisation, not only their own work. What each finds is still the case rule's.
CASE_SEARCH_ROLES = frozenset({Role.COORDINATOR, Role.MAS, Role.MAR})

# --- SIPs: who keeps a plan (``sip.policies``) ---------------------------------------------------------

SIP_KOMMUN_EDITORS = KOMMUN_NURSING_STAFF
SIP_REGION_EDITORS = frozenset({Role.GP, Role.SPECIALIST, Role.NURSE, Role.COORDINATOR})
# Socialtjänst: reads the plans she is named on and writes their SoL parts (``access.sips``).
SIP_SOL_EDITORS = frozenset({Role.BISTANDSHANDLAGGARE})

# --- Figures and the access-log review ---------------------------------------------------------------

# Who sees the figures of their own kommun or vårdcentral (``figures.scope``; issue 7).
FIGURES_KOMMUN_ROLES = frozenset({Role.NURSE, Role.REHAB, Role.MAS, Role.MAR, Role.COORDINATOR})
FIGURES_VARDCENTRAL_ROLES = frozenset({Role.GP, Role.COORDINATOR})
# Who reviews the access log of their care provider's staff (``audit.providers``, HSLF-FS 2016:40 4 kap.
# 9 §): MAS and MAR for the kommun, the log reviewer (loggranskare) for the region and its units.
KOMMUN_LOG_REVIEWER_ROLES = frozenset({Role.MAS, Role.MAR})
REGION_LOG_REVIEWER_ROLES = frozenset({Role.LOG_REVIEWER})
LOG_REVIEWER_ROLES = KOMMUN_LOG_REVIEWER_ROLES | REGION_LOG_REVIEWER_ROLES

# Members of the joint bodies that decide escalated cases: they read what is before them, and change no
# patient's record.
DECIDING_ROLES = frozenset({Role.GOVERNANCE})
# Who records or lifts a case's legal basis for sharing, an objection or a spärr (``consent.policies``):
# the staff of the organisation that opened the case, in a care role, and the MAS of the case's kommun.
SHARING_RECORDER_ROLES = frozenset(
    {Role.NURSE, Role.REHAB, Role.GP, Role.SPECIALIST, Role.COORDINATOR, Role.MAS, Role.MAR}
)
SHARING_OVERSIGHT_ROLES = frozenset({Role.MAS})
