"""The house plan, checked: imports run one way, from higher layers to lower ones, and never in a circle.

The layers (lowest first) are the README's "Where things live". A module may import its own layer and
the layers below it. Entry points (pages, API views, URL confs, admin, app wiring, template tags,
management commands, worker tasks) sit at the leaves and may compose any layer; the composition root
(settings, the URL root, the Celery app) may import anything. Cycles are checked over every import,
including those inside functions, since hiding one in a function does not remove it.
"""

from __future__ import annotations

import ast
import pathlib
from collections import defaultdict

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Lowest first. A prefix names a package or a module; the longest matching prefix decides a module's layer.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("kernel", ("hemsjukvard",)),
    ("people", ("directory", "identity")),
    ("access log", ("audit.models", "audit.services", "audit.records")),
    # Every app's records (models and their choices, with the rules a record keeps itself in ``clean``)
    # sit below every app's logic: a rule about cases reads case rows, and the rows know nothing of it.
    (
        "records",
        (
            "patients.models",
            "patients.personnummer",
            "patients.pseudonym",
            "agreements.models",
            "agreements.risk_templates",
            "agreements.history",
            "agreements.choices",
            "agreements.hard_rules",
            "agreements.law",
            "agreements.threshold",
            "agreements.areas",
            "cases.risk",
            "cases.models",
            "cases.whereabouts",
            "cases.numbering",
            "cases.preferences",
            "messaging.models",
            "assignments.models",
            "sip.models",
            "consent.models",
            "documents.models",
            "integrations.models",
            "figures.models",
            "competence.models",
            "competence.rules",
            "attachments.models",
        ),
    ),
    ("printouts' registry", ("documents.sources",)),
    ("webhooks", ("integrations",)),
    ("access rule", ("access",)),
    ("patients", ("patients",)),
    ("agreements", ("agreements",)),
    ("printouts", ("documents",)),
    ("legal basis for sharing", ("consent",)),
    ("cases", ("cases",)),
    ("case handlers", ("assignments",)),
    ("messages on cases", ("messaging",)),
    ("plans", ("sip",)),
    ("competence and delegation registers", ("competence",)),
    ("patient overview", ("overview",)),
    ("attachments", ("attachments",)),
    ("log review", ("audit",)),
    ("exports and figures", ("fhir_export", "figures")),
    ("home page", ("portal",)),
    ("demo", ("demo",)),
]

COMPOSITION_ROOT = ("hemsjukvard.settings", "hemsjukvard.urls", "hemsjukvard.celery", "hemsjukvard.wsgi")
ENTRY_POINT_PARTS = ("views", "urls", "admin", "apps", "templatetags", "commands", "tasks")


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, pathlib.Path]:
    tops = {prefix.split(".")[0] for _name, prefixes in LAYERS for prefix in prefixes}
    found: dict[str, pathlib.Path] = {}
    for top in sorted(tops):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


def _imports(name: str, path: pathlib.Path, known: set[str]) -> dict[str, int]:
    """The project modules ``name`` imports, each with the line of its first import."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from cases import services`` imports the module ``cases.services``.
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                found.setdefault(target, node.lineno)
    return found


def _layer(module: str) -> int:
    best, best_length = -1, -1
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    return best


def _entry_point(module: str) -> bool:
    if module.startswith(COMPOSITION_ROOT):
        return True
    return any(part in ENTRY_POINT_PARTS for part in module.split(".")[1:])


@pytest.fixture(scope="module")
def graph() -> dict[str, dict[str, int]]:
    sources = _sources()
    known = set(sources)
    return {name: _imports(name, path, known) for name, path in sources.items()}


def test_every_module_has_a_layer(graph: dict[str, dict[str, int]]) -> None:
    unplaced = [name for name in graph if _layer(name) < 0]
    assert not unplaced, unplaced


def test_imports_run_from_higher_layers_to_lower_ones(graph: dict[str, dict[str, int]]) -> None:
    upward = [
        f"{name}:{line} imports {target} ({LAYERS[_layer(name)][0]} → {LAYERS[_layer(target)][0]})"
        for name, targets in sorted(graph.items())
        if not _entry_point(name)
        for target, line in sorted(targets.items())
        if _layer(target) > _layer(name) and not _entry_point(target)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycles(graph: dict[str, dict[str, int]]) -> None:
    """Tarjan's strongly connected components; a package's ``__init__`` re-exporting its own modules is
    not a cycle (those edges run from the package to its parts only)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = 0
    edges: dict[str, list[str]] = defaultdict(list)
    for name, targets in graph.items():
        edges[name] = [t for t in targets if not t.startswith(name + ".")]

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        cycles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    assert not cycles, "\n".join(" ↔ ".join(c) for c in cycles)


def test_no_module_is_over_800_lines() -> None:
    long = []
    tops = {prefix.split(".")[0] for _name, prefixes in LAYERS for prefix in prefixes} | {"bench", "tests"}
    for top in sorted(tops):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > 800:
                long.append(f"{path.relative_to(ROOT)}: {lines}")
    assert not long, "\n".join(sorted(long))
