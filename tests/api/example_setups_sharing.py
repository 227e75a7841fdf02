"""Example setups for the legal basis for sharing a case, objections and spärrar (``consent``): who
sends each example, to which closed case of the kommun's own (the other examples use open cases, which
these leave shared as the demo recorded them)."""

from __future__ import annotations

from cases.models import CaseStatus, ResponsibilityCase
from consent.models import SharingBasis, SharingBlock, SharingObjection

from .example_setups import Prepared, Setup, _kommun_nurse_of
from .examples_world import KOMMUN, ExampleWorld


def _sharing_case(offset: int) -> ResponsibilityCase:
    """A case the kommun's own nurse opened, closed ones first (the other examples act on open cases,
    which these would leave unshared), the oldest first; ``offset`` picks a different one for each
    operation."""
    cases = ResponsibilityCase.objects.filter(kommun__name=KOMMUN, opened_by_organisation__name=KOMMUN)
    ordered = list(cases.filter(status=CaseStatus.CLOSED).order_by("pk")) + list(
        cases.exclude(status=CaseStatus.CLOSED).order_by("pk")
    )
    assert ordered, "the demo world has no case the kommun opened"
    return ordered[offset % len(ordered)]


def _sharing(offset: int) -> Setup:
    def setup(w: ExampleWorld) -> Prepared:
        case = _sharing_case(offset)
        nurse = _kommun_nurse_of(case.kommun)
        assert nurse is not None
        return Prepared(nurse, path_params={"id": case.public_id})

    return setup


def cases_legal_basis_withdraw_create(w: ExampleWorld) -> Prepared:
    """A case whose basis is in force (a new one recorded first if an earlier example withdrew it)."""
    prepared = _sharing(1)(w)
    case = ResponsibilityCase.objects.get(public_id=prepared.path_params["id"])
    if not SharingBasis.objects.filter(case=case, withdrawn_at__isnull=True).exists():
        SharingBasis.objects.create(
            case=case, kind="historic", ground_text="Registrerat före rättslig grund krävdes"
        )
    return prepared


def cases_objections_lift_create(w: ExampleWorld) -> Prepared:
    """An objection recorded by the nurse (through the service) and lifted by the same nurse."""
    case = _sharing_case(2)
    nurse = _kommun_nurse_of(case.kommun)
    assert nurse is not None
    objection = SharingObjection.objects.create(
        case=case,
        organisation=case.vardcentral,
        reason="Exempel",
        recorded_by=case.opened_by,
        recorded_by_organisation=case.opened_by_organisation,
    )
    return Prepared(nurse, path_params={"id": case.public_id, "objection_id": objection.public_id})


def cases_blocks_lift_create(w: ExampleWorld) -> Prepared:
    case = _sharing_case(3)
    nurse = _kommun_nurse_of(case.kommun)
    assert nurse is not None
    block = SharingBlock.objects.create(
        case=case,
        part="text",
        reason="Exempel",
        recorded_by=case.opened_by,
        recorded_by_organisation=case.opened_by_organisation,
    )
    return Prepared(nurse, path_params={"id": case.public_id, "block_id": block.public_id})


SHARING_SETUPS: dict[str, Setup] = {
    "cases_legal_basis_create": _sharing(0),
    "cases_legal_basis_withdraw_create": cases_legal_basis_withdraw_create,
    "cases_objections_create": _sharing(4),
    "cases_objections_lift_create": cases_objections_lift_create,
    "cases_blocks_create": _sharing(3),
    "cases_blocks_lift_create": cases_blocks_lift_create,
}
