"""The HSA import: units and people created, updated and deactivated from an export, with a dry run."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from directory.models import AdminEvent, Membership, Organisation, OrganisationKind, Role, User

pytestmark = pytest.mark.django_db

REGION = "SE2321000131-E000000000001"
KOMMUN = "SE2120001231-KOMMUN"
VC = "SE2321000131-VC0001"


def _export(
    tmp_path: Path, persons: list[dict[str, Any]], *, units: list[dict[str, Any]] | None = None
) -> Path:
    data = {
        "units": units
        if units is not None
        else [
            {"hsaId": REGION, "name": "Region Test", "kind": "region"},
            {
                "hsaId": KOMMUN,
                "name": "Testkommun",
                "kind": "kommun",
                "regionHsaId": REGION,
                "kommunCode": "1383",
            },
            {"hsaId": VC, "name": "Vårdcentralen Test", "kind": "vardcentral", "regionHsaId": REGION},
        ],
        "persons": persons,
    }
    path = tmp_path / "hsa.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


NURSE = {
    "hsaId": "SE2120001231-N1",
    "givenName": "Eva",
    "familyName": "Ek",
    "mail": "eva.ek@test.se",
    "commissions": [{"hsaId": "SE2120001231-C1", "unitHsaId": KOMMUN, "title": "Sjuksköterska"}],
}
GP = {
    "hsaId": "SE2321000131-G1",
    "givenName": "Gustav",
    "familyName": "Lind",
    "commissions": [
        {"hsaId": "SE2321000131-C2", "unitHsaId": VC, "title": "Läkare"},
        {"hsaId": "SE2321000131-C3", "unitHsaId": VC, "title": "Kurator"},
    ],
}


def _run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_hsa", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_reports_and_saves_nothing(tmp_path):
    output = _run(_export(tmp_path, [NURSE, GP]), "--dry-run")
    assert "dry run" in output
    assert "units created: 3" in output
    assert "people created: 2" in output
    assert "memberships created: 2" in output
    assert "skipped: 1" in output  # a kurator has no role here
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


def test_units_people_and_memberships_come_from_hsa(tmp_path):
    _run(_export(tmp_path, [NURSE, GP]))
    kommun = Organisation.objects.get(hsa_id=KOMMUN)
    assert kommun.kind == OrganisationKind.KOMMUN
    assert kommun.region == Organisation.objects.get(hsa_id=REGION)
    nurse = User.objects.get(hsa_id="SE2120001231-N1")
    assert (nurse.first_name, nurse.last_name, nurse.email) == ("Eva", "Ek", "eva.ek@test.se")
    assert not nurse.has_usable_password()  # people sign in with SITHS
    assert list(Membership.objects.active().filter(user=nurse).values_list("role", flat=True)) == [Role.NURSE]
    gp = User.objects.get(hsa_id="SE2321000131-G1")
    assert list(Membership.objects.active().filter(user=gp).values_list("role", "organisation__hsa_id")) == [
        (Role.GP, VC)
    ]


def test_a_second_import_updates_ends_and_deactivates(tmp_path):
    _run(_export(tmp_path, [NURSE, GP]))
    nurse = User.objects.get(hsa_id="SE2120001231-N1")
    # A local role HSA cannot express: the nurse is also MAS.
    Membership.objects.create(user=nurse, organisation=Organisation.objects.get(hsa_id=KOMMUN), role=Role.MAS)
    renamed = {**NURSE, "familyName": "Ek Berg", "commissions": []}
    output = _run(_export(tmp_path, [renamed]))
    assert "people updated: 1" in output
    assert "people deactivated: 1" in output
    nurse.refresh_from_db()
    assert nurse.last_name == "Ek Berg"
    today = timezone.localdate()
    # The HSA-made nurse membership ended with the commission; the local MAS role stays while she is listed.
    assert list(Membership.objects.active(today).filter(user=nurse).values_list("role", flat=True)) == [
        Role.MAS
    ]
    gp = User.objects.get(hsa_id="SE2321000131-G1")
    assert not gp.is_active
    assert not Membership.objects.active(today).filter(user=gp).exists()


def test_a_broken_export_changes_nothing(tmp_path):
    path = _export(tmp_path, [{"hsaId": "", "commissions": []}])
    with pytest.raises(CommandError):
        _run(path)
    bad_kind = _export(tmp_path, [], units=[{"hsaId": "X", "name": "X", "kind": "hospital"}])
    with pytest.raises(CommandError, match="unknown unit kind"):
        _run(bad_kind)
    assert not Organisation.objects.exists()


def test_every_change_of_the_import_is_an_administration_event_named_by_its_file(tmp_path):
    path = _export(tmp_path, [NURSE, GP])
    _run(path, "--dry-run")
    assert not AdminEvent.objects.exists()  # a dry run records nothing

    _run(path)
    created = AdminEvent.objects.filter(action="created")
    assert sorted(created.values_list("object_type", flat=True)) == sorted(
        ["organisation"] * 3 + ["user"] * 2 + ["membership"] * 2
    )
    assert set(AdminEvent.objects.values_list("actor", "actor_label", "as_superuser")) == {
        (None, "HSA-import hsa.json", False)
    }
    kommun = Organisation.objects.get(hsa_id=KOMMUN)
    unit = AdminEvent.objects.get(object_type="organisation", object_id=str(kommun.public_id))
    assert unit.organisation == kommun
    assert unit.changes["name"] == [None, "Testkommun"]
    nurse = User.objects.get(hsa_id="SE2120001231-N1")
    person = AdminEvent.objects.get(object_type="user", object_label=str(nurse))
    assert person.organisation == kommun  # her organisation's administrators see it
    assert person.changes["hsa_id"] == [None, "SE2120001231-N1"]
    assert person.changes["has_password"] == [None, False]
    assert "password" not in person.changes

    # Renamed, her commission gone, the GP left the export; the unit renamed.
    before = AdminEvent.objects.count()
    units = [
        {"hsaId": REGION, "name": "Region Test", "kind": "region"},
        {"hsaId": KOMMUN, "name": "Testkommunen", "kind": "kommun", "regionHsaId": REGION},
        {"hsaId": VC, "name": "Vårdcentralen Test", "kind": "vardcentral", "regionHsaId": REGION},
    ]
    path2 = _export(tmp_path, [{**NURSE, "familyName": "Ek Berg", "commissions": []}], units=units)
    _run(path2)
    later = AdminEvent.objects.order_by("pk")[before:]
    changes = {(e.object_type, e.action, tuple(sorted(e.changes))) for e in later}
    assert ("organisation", "changed", ("kommun_code", "name")) in changes
    assert ("user", "changed", ("last_name",)) in changes  # the nurse renamed
    assert ("user", "changed", ("is_active",)) in changes  # the GP deactivated
    ended = [e for e in later if e.object_type == "membership"]
    # Both memberships started today, so nothing refers to them yet: they are removed, and recorded so.
    assert {(e.action, e.changes["role"][0]) for e in ended} == {
        ("deleted", Role.NURSE),
        ("deleted", Role.GP),
    }
    gp = User.objects.get(hsa_id="SE2321000131-G1")
    deactivated = next(e for e in later if e.object_type == "user" and "is_active" in e.changes)
    assert deactivated.object_label == str(gp)
    assert deactivated.changes["is_active"] == [True, False]

    # Nothing changed: nothing recorded.
    count = AdminEvent.objects.count()
    _run(path2)
    assert AdminEvent.objects.count() == count


def test_an_ended_membership_is_recorded_with_its_last_day(tmp_path):
    _run(_export(tmp_path, [NURSE]))
    started = timezone.localdate() - datetime.timedelta(days=3)
    Membership.objects.filter(user__hsa_id="SE2120001231-N1").update(valid_from=started)
    _run(_export(tmp_path, [{**NURSE, "commissions": []}]))
    event = AdminEvent.objects.get(object_type="membership", action="changed")
    last_day = timezone.localdate() - datetime.timedelta(days=1)
    assert event.changes["valid_to"] == [None, last_day.isoformat()]
    assert event.organisation == Organisation.objects.get(hsa_id=KOMMUN)
