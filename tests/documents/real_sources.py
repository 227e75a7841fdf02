"""Real records for documents in tests: a document is read by its source's rule
(``DocumentSource.readable``), so a test document must print a record that exists."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from cases.models import AnalysisStatus, RiskAnalysis
from documents.models import DocumentKind
from patients.selectors import patient_get
from sip import selectors as sip_selectors
from sip import services as sip_services
from sip.models import Sip
from tests.fixtures.world import World, as_actor


def source_of(
    world: World, patient: Any, kind: str, *, case_in: Callable[..., Any] | None = None
) -> uuid.UUID:
    """The public id of a record of ``kind`` for ``patient``, made by kommun A's nurse (reused if there
    is one). Case kinds need the ``case_in`` fixture (it loads the agreement a case needs)."""
    nurse = as_actor(world, "nurse_a")
    if kind == DocumentKind.SIP_CARE_PLAN:
        sip = Sip.objects.filter(patient=patient).first() or sip_services.sip_create_for_patient(
            actor=nurse, patient=patient_get(actor=nurse, public_id=patient.public_id)
        )
        return sip_selectors.current_version(sip_selectors.sip_reload(sip=sip)).public_id
    assert case_in is not None, f"a {kind} needs a case: pass the case_in fixture"
    case = patient.cases.first() or case_in(patient=patient)
    if kind == DocumentKind.ESCALATION_NOTICE:
        return case.public_id
    analysis = RiskAnalysis.objects.filter(case=case).first() or RiskAnalysis.objects.create(
        case=case,
        number=1,
        status=AnalysisStatus.DRAFT,
        created_by=nurse.user,
        organisation=world.orgs["kommun_a"],
    )
    return analysis.public_id
