"""Which organisations a patient's open cases name; used by the patient access rule.

Responsibility cases arrive with their own models; until then no case names anyone, so these answer
"nobody" and the patient rule rests on enrolment, special housing and listing alone.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q


def patients_with_open_case_q(organisation_ids: Collection[int]) -> Q:
    return Q(pk__in=[])


def organisations_on_open_cases(patient_id: int) -> frozenset[int]:
    return frozenset()
