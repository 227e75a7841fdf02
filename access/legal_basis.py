"""What of a responsibility case is shared with an organisation other than the one that opened it.

A region and a kommun are separate care providers (PDL 2008:355 6 kap., OSL 25 kap.). The rule, in one
place, used by the case pages, the API, the PDFs, the FHIR export and the notifications:

* The **opener's organisation** sees all of its case, whatever is recorded here.
* Every other organisation that may see the case (``access.cases``) sees that it exists and **what is
  asked**: its number, status, task types, urgency, trigger, deadline and the organisations on it. It
  sees the **health details** (the background and every free text, the comments and positions, the risk
  analyses, the documents, the SIP started from the case, and the patient's name and personnummer) only
  while the case has a **valid legal basis** (``consent.models.SharingBasis``): consent not withdrawn and
  not past its last day, a menprövning, another stated ground, or the historic basis of a case opened
  before a basis was asked for. Without one the patient's identity is masked as for skyddad identitet.
* A **spärr** (``SharingBlock``) on a part (free text and comments, risk analyses, documents) hides that
  part from every other organisation even with a basis.
* An **objection** (``SharingObjection``) to sharing with an organisation (or with all) makes the case a
  read that organisation may not make at all: it answers 404 and the denied read is logged with the
  purpose ``objection`` (``cases.selectors``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases.models import ResponsibilityCase
from consent.models import BasisKind, SharedPart, SharingBasis, SharingBlock, SharingObjection
from directory.actor import Actor
from directory.models import Role

VALID = "valid"
NONE = "none"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"


def basis_status(basis: SharingBasis | None, *, today: date | None = None) -> str:
    """``valid``, ``none``, ``expired`` or ``withdrawn``: the state of a case's current basis
    (``current_bases``)."""
    if basis is None:
        return NONE
    if basis.withdrawn_at is not None:
        return WITHDRAWN
    today = today or timezone.localdate()
    if basis.kind == BasisKind.CONSENT and basis.valid_until is not None and basis.valid_until < today:
        return EXPIRED
    return VALID


def _valid_bases_q(today: date) -> Q:
    """A filter on ``SharingBasis``: the bases in force (``basis_status`` says ``valid``)."""
    return Q(withdrawn_at__isnull=True) & (
        ~Q(kind=BasisKind.CONSENT) | Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


@dataclass(frozen=True)
class Sharing:
    """What of one case one reader is shown. ``own``: the reader acts for the organisation that opened
    the case. ``status``: the basis's state (``basis_status``). ``blocked``: the parts under a spärr."""

    own: bool
    status: str
    blocked: frozenset[str] = field(default_factory=frozenset)
    kind: str = ""  # the current basis's kind (``BasisKind``), empty when none was recorded
    # The organisations the reader acts for: what is internal to one of them (a hand-over's note) is shown
    # only to its own staff.
    readers: frozenset[int] = field(default_factory=frozenset)

    @property
    def health(self) -> bool:
        """The health details: free text, comments, analyses, documents, SIP, the patient's identity."""
        return self.own or self.status == VALID

    def part(self, part: str) -> bool:
        return self.own or (self.status == VALID and part not in self.blocked)

    @property
    def text(self) -> bool:
        return self.part(SharedPart.TEXT)

    @property
    def analyses(self) -> bool:
        return self.part(SharedPart.ANALYSES)

    @property
    def documents(self) -> bool:
        return self.part(SharedPart.DOCUMENTS)


def acting_organisations(actor: Actor) -> frozenset[int]:
    """The organisations ``actor`` acts for in a role that may read patient data (never admin)."""
    return frozenset(m.organisation_id for m in actor.memberships if m.role != Role.ADMIN)


def current_bases(case_ids: Collection[int]) -> dict[int, SharingBasis]:
    """Each case's current basis, in one query: the newest in force if any, else the newest recorded
    (withdrawn or past its last day), so that the case says why it is not shared."""
    today = timezone.localdate()
    found: dict[int, SharingBasis] = {}
    rows = SharingBasis.objects.filter(case_id__in=list(case_ids)).order_by("-recorded_at", "-pk")
    for basis in rows:
        held = found.get(basis.case_id)
        if held is None or (
            basis_status(held, today=today) != VALID and basis_status(basis, today=today) == VALID
        ):
            found[basis.case_id] = basis
    return found


