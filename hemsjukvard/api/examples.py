"""Response examples in the OpenAPI description, taken from answers captured in the demo world.

``manage.py api_examples --write`` calls the API as the demo users and writes one JSON file per response
component to ``examples/`` beside this module (ids made up, times fixed, identities the demo's fictional
ones). The drf-spectacular postprocessing hook below gives every 2xx JSON response without an example the
example of its component: the component's own for a ``$ref``, a one-item list for an array of it, and a
page of one item for a paginated list. An operation that documents its own example keeps it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE_URL = "https://hemsjukvard.example.se"
EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
COMPONENT_REF = "#/components/schemas/"
EXAMPLE_REF = "#/components/examples/"
DESCRIPTION = "Captured from `{source}` in the demo world (fictional people and identities)."


@dataclass(frozen=True)
class Example:
    name: str
    value: Any


@dataclass(frozen=True)
class Page:
    """The page facts of the list the component was captured from (asked for with ``page_size=1``)."""

    count: int | None
    next: str | None


@dataclass(frozen=True)
class ComponentExamples:
    component: str
    source: str  # the operation the answer came from, e.g. "GET /api/v1/cases/{id}"
    examples: list[Example]
    page: Page | None = None

    def dumps(self) -> str:
        data: dict[str, Any] = {
            "component": self.component,
            "source": self.source,
            "examples": [{"name": e.name, "value": e.value} for e in self.examples],
        }
        if self.page is not None:
            data["page"] = {"count": self.page.count, "next": self.page.next}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def loads(cls, text: str) -> ComponentExamples:
        data = json.loads(text)
        page = data.get("page")
        return cls(
            component=data["component"],
            source=data["source"],
            examples=[Example(name=e["name"], value=e["value"]) for e in data["examples"]],
            page=Page(count=page["count"], next=page["next"]) if page else None,
        )


def load_examples(directory: Path = EXAMPLES_DIR) -> dict[str, ComponentExamples]:
    """The captured examples by component name, read afresh (the files are small and few)."""
    found = {}
    for path in sorted(directory.glob("*.json")):
        examples = ComponentExamples.loads(path.read_text(encoding="utf-8"))
        found[examples.component] = examples
    return found


def _component_name(schema: Any) -> str | None:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return ref.removeprefix(COMPONENT_REF) if isinstance(ref, str) and ref.startswith(COMPONENT_REF) else None


def _paged_item(schemas: dict[str, Any], name: str) -> str | None:
    """The item component of a paginated envelope (``count``, ``next``, ``previous``, ``results``)."""
    properties = schemas.get(name, {}).get("properties", {})
    if not {"next", "previous", "results"} <= set(properties):
        return None
    results = properties["results"]
    return _component_name(results.get("items")) if results.get("type") == "array" else None


def _shaped(
    schema: Any, schemas: dict[str, Any], known: dict[str, ComponentExamples]
) -> tuple[str, ComponentExamples, list[Any]] | None:
    """For a response ``schema``: a name for its shape, the captured component and the example values."""
    name = _component_name(schema)
    if name is not None and name in known:
        captured = known[name]
        return name, captured, [e.value for e in captured.examples]
    item = _paged_item(schemas, name) if name is not None else None
    if name is not None and item in known:
        captured = known[str(item)]
        page = captured.page or Page(count=len(captured.examples), next=None)
        envelopes = [
            {"count": page.count, "next": page.next, "previous": None, "results": [e.value]}
            for e in captured.examples
        ]
        return name, captured, envelopes
    if isinstance(schema, dict) and schema.get("type") == "array":
        item = _component_name(schema.get("items"))
        if item in known:
            captured = known[str(item)]
            return f"{item}List", captured, [[e.value] for e in captured.examples]
    return None


def _ascii_key(text: str) -> str:
    """``Skyddad identitet`` → ``SkyddadIdentitet``: component keys allow ASCII letters, digits, ``.-_``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", plain) if word)


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def add_response_examples(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: a captured example for every 2xx JSON response without one.

    Each example is written once, under ``components/examples``, and the responses refer to it: the
    same ``Case`` example answers a dozen operations.
    """
    known = load_examples()
    components = result.setdefault("components", {})
    schemas = components.get("schemas", {})
    shared: dict[str, Any] = {}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for code, response in operation.get("responses", {}).items():
                if not str(code).startswith("2"):
                    continue
                for media_type, media in response.get("content", {}).items():
                    if not _is_json(media_type) or "example" in media or "examples" in media:
                        continue
                    shaped = _shaped(media.get("schema"), schemas, known)
                    if shaped is None:
                        continue
                    shape, captured, values = shaped
                    refs = {}
                    for example, value in zip(captured.examples, values, strict=True):
                        key = f"{shape}.{_ascii_key(example.name)}"
                        shared[key] = {
                            "summary": example.name,
                            "description": DESCRIPTION.format(source=captured.source),
                            "value": value,
                        }
                        refs[_ascii_key(example.name)] = {"$ref": f"{EXAMPLE_REF}{key}"}
                    media["examples"] = refs
    if shared:
        merged = {**components.get("examples", {}), **shared}
        components["examples"] = {key: merged[key] for key in sorted(merged)}
    return result
