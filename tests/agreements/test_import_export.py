"""The agreement file: the demo ships in it, round-trips through it, and a broken file changes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from agreements.choices import AgreementStatus, PartyRef, TaskKind
from agreements.exchange import (
    SCHEMA_PATH,
    AgreementImportError,
    agreement_export,
    parse_document,
    version_document,
)
from agreements.importer import agreement_import
from agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementVersion,
    CareTaskType,
    EscalationLevel,
    LegalReference,
    ResponsibilityRule,
    Section,
)
from patients.models import HousingSetting
from tests.fixtures.world import World

from .conftest import LOCAL_FILE, REGIONAL_FILE

DEMO_TEXT = REGIONAL_FILE.read_text(encoding="utf-8")
MODELS = (
    Agreement,
    AgreementVersion,
    Section,
    LegalReference,
    EscalationLevel,
    ResponsibilityRule,
    CareTaskType,
    AgreementEvent,
)

# Every task of domain brief §8, by the catalogue code the demo uses for it.
SECTION_8_TASKS = {
    "physician home visit": "physician_home_visit",
    "medication administration": "medication_administration",
    "insulin injection": "insulin_injection",
    "B12 injection": "b12_injection",
    "simple wound care": "wound_care_simple",
    "catheter care": "catheter_care",
    "stoma care": "stoma_care",
    "blood samples at home": "blood_sampling_home",
    "extensive wound care": "wound_care_extensive",
    "peritoneal dialysis": "peritoneal_dialysis",
    "parenteral nutrition": "parenteral_nutrition",
    "IV infusions via pump": "iv_infusion_pump",
    "IV antibiotics": "iv_antibiotics",
    "tracheostomy care": "tracheostomy_care",
    "home ventilator treatment": "home_ventilator",
    "central venous port care": "venous_port_care",
    "drains": "drain_care",
    "blood pressure follow-up ordered by specialist care": "blood_pressure_follow_up",
    "rehabilitation at home (PT)": "rehabilitation_physiotherapy",
    "rehabilitation at home (OT)": "rehabilitation_occupational_therapy",
    "advanced palliative care": "palliative_care_advanced",
}


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _rules(version: AgreementVersion) -> list[dict[str, object]]:
    rules: list[dict[str, object]] = version_document(version)["rules"]
    return rules


def test_the_demo_agreement_loads_in_force(demo_version: AgreementVersion) -> None:
    assert demo_version.status == AgreementStatus.IN_FORCE
    assert demo_version.agreement.region.name == "Region Halland"
    assert demo_version.kommuner.count() == 6
    assert demo_version.threshold_section is not None
    assert demo_version.threshold_section.number == "3.1"
    assert [level.level for level in demo_version.escalation_levels.all()] == [1, 2, 3]
    named = demo_version.escalation_levels.exclude(body=None).values_list("body__name", flat=True)
    assert set(named) == {"RUG Halland", "GNHH"}
    assert demo_version.legal_references.filter(law__startswith="Hälso- och sjukvårdslag").exists()


def test_the_demo_catalogue_covers_section_8_and_more_than_twenty_tasks(
    demo_version: AgreementVersion,
) -> None:
    codes = set(CareTaskType.objects.values_list("code", flat=True))
    assert len(codes) > 20
    assert set(SECTION_8_TASKS.values()) <= codes
    ruled = set(demo_version.rules.values_list("task_type__code", flat=True))
    assert set(SECTION_8_TASKS.values()) <= ruled
    assert set(CareTaskType.objects.values_list("kind", flat=True)) == set(TaskKind.values)


def test_the_demo_rules_name_parties_by_kind(demo_version: AgreementVersion) -> None:
    named = ResponsibilityRule.objects.filter(version=demo_version, performs_party=PartyRef.ORGANISATION)
    assert set(named.values_list("task_type__code", flat=True)) == {"palliative_care_advanced"}


def test_import_is_idempotent_for_a_version_in_force(demo_version: AgreementVersion) -> None:
    before = _counts()
    again = agreement_import(text=DEMO_TEXT, source_name="again")
    assert again.pk == demo_version.pk
    assert _counts() == before


def test_export_then_import_gives_the_same_rules(demo_version: AgreementVersion) -> None:
    exported = agreement_export(version=demo_version)
    assert parse_document(exported).data["version"]["version"] == "2025.1"
    renumbered = exported.replace('version: "2025.1"', 'version: "2025.2"').replace(
        "version: '2025.1'", "version: '2025.2'"
    )
    renumbered = re.sub(r"valid_from: '?2025-01-01'?", "valid_from: '2025-07-01'", renumbered, count=1)
    copy = agreement_import(text=renumbered, source_name="round-trip")

    assert copy.pk != demo_version.pk
    assert _rules(copy) == _rules(demo_version)
    original, second = version_document(demo_version), version_document(copy)
    for document in (original, second):
        for key in ("version", "valid_from", "status"):
            document["version"].pop(key)
    assert second == original
    demo_version.refresh_from_db()
    assert demo_version.status == AgreementStatus.SUPERSEDED


def test_the_local_agreement_round_trips(local_version: AgreementVersion) -> None:
    document = version_document(local_version)
    assert document["agreement"]["scope"] == "local"
    assert document["agreement"]["vardcentral"]["name"] == "Vårdcentralen Centrum Varberg"
    text = agreement_export(version=local_version)
    assert agreement_import(text=text).pk == local_version.pk


def _broken(replace: str, by: str) -> str:
    assert replace in DEMO_TEXT, replace
    return DEMO_TEXT.replace(replace, by, 1)


def _line_of(text: str, fragment: str) -> int:
    return text.splitlines().index(next(line for line in text.splitlines() if fragment in line)) + 1


BROKEN_FILES = [
    pytest.param(
        _broken(
            "  - task: physician_home_visit\n    orders: listed_vardcentral\n"
            "    performs: listed_vardcentral",
            "  - task: physician_home_visit\n    orders: listed_vardcentral\n    performs: enrolment_kommun",
        ),
        "HSL 12 kap. 3 §",
        id="kommun-performs-physician-task",
    ),
    pytest.param(
        _broken(
            '    section: "6.3"\n  - task: blood_transfusion',
            '    section: "9.9"\n  - task: blood_transfusion',
        ),
        "no section 9.9",
        id="unknown-section",
    ),
    pytest.param(
        _broken("{name: RUG Halland}", "{name: RUG Hallland}"), "RUG Hallland", id="unknown-organisation"
    ),
    pytest.param(
        _broken("    performs: mobile_team\n", "    performs: mobil_team\n"),
        "mobil_team",
        id="misspelt-party",
    ),
    pytest.param(_broken("  review_days: 3\n", "  review_days: three\n"), "whole number", id="wrong-type"),
    pytest.param(
        _broken("  valid_from: 2025-01-01\n", "  valid_from: 2025-02-30\n"),
        "2025-02-30",
        id="impossible-date",
    ),
    pytest.param(
        _broken("  count: working_days\n", "  count: working_days\n  colour: blue\n"),
        "colour",
        id="unknown-field",
    ),
    pytest.param(
        _broken("  - task: stoma_care\n", "  - task: stoma_cure\n"), "stoma_cure", id="unknown-task"
    ),
    pytest.param(
        _broken("  title: Överenskommelse om hemsjukvård i Halland\n", "  title: [unclosed\n"),
        "not valid YAML",
        id="yaml-syntax",
    ),
    pytest.param(
        _broken("  review_days: 3\n", "  review_days: 3\n  review_days: 4\n"),
        "given twice",
        id="duplicate-key",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN_FILES)
def test_a_broken_file_names_the_line_and_changes_nothing(
    region_halland: World, text: str, expected: str
) -> None:
    before = _counts()
    with pytest.raises(AgreementImportError) as caught:
        agreement_import(text=text, source_name="broken.yaml")
    assert _counts() == before
    messages = " | ".join(str(problem) for problem in caught.value.problems)
    assert expected.lower() in messages.lower()
    assert all(problem.line is not None for problem in caught.value.problems), messages


def test_a_broken_new_version_leaves_the_version_in_force_alone(demo_version: AgreementVersion) -> None:
    text = DEMO_TEXT.replace('version: "2025.1"', 'version: "2026.1"').replace(
        "  valid_from: 2025-01-01\n", "  valid_from: 2026-01-01\n"
    )
    text = text.replace(
        '    section: "6.5"\n  - task: drain_care', '    section: "6.9"\n  - task: drain_care'
    )
    before = _counts()
    with pytest.raises(AgreementImportError):
        agreement_import(text=text)
    assert _counts() == before
    demo_version.refresh_from_db()
    assert demo_version.status == AgreementStatus.IN_FORCE


def test_the_problem_names_the_line(region_halland: World) -> None:
    text = _broken("{name: RUG Halland}", "{name: RUG Hallland}")
    with pytest.raises(AgreementImportError) as caught:
        agreement_import(text=text)
    [problem] = caught.value.problems
    assert problem.line == _line_of(text, "RUG Hallland")
    assert problem.path == "escalation[2].body"


def test_a_version_in_force_is_never_rewritten_by_a_file(demo_version: AgreementVersion) -> None:
    changed = DEMO_TEXT.replace("  approval_days: 5\n", "  approval_days: 6\n")
    with pytest.raises(AgreementImportError, match="already in force"):
        agreement_import(text=changed)
    demo_version.refresh_from_db()
    assert demo_version.approval_deadline_days == 5


def test_a_draft_is_replaced_by_a_new_import(region_halland: World) -> None:
    draft_text = DEMO_TEXT.replace("  status: in_force\n", "  status: draft\n")
    first = agreement_import(text=draft_text)
    second = agreement_import(text=draft_text.replace("  approval_days: 5\n", "  approval_days: 7\n"))
    assert second.pk == first.pk
    assert second.status == AgreementStatus.DRAFT
    assert second.approval_deadline_days == 7
    assert second.rules.count() == 28


def test_the_schema_knows_the_same_choices_as_the_code() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$defs"]["party_ref"]["enum"] == list(PartyRef.values)
    assert schema["$defs"]["housing"]["enum"] == list(HousingSetting.values)
    kinds = schema["properties"]["task_types"]["items"]["properties"]["kind"]["enum"]
    assert kinds == list(TaskKind.values)


def test_the_shipped_files_are_valid_against_the_schema() -> None:
    for path in (REGIONAL_FILE, LOCAL_FILE):
        parse_document(path.read_text(encoding="utf-8"), source_name=path.name)
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["format"] == "hemsjukvard-agreement/1"


def test_the_commands_import_and_export(
    region_halland: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import_agreement", str(REGIONAL_FILE), "--dry-run")
    assert not AgreementVersion.objects.exists()
    call_command("import_agreement", str(REGIONAL_FILE))
    assert AgreementVersion.objects.filter(status=AgreementStatus.IN_FORCE).count() == 1
    target = tmp_path / "halland.yaml"
    call_command("export_agreement", "halland-hemsjukvard", "-o", str(target))
    assert (
        parse_document(target.read_text(encoding="utf-8")).data["agreement"]["code"] == "halland-hemsjukvard"
    )

    broken = tmp_path / "broken.yaml"
    broken.write_text(_broken("{name: GNHH}", "{name: GNH}"), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_agreement", str(broken))
