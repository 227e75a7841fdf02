"""What a SITHS sign-in through the region's identity provider says about a person.

Inera's IdP (and a region's own OpenID Connect provider) publishes the person's HSA-id
(``employeeHsaId``), the medarbetaruppdrag (commission) chosen at sign-in (``commissionHsaId`` with its
purpose and the HSA-id of its care unit and care provider) and, for a person with several,
``allCommissions``. A commission is what lets a person act for a unit: here it selects the membership
(organisation and role) the person acts in. The claim names are data (``OIDC_CLAIMS``) so an
installation whose provider names them differently maps them in settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from directory.models import Role

# Which roles a commission's purpose (medarbetaruppdragets syfte) allows. Care roles need a commission
# for "Vård och behandling" (PDL 4 kap. 2 §: access for the care of the person); administration and
# joint-body work need no patient care commission.
PURPOSE_ROLES: dict[str, frozenset[str]] = {
    "Vård och behandling": frozenset(
        {
            Role.NURSE,
            Role.REHAB,
            Role.GP,
            Role.SPECIALIST,
            Role.MAS,
            Role.MAR,
            Role.COORDINATOR,
            Role.GOVERNANCE,
        }
    ),
    "Administration": frozenset({Role.ADMIN, Role.COORDINATOR, Role.GOVERNANCE}),
}

DEFAULT_CLAIMS = {
    "person": "employeeHsaId",
    "commission": "commissionHsaId",
    "purpose": "commissionPurpose",
    "unit": "healthCareUnitHsaId",
    "provider": "healthCareProviderHsaId",
    "all_commissions": "allCommissions",
}


@dataclass(frozen=True)
class Commission:
    """One medarbetaruppdrag: its HSA-id, purpose, and the unit and care provider it is for."""

    hsa_id: str
    purpose: str
    unit_hsa_id: str
    provider_hsa_id: str

    def allows(self, role: str) -> bool:
        return role in PURPOSE_ROLES.get(self.purpose, frozenset())


@dataclass(frozen=True)
class SignIn:
    """The person and the commissions a sign-in carries; ``chosen`` is the one picked at the IdP."""

    person_hsa_id: str
    chosen: Commission | None
    commissions: tuple[Commission, ...]

    @property
    def usable(self) -> tuple[Commission, ...]:
        """The commissions to act in: the chosen one if the IdP asked the person, else every one."""
        return (self.chosen,) if self.chosen is not None else self.commissions


def _names() -> Mapping[str, str]:
    return {**DEFAULT_CLAIMS, **getattr(settings, "OIDC_CLAIMS", {})}


def _text(value: Any) -> str:
    return value.strip()[:64] if isinstance(value, str) else ""


def _commission(claims: Mapping[str, Any], names: Mapping[str, str]) -> Commission | None:
    hsa_id = _text(claims.get(names["commission"]))
    unit = _text(claims.get(names["unit"]))
    if not hsa_id or not unit:
        return None
    return Commission(
        hsa_id=hsa_id,
        purpose=_text(claims.get(names["purpose"])),
        unit_hsa_id=unit,
        provider_hsa_id=_text(claims.get(names["provider"])),
    )


def sign_in_from_claims(claims: Mapping[str, Any]) -> SignIn:
    names = _names()
    listed = claims.get(names["all_commissions"])
    commissions = tuple(
        c
        for c in (
            _commission(item, names)
            for item in (listed if isinstance(listed, list) else [])[:50]
            if isinstance(item, dict)
        )
        if c is not None
    )
    chosen = _commission(claims, names)
    if chosen is not None and chosen not in commissions:
        commissions = (chosen, *commissions)
    return SignIn(person_hsa_id=_text(claims.get(names["person"])), chosen=chosen, commissions=commissions)
