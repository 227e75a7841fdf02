"""The access package imports one way only, in the order its docstring gives, and hides no import in a
function (which is how a cycle between two modules used to be hidden)."""

from __future__ import annotations

import ast
from pathlib import Path

import access

PACKAGE = Path(access.__file__).parent
# The layer order of ``access/__init__.py``: a module may import only those before it.
ORDER = ["roles", "seen", "parties", "pseudonym", "patients", "legal_basis", "cases", "sips", "documents"]
# What the rule may read: the apps' models (and the document kinds' registry), never their selectors,
# services or views, which are built on it.
ALLOWED_APP_MODULES = {
    "cases.models",
    "consent.models",
    "directory.actor",
    "directory.models",
    "documents.models",
    "documents.sources",
    "patients.models",
    "sip.models",
}


def _imports(tree: ast.Module) -> list[tuple[str, ast.AST]]:
    found: list[tuple[str, ast.AST]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                module = f"access.{module}" if module else "access"
            found.append((module, node))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
    return found


def test_every_module_is_in_the_layer_order() -> None:
    modules = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules == set(ORDER)


def test_modules_import_only_lower_layers_and_the_apps_models() -> None:
    for name in ORDER:
        tree = ast.parse((PACKAGE / f"{name}.py").read_text())
        for module, _node in _imports(tree):
            top = module.split(".")[0]
            if module.startswith("access."):
                imported = module.split(".")[1]
                assert ORDER.index(imported) < ORDER.index(name), f"access.{name} imports {module}"
            elif top in {
                "cases",
                "consent",
                "directory",
                "documents",
                "patients",
                "sip",
                "audit",
                "integrations",
            }:
                assert module in ALLOWED_APP_MODULES, f"access.{name} imports {module}"


def test_no_import_is_hidden_in_a_function() -> None:
    for name in ORDER:
        tree = ast.parse((PACKAGE / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = [n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
                assert not inner, f"access.{name}.{node.name} imports inside the function"
