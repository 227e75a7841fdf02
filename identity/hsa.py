"""HSA as the source of people and units: read an export of the HSA catalogue and bring it in.

Inera publishes the HSA catalogue as LDAP, SOAP and file exports; this module reads a documented JSON
export (``identity/README.md``, "The HSA export") through ``JsonExportReader``, and any other source can
be a reader with the same ``read`` method. ``hsa_import`` then:

* creates and updates organisations by their HSA-id (name, kind, region, kommun code) and reports units
  that are no longer in the export (it does not deactivate them: a unit closes through the admin);
* creates and updates people by HSA-id (names, e-mail; no password: they sign in with SITHS);
* gives each person a membership per commission whose title maps to a role in the unit's kind
  (``TITLE_ROLES``), and ends the HSA-made memberships (nurse, rehab, GP, specialist) that no commission
  backs any more; a person who has left the export is deactivated and every membership ended;
* leaves the roles HSA cannot express (MAS, MAR, coordinator, governance, admin) as local assignments,
  kept only while the person is in the export.

Every organisation, person and membership the import creates, changes or ends is an ``AdminEvent``
(``directory.administration.admin_event_record``), attributed to no person and labelled with its source
("HSA-import <file name>"), as a change made in the admin is. A dry run does the same in a transaction it
rolls back, and returns the same report; it records no event.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from directory.administration import (
    admin_event_record,
    membership_snapshot,
    organisation_snapshot,
    snapshot_diff,
    user_snapshot,
)
from directory.models import (
    ROLES_BY_ORGANISATION_KIND,
    AdminEventAction,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)

# A commission's title (befattning / legitimerad yrkesgrupp) and the unit's kind give the role.
TITLE_ROLES: dict[str, dict[str, str]] = {
    "Läkare": {
        OrganisationKind.VARDCENTRAL: Role.GP,
        OrganisationKind.SPECIALIST_CLINIC: Role.SPECIALIST,
        OrganisationKind.MOBILE_TEAM: Role.SPECIALIST,
    },
    "Sjuksköterska": {OrganisationKind.KOMMUN: Role.NURSE, OrganisationKind.MOBILE_TEAM: Role.NURSE},
    "Distriktssköterska": {OrganisationKind.KOMMUN: Role.NURSE},
    "Arbetsterapeut": {OrganisationKind.KOMMUN: Role.REHAB},
    "Fysioterapeut": {OrganisationKind.KOMMUN: Role.REHAB},
}
HSA_ROLES = frozenset({Role.NURSE, Role.REHAB, Role.GP, Role.SPECIALIST})
MAX_ENTRIES = 200_000


class HsaExportError(ValueError):
    """The export cannot be read; nothing was changed."""


@dataclass(frozen=True)
class HsaUnit:
    hsa_id: str
    name: str
    kind: str
    region_hsa_id: str = ""
    kommun_code: str = ""


@dataclass(frozen=True)
class HsaCommission:
    hsa_id: str
    unit_hsa_id: str
    title: str
    purpose: str = ""


@dataclass(frozen=True)
class HsaPerson:
    hsa_id: str
    given_name: str
    family_name: str
    email: str = ""
    commissions: tuple[HsaCommission, ...] = ()


@dataclass(frozen=True)
class HsaExport:
    units: tuple[HsaUnit, ...]
    persons: tuple[HsaPerson, ...]


class HsaReader(Protocol):
    def read(self, source: Path) -> HsaExport: ...


def _text(entry: dict[str, Any], key: str, *, required: bool = False, limit: int = 200) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise HsaExportError(f"{key!r} must be a non-empty string in {json.dumps(entry)[:200]}")
    return value.strip()[:limit]


class JsonExportReader:
    """The JSON export documented in identity/README.md."""

    def read(self, source: Path) -> HsaExport:
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise HsaExportError(f"cannot read {source}: {exc}") from exc
        if not isinstance(data, dict):
            raise HsaExportError("the export must be a JSON object with 'units' and 'persons'")
        units_in, persons_in = data.get("units", []), data.get("persons", [])
        if not isinstance(units_in, list) or not isinstance(persons_in, list):
            raise HsaExportError("'units' and 'persons' must be lists")
        if len(units_in) + len(persons_in) > MAX_ENTRIES:
            raise HsaExportError(f"more than {MAX_ENTRIES} entries")
        units = []
        for entry in units_in:
            if not isinstance(entry, dict):
                raise HsaExportError("every unit must be an object")
            kind = _text(entry, "kind", required=True)
            if kind not in OrganisationKind.values:
                raise HsaExportError(f"unknown unit kind {kind!r}")
            units.append(
                HsaUnit(
                    hsa_id=_text(entry, "hsaId", required=True, limit=64),
                    name=_text(entry, "name", required=True),
                    kind=kind,
                    region_hsa_id=_text(entry, "regionHsaId", limit=64),
                    kommun_code=_text(entry, "kommunCode", limit=4),
                )
            )
        persons = []
        for entry in persons_in:
            if not isinstance(entry, dict) or not isinstance(entry.get("commissions", []), list):
                raise HsaExportError("every person must be an object with a list of commissions")
            persons.append(
                HsaPerson(
                    hsa_id=_text(entry, "hsaId", required=True, limit=64),
                    given_name=_text(entry, "givenName", limit=150),
                    family_name=_text(entry, "familyName", limit=150),
                    email=_text(entry, "mail", limit=254),
                    commissions=tuple(
                        HsaCommission(
                            hsa_id=_text(c, "hsaId", required=True, limit=64),
                            unit_hsa_id=_text(c, "unitHsaId", required=True, limit=64),
                            title=_text(c, "title"),
                            purpose=_text(c, "purpose"),
                        )
                        for c in entry.get("commissions", [])
                        if isinstance(c, dict)
                    ),
                )
            )
        return HsaExport(units=tuple(units), persons=tuple(persons))


@dataclass
class ImportReport:
    dry_run: bool
    units_created: list[str] = field(default_factory=list)
    units_updated: list[str] = field(default_factory=list)
    units_missing: list[str] = field(default_factory=list)
    people_created: list[str] = field(default_factory=list)
    people_updated: list[str] = field(default_factory=list)
    people_deactivated: list[str] = field(default_factory=list)
    memberships_created: list[str] = field(default_factory=list)
    memberships_ended: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> Iterable[str]:
        yield "HSA import" + (" (dry run: nothing was saved)" if self.dry_run else "")
        for label, items in (
            ("units created", self.units_created),
            ("units updated", self.units_updated),
            ("units no longer in the export (left as they are)", self.units_missing),
            ("people created", self.people_created),
            ("people updated", self.people_updated),
            ("people deactivated", self.people_deactivated),
            ("memberships created", self.memberships_created),
            ("memberships ended", self.memberships_ended),
            ("skipped", self.skipped),
        ):
            yield f"{label}: {len(items)}"
            yield from (f"  {item}" for item in items[:50])
            if len(items) > 50:
                yield f"  … and {len(items) - 50} more"


def hsa_import(*, export: HsaExport, dry_run: bool = False, source: str = "HSA-import") -> ImportReport:
    """Bring ``export`` in; ``source`` names it in the administration events ("HSA-import <file name>")."""
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        _import(export, report, _Record(source=source, dry_run=dry_run))
        if dry_run:
            transaction.set_rollback(True)
    return report


@dataclass(frozen=True)
class _Record:
    """The import's administration events: one per record created, changed or ended; none in a dry run."""

    source: str
    dry_run: bool

    def created(self, target: Organisation | User | Membership, snapshot: dict[str, Any]) -> None:
        self._event(AdminEventAction.CREATED, target, {k: [None, v] for k, v in snapshot.items()})

    def changed(
        self, target: Organisation | User | Membership, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        changes = snapshot_diff(before, after)
        if changes:
            self._event(AdminEventAction.CHANGED, target, changes)

    def deleted(self, target: Membership, snapshot: dict[str, Any]) -> None:
        self._event(AdminEventAction.DELETED, target, {k: [v, None] for k, v in snapshot.items()})

    def _event(self, action: str, target: Organisation | User | Membership, changes: dict[str, Any]) -> None:
        if self.dry_run:
            return
        if isinstance(target, Organisation):
            organisation: Organisation | None = target
        elif isinstance(target, Membership):
            organisation = target.organisation
        else:
            first = Membership.objects.filter(user=target).select_related("organisation").order_by("pk")
            organisation = m.organisation if (m := first.first()) is not None else None
        admin_event_record(
            request=None,
            action=action,
            target=target,
            organisation=organisation,
            changes=changes,
            source=self.source,
        )


def _end(membership: Membership, today: datetime.date, record: _Record) -> None:
    """End a membership before today; one that started today is removed if nothing refers to it yet."""
    before = membership_snapshot(membership)
    if membership.valid_from >= today:
        try:
            with transaction.atomic():
                membership.delete()
            record.deleted(membership, before)
            return
        except (ProtectedError, IntegrityError):
            pass
    membership.valid_to = max(membership.valid_from, today - datetime.timedelta(days=1))
    membership.save(update_fields=["valid_to"])
    record.changed(membership, before, membership_snapshot(membership))


def _import(export: HsaExport, report: ImportReport, record: _Record) -> None:
    today = timezone.localdate()
    units = {o.hsa_id: o for o in Organisation.objects.exclude(hsa_id="").select_related("region")}
    for unit in export.units:
        region = units.get(unit.region_hsa_id) if unit.region_hsa_id else None
        values = {"name": unit.name, "kind": unit.kind, "region": region, "kommun_code": unit.kommun_code}
        org = units.get(unit.hsa_id)
        if org is None:
            units[unit.hsa_id] = org = Organisation.objects.create(hsa_id=unit.hsa_id, **values)
            record.created(org, organisation_snapshot(org))
            report.units_created.append(f"{unit.hsa_id} {unit.name}")
        elif any(getattr(org, k) != v for k, v in values.items()):
            before = organisation_snapshot(org)
            for k, v in values.items():
                setattr(org, k, v)
            org.save(update_fields=list(values))
            record.changed(org, before, organisation_snapshot(org))
            report.units_updated.append(f"{unit.hsa_id} {unit.name}")
    in_export = {u.hsa_id for u in export.units}
    report.units_missing = sorted(f"{h} {o.name}" for h, o in units.items() if h not in in_export)

    people = {u.hsa_id: u for u in User.objects.exclude(hsa_id="")}
    for person in export.persons:
        user = people.get(person.hsa_id)
        names = {"first_name": person.given_name, "last_name": person.family_name, "email": person.email}
        if user is None:
            user = User(username=person.hsa_id.lower(), hsa_id=person.hsa_id, **names)
            user.set_unusable_password()
            user.save()
            report.people_created.append(person.hsa_id)
            # After the memberships, so the event names the organisation the person belongs to.
            _memberships(user, person, units, today, report, record)
            record.created(user, user_snapshot(user))
            continue
        if any(getattr(user, k) != v for k, v in names.items()) or not user.is_active:
            before = user_snapshot(user)
            for k, v in names.items():
                setattr(user, k, v)
            user.is_active = True
            user.save(update_fields=[*names, "is_active"])
            record.changed(user, before, user_snapshot(user))
            report.people_updated.append(person.hsa_id)
        _memberships(user, person, units, today, report, record)

    listed = {p.hsa_id for p in export.persons}
    for hsa_id, user in people.items():
        if hsa_id in listed or not user.is_active or user.is_superuser:
            continue
        before = user_snapshot(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        record.changed(user, before, user_snapshot(user))
        report.people_deactivated.append(hsa_id)
        ending = Membership.objects.active(today).filter(user=user).select_related("user", "organisation")
        for membership in ending:
            _end(membership, today, record)
            report.memberships_ended.append(f"{hsa_id} {membership.role} {membership.organisation.name}")


def _memberships(
    user: User,
    person: HsaPerson,
    units: dict[str, Organisation],
    today: datetime.date,
    report: ImportReport,
    record: _Record,
) -> None:
    wanted: set[tuple[int, str]] = set()
    for commission in person.commissions:
        org = units.get(commission.unit_hsa_id)
        role = TITLE_ROLES.get(commission.title, {}).get(org.kind) if org is not None else None
        if org is None or role is None or role not in ROLES_BY_ORGANISATION_KIND[org.kind]:
            report.skipped.append(
                f"{person.hsa_id} {commission.hsa_id}: no role for {commission.title or '-'!r} "
                f"at {commission.unit_hsa_id}"
            )
            continue
        wanted.add((org.pk, role))
    current = list(Membership.objects.active(today).filter(user=user).select_related("user", "organisation"))
    have = {(m.organisation_id, m.role) for m in current}
    for org_pk, role in sorted(wanted - have):
        membership = Membership.objects.create(user=user, organisation_id=org_pk, role=role, valid_from=today)
        record.created(membership, membership_snapshot(membership))
        report.memberships_created.append(f"{person.hsa_id} {role} {membership.organisation.name}")
    for membership in current:
        if membership.role in HSA_ROLES and (membership.organisation_id, membership.role) not in wanted:
            _end(membership, today, record)
            report.memberships_ended.append(
                f"{person.hsa_id} {membership.role} {membership.organisation.name}"
            )
