"""Reads of responsibility cases, by sub-area, re-exported here so that callers import
``cases.selectors`` whatever module a read lives in.

* ``reads``: a case, a list of cases, a timeline, risk analyses and notifications, read for a person:
  access-checked (``access.cases``) and logged;
* ``search``: the case search of coordinators, MAS and MAR;
* ``worklist``: the work lists of the home page ("My work") and their counts;
* ``facts``: what the transition guards and the reminders need about cases already loaded (reads the
  system makes for itself).
"""

from .facts import (
    APPROVER_FOR_KIND,
    assignable_organisations,
    case_facts,
    case_facts_many,
    current_analysis,
    deadline_recipients,
    mar_vacant,
    task_answers_many,
    task_parties_for,
    task_parties_many,
)
from .reads import (
    LIST_KEYS,
    CaseFilters,
    _case_queryset,
    analyses_check_shared,
    case_events,
    case_get,
    case_get_by_number,
    case_list,
    case_list_keys,
    case_read,
    case_reload,
    case_timeline,
    cases_for_patient,
    cases_listed,
    notification_get,
    notifications_all,
    notifications_unread,
    risk_analyses,
    risk_analyses_for_case,
    risk_analysis_get,
    risk_analysis_reload,
)
from .search import CaseSearch, case_organisation_choices, case_search
from .worklist import (
    HANDLERS,
    SORTS,
    WorkCounts,
    WorkFilters,
    WorkLists,
    analyses_awaiting_approval,
    cases_of_my_patients,
    cases_waiting,
    escalations_at_my_level,
    notifications_for,
    notifications_inbox,
    work_counts,
    work_lists,
)

__all__ = [
    "APPROVER_FOR_KIND",
    "HANDLERS",
    "LIST_KEYS",
    "SORTS",
    "CaseFilters",
    "CaseSearch",
    "WorkCounts",
    "WorkFilters",
    "WorkLists",
    "_case_queryset",  # how a case is loaded with what its page and its facts need; tests build on it
    "analyses_awaiting_approval",
    "analyses_check_shared",
    "assignable_organisations",
    "case_events",
    "case_facts",
    "case_facts_many",
    "case_get",
    "case_get_by_number",
    "case_list",
    "case_list_keys",
    "case_organisation_choices",
    "case_read",
    "case_reload",
    "case_search",
    "case_timeline",
    "cases_for_patient",
    "cases_listed",
    "cases_of_my_patients",
    "cases_waiting",
    "current_analysis",
    "deadline_recipients",
    "escalations_at_my_level",
    "mar_vacant",
    "notification_get",
    "notifications_all",
    "notifications_for",
    "notifications_inbox",
    "notifications_unread",
    "risk_analyses",
    "risk_analyses_for_case",
    "risk_analysis_get",
    "risk_analysis_reload",
    "task_answers_many",
    "task_parties_for",
    "task_parties_many",
    "work_counts",
    "work_lists",
]
