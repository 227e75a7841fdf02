"""The access log's record types come from one registry, ``audit.records``: no module names its own."""

from __future__ import annotations

import ast
from pathlib import Path

from audit import records

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "tests", "bench", "migrations", "node_modules", "staticfiles"}


def _modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED & set(path.relative_to(ROOT).parts) and path != Path(records.__file__).resolve()
    ]


def test_no_module_defines_a_record_type_of_its_own() -> None:
    offenders = []
    for path in _modules():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.Assign | ast.AnnAssign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                and any(
                    isinstance(target, ast.Name) and target.id.startswith("RECORD_")
                    for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                )
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_every_record_type_is_in_the_list() -> None:
    named = {
        value
        for name, value in vars(records).items()
        if name.startswith("RECORD_") and name != "RECORD_TYPES"
    }
    assert named == records.RECORD_TYPES
    assert len(named) == 17
