"""Risk-analysis templates in the agreement file: imported with the version, checked by the schema,
exported again, copied to a new draft; and a file without them imports as before."""

from __future__ import annotations

import datetime

import pytest

from agreements.exchange import AgreementImportError, version_document
from agreements.importer import agreement_import
from agreements.models import AgreementVersion
from agreements.risk_templates import MEASURE_DAYS_DEFAULT, RiskTemplate, measure_days, measures_due_on
from agreements.services import agreement_version_new_draft
from cases.risk import SCALE

from .conftest import REGIONAL_FILE

pytestmark = pytest.mark.django_db

TEMPLATE_TASKS = {
    "peritoneal_dialysis",
    "parenteral_nutrition",
    "venous_port_care",
    "home_ventilator",
    "iv_antibiotics",
    "insulin_injection",
}


def test_the_demo_agreement_brings_templates_for_six_advanced_tasks(demo_version: AgreementVersion) -> None:
    templates = RiskTemplate.objects.filter(version=demo_version).select_related("task_type")
    assert {t.task_type.code for t in templates} == TEMPLATE_TASKS
    for template in templates:
        assert template.hazards
        for hazard in template.hazards:
            assert hazard["likelihood"] in SCALE
            assert hazard["severity"] in SCALE
            assert hazard["cause"]
            assert hazard["consequence"]
            assert all(m["who"] in ("kommun", "region") for m in hazard["measures"])


def test_the_templates_are_exported_and_copied_to_a_new_draft(demo_version: AgreementVersion) -> None:
    exported = version_document(demo_version)["risk_templates"]
    assert {t["task"] for t in exported} == TEMPLATE_TASKS
    draft = agreement_version_new_draft(
        actor=None, source=demo_version, version="2027.1", valid_from=datetime.date(2027, 1, 1)
    )
    assert {t.task_type.code for t in draft.risk_templates.select_related("task_type")} == TEMPLATE_TASKS
    pd = draft.risk_templates.get(task_type__code="peritoneal_dialysis")
    assert pd.hazards == demo_version.risk_templates.get(task_type__code="peritoneal_dialysis").hazards


def test_the_local_agreement_without_templates_imports_as_before(local_version: AgreementVersion) -> None:
    assert local_version.rules.exists()
    assert not RiskTemplate.objects.filter(version=local_version).exists()
    assert "risk_templates" not in version_document(local_version)


def _with_templates(section: str) -> str:
    text = REGIONAL_FILE.read_text(encoding="utf-8")
    text = text.replace('  version: "2025.1"', '  version: "2026.9"').replace(
        "status: in_force", "status: draft"
    )
    head = text[: text.index("risk_templates:")]
    return head + section


def _section(*, task: str = "peritoneal_dialysis", severity: int = 4, who: str = "region") -> str:
    return (
        f"risk_templates:\n  - task: {task}\n    hazards:\n      - description: Peritonit\n"
        f"        cause: Aseptik\n        consequence: Sepsis\n        likelihood: 2\n"
        f"        severity: {severity}\n"
        f"        measures:\n          - {{what: Utbildning, who: {who}, within_days: 0}}\n"
    )


@pytest.mark.parametrize(
    ("section", "field"),
    [
        (_section(severity=5), "severity"),
        (_section(who="landstinget"), "who"),
        (_section(task="no_such_task"), "task"),
    ],
)
def test_a_bad_template_names_its_line_and_nothing_is_written(
    demo_version: AgreementVersion, section: str, field: str
) -> None:
    before = (AgreementVersion.objects.count(), RiskTemplate.objects.count())
    text = _with_templates(section)
    with pytest.raises(AgreementImportError) as caught:
        agreement_import(text=text, source_name="broken.yaml")
    problems = " | ".join(str(problem) for problem in caught.value.problems)
    assert "risk_templates[1]" in problems, problems  # counted from 1, as people count
    assert field in problems, problems
    assert (AgreementVersion.objects.count(), RiskTemplate.objects.count()) == before


# --- When a template's measure is due (``measure_days``, ``measures_due_on``) ---

WRITTEN_ON = datetime.date(2026, 12, 7)


def test_a_measure_is_due_the_days_its_template_gives() -> None:
    assert measure_days({"what": "Utbildning", "who": "region", "within_days": 7}) == 7
    assert measures_due_on([{"within_days": 7}], written_on=WRITTEN_ON) == datetime.date(2026, 12, 14)


def test_a_measure_without_days_is_due_in_fourteen_days() -> None:
    assert MEASURE_DAYS_DEFAULT == 14
    assert measure_days({"what": "Kateterskötsel", "who": "kommun"}) == 14
    assert measures_due_on([{"what": "Kateterskötsel"}], written_on=WRITTEN_ON) == datetime.date(2026, 12, 21)


def test_a_measure_is_never_due_the_day_the_analysis_is_written() -> None:
    # 0 ("before the care starts" in older files) is the next day, not the same day.
    assert measure_days({"within_days": 0}) == 1
    assert measures_due_on([{"within_days": 0}], written_on=WRITTEN_ON) == datetime.date(2026, 12, 8)


def test_a_hazard_with_several_measures_is_due_on_the_earliest() -> None:
    measures = [{"within_days": 7}, {}, {"within_days": 3}]
    assert measures_due_on(measures, written_on=WRITTEN_ON) == datetime.date(2026, 12, 10)
    assert measures_due_on([], written_on=WRITTEN_ON) is None


def test_a_file_may_leave_a_measure_s_days_out(demo_version: AgreementVersion) -> None:
    text = _with_templates(_section().replace(", within_days: 0}", "}"))
    version = agreement_import(text=text, source_name="no-days.yaml")
    (measure,) = version.risk_templates.get().hazards[0]["measures"]
    assert "within_days" not in measure
    assert measure_days(measure) == MEASURE_DAYS_DEFAULT


def test_the_demo_templates_give_no_measure_due_the_same_day(demo_version: AgreementVersion) -> None:
    for template in RiskTemplate.objects.filter(version=demo_version):
        for hazard in template.hazards:
            for measure in hazard["measures"]:
                assert measure.get("within_days", MEASURE_DAYS_DEFAULT) >= 1, measure
