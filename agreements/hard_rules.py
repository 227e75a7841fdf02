"""The law's hard rules, which no agreement can configure away, and the one exception the law provides.

**Physician care is never the kommun's** (HSL 12 kap. 3 §, 14 kap. 1 §): a task of kind ``physician`` is
never ordered, performed or followed up by a kommun. Whether the rule is in force on a date, what it
cites and which fallback the law gives are *data* (``models.HardRule``, recorded by a migration), not
constants: a reform that would let kommuner employ physicians is under inquiry, and the day the statute
changes an administrator ends the row (and adds one citing the new text) without a release. Should the
table ever be empty, the rule holds as ``PHYSICIAN_RULE_DEFAULT`` says: the law is never switched off
by missing data.

The law's **fallback** is not an error: where the region does not provide the physician care the
kommun's patients need, the kommun may engage a physician at the region's expense (HSL 16 kap. 1 §). A
case's split that names the kommun for a physician task is recorded with the arrangement
``SplitArrangement.KOMMUN_ENGAGES_PHYSICIAN`` and a note saying who was engaged and how the region was
consulted. An agreement's rule cannot use the fallback: an agreement plans the region's physician care,
and the fallback is for a case where the region falls short.

Tröskelprincipen used to live here. It is an agreement principle, not statute (HSL 12 kap. 2 § and
14 kap. 1 § leave the scope of the kommun's home health care to the agreement), so it is an agreement
setting now: see ``agreements.threshold``.

Pure functions: the models' ``clean()`` (so the admin, the API and the import), the engine and the case
services (accept, positions, escalation decisions) all call these, so the rule is written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from directory.models import OrganisationKind

from .choices import KOMMUN_PARTIES, HardRuleCode, PartyRef, SplitArrangement, TaskKind

ROLE_FIELDS = ("orders_party", "performs_party", "follows_up_party")
SPLIT_ROLES = ("orders", "performs", "follows_up")


@dataclass(frozen=True)
class HardRuleRef:
    """A hard rule in force: what it cites, and the citation of the law's fallback ("" for none)."""

    code: str
    citation: str
    fallback_citation: str = ""


# The rule as the law stands, used only when ``models.HardRule`` holds no row at all for it.
PHYSICIAN_RULE_DEFAULT = HardRuleRef(
    code=HardRuleCode.PHYSICIAN_CARE_NOT_KOMMUN,
    citation="HSL 12 kap. 3 §",
    fallback_citation="HSL 16 kap. 1 §",
)


@dataclass(frozen=True)
class PartyChoice:
    """A party as a rule names it: the reference and, where the rule names one, that organisation's kind."""

    party: str
    organisation_kind: str | None = None


# The organisations that take the kommun's part: the kommun itself, and a private performer acting for it
# (LOV/LOU), for whom the kommun stays the principal, so the kommun's limits are the performer's too.
KOMMUN_SIDE_KINDS = frozenset({OrganisationKind.KOMMUN, OrganisationKind.PRIVATE_PERFORMER})


def is_kommun_party(party: str, organisation_kind: str | None) -> bool:
    if party in KOMMUN_PARTIES:
        return True
    return party == PartyRef.ORGANISATION and organisation_kind in KOMMUN_SIDE_KINDS


def physician_violation_message(rule: HardRuleRef = PHYSICIAN_RULE_DEFAULT) -> str:
    return _(
        "A physician task is never the kommun's (%(citation)s): choose a party in the region, "
        "for example the patient's listed vårdcentral."
    ) % {"citation": rule.citation}


def hard_rule_violations(
    *,
    task_kind: str,
    parties: Mapping[str, PartyChoice],
    physician_rule: HardRuleRef | None = PHYSICIAN_RULE_DEFAULT,
) -> dict[str, list[str]]:
    """Messages per field (``orders_party``, ``performs_party``, ``follows_up_party``) a rule breaks.

    ``physician_rule`` is the physician rule in force during the rule's agreement version (``None``:
    not in force then).
    """
    problems: dict[str, list[str]] = {}
    if physician_rule is not None and task_kind == TaskKind.PHYSICIAN:
        for field, choice in parties.items():
            if is_kommun_party(choice.party, choice.organisation_kind):
                problems.setdefault(field, []).append(physician_violation_message(physician_rule))
    return problems


# --- A case's split ---------------------------------------------------------------------------------


def split_violations(
    *,
    task_kind: str,
    organisation_kinds: Mapping[str, str | None],
    physician_rule: HardRuleRef | None,
    arrangement: str = "",
    arrangement_note: str = "",
) -> dict[str, list[str]]:
    """What the hard rules say against a split a person sets on a case (review, position, decision).

    ``organisation_kinds`` maps ``orders``/``performs``/``follows_up`` to the kind of the organisation
    chosen (``None`` where none is). The answer maps those names, and ``arrangement`` /
    ``arrangement_note``, to messages; an empty answer means the split is lawful.
    """
    problems: dict[str, list[str]] = {}
    kommun_roles = [role for role in SPLIT_ROLES if organisation_kinds.get(role) in KOMMUN_SIDE_KINDS]
    is_physician = task_kind == TaskKind.PHYSICIAN
    if arrangement == SplitArrangement.KOMMUN_ENGAGES_PHYSICIAN:
        if not (is_physician and kommun_roles):
            problems.setdefault("arrangement", []).append(
                _(
                    "The kommun engages a physician only for a physician task it takes on: name the "
                    "kommun for it, or leave the arrangement out."
                )
            )
        elif physician_rule is not None and not physician_rule.fallback_citation:
            for role in kommun_roles:
                problems.setdefault(role, []).append(physician_violation_message(physician_rule))
        if not arrangement_note.strip():
            problems.setdefault("arrangement_note", []).append(
                _(
                    "Describe the arrangement: which physician the kommun engages, for what, and how "
                    "the region was consulted."
                )
            )
        return problems
    if arrangement:
        problems.setdefault("arrangement", []).append(_("Choose an arrangement from the list."))
        return problems
    if is_physician and physician_rule is not None:
        for role in kommun_roles:
            problems.setdefault(role, []).append(_physician_split_message(physician_rule))
    return problems


def _physician_split_message(rule: HardRuleRef) -> str:
    if rule.fallback_citation:
        return _(
            "A physician task is never the kommun's (%(citation)s): choose a party in the region. If "
            "the region does not provide the physician care, record that the kommun engages a "
            "physician at the region's expense (%(fallback)s), with a note."
        ) % {"citation": rule.citation, "fallback": rule.fallback_citation}
    return physician_violation_message(rule)