def blocked_parts(case_ids: Collection[int]) -> dict[int, frozenset[str]]:
    """The parts under a spärr not lifted, by case, in one query."""
    parts: dict[int, set[str]] = {}
    # Unordered: the model's ordering by case would join the cases table for nothing.
    for case_id, part in (
        SharingBlock.objects.filter(case_id__in=list(case_ids), lifted_at__isnull=True)
        .order_by()
        .values_list("case_id", "part")
    ):
        parts.setdefault(case_id, set()).add(part)
    return {case_id: frozenset(found) for case_id, found in parts.items()}


def sharing_for_organisations(
    organisations: Collection[int], cases: Sequence[ResponsibilityCase]
) -> dict[int, Sharing]:
    """The rule for readers acting for ``organisations``, for each of ``cases`` (by id), in two queries."""
    ids = [case.pk for case in cases]
    bases = current_bases(ids)
    blocks = blocked_parts(ids)
    return {
        case.pk: Sharing(
            own=case.opened_by_organisation_id in organisations,
            status=basis_status(bases.get(case.pk)),
            blocked=blocks.get(case.pk, frozenset()),
            kind=bases[case.pk].kind if case.pk in bases else "",
            readers=frozenset(organisations),
        )
        for case in cases
    }


def sharing_many(actor: Actor, cases: Sequence[ResponsibilityCase]) -> dict[int, Sharing]:
    """The rule for ``actor`` and each of ``cases`` (by id), in two queries whatever their number."""
    return sharing_for_organisations(acting_organisations(actor), cases)


def sharing_for(actor: Actor, case: ResponsibilityCase) -> Sharing:
    return sharing_many(actor, [case])[case.pk]


def sharing_with_organisation(organisation_id: int | None, case: ResponsibilityCase) -> Sharing:
    """The rule for a reader acting for ``organisation_id`` (a notification's receiver, a print)."""
    organisations: frozenset[int] = frozenset() if organisation_id is None else frozenset({organisation_id})
    return sharing_for_organisations(organisations, [case])[case.pk]


def sharing_as_opener(case: ResponsibilityCase) -> Sharing:
    """The rule as the organisation that opened ``case`` sees it (everything): what a representation
    made without a reader shows."""
    return sharing_with_organisation(case.opened_by_organisation_id, case)


def _objections_against(organisations: Collection[int]) -> Q:
    return Q(lifted_at__isnull=True) & (
        Q(organisation__isnull=True) | Q(organisation_id__in=list(organisations))
    )


def objection_blocks(actor: Actor, case: ResponsibilityCase) -> bool:
    """Whether the person objects to sharing ``case`` with every organisation ``actor`` may read it
    through (the opener's organisation is never blocked)."""
    organisations = acting_organisations(actor)
    if case.opened_by_organisation_id in organisations:
        return False
    objections = SharingObjection.objects.filter(case=case).filter(_objections_against(organisations))
    objected = set(objections.values_list("organisation_id", flat=True))
    return None in objected or organisations <= objected


def objection_free_q(actor: Actor) -> Q:
    """A filter on ``ResponsibilityCase`` leaving out the cases ``objection_blocks`` blocks for ``actor``
    (exact when the person acts for one organisation; a person acting for several keeps a case one of
    them is not objected to, as ``objection_blocks`` does, only when the objection names the others)."""
    organisations = acting_organisations(actor)
    blocked = SharingObjection.objects.filter(case=OuterRef("pk")).filter(_objections_against(organisations))
    if len(organisations) > 1:
        blocked = blocked.filter(organisation__isnull=True)
    return Q(opened_by_organisation_id__in=list(organisations)) | ~Q(Exists(blocked))


def part_shared_q(actor: Actor, part: str) -> Q:
    """A filter on ``ResponsibilityCase``: the cases whose ``part`` is shared with ``actor`` (``Sharing.part``
    as a database filter, for the documents of many cases at once)."""
    organisations = acting_organisations(actor)
    in_force = SharingBasis.objects.filter(case=OuterRef("pk")).filter(_valid_bases_q(timezone.localdate()))
    blocked = SharingBlock.objects.filter(case=OuterRef("pk"), part=part, lifted_at__isnull=True)
    return Q(opened_by_organisation_id__in=list(organisations)) | (Q(Exists(in_force)) & ~Q(Exists(blocked)))
