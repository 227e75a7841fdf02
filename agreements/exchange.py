"""The agreement file format (``hemsjukvard-agreement/1``): reading with line numbers, and writing.

A region keeps its agreement under version control as one YAML file per agreement version; the format
is described in ``agreements/data/README.md`` and checked against ``schema/agreement.schema.json``.
Reading never guesses: only ``true``/``false`` are booleans, and nothing is read as a float or a date,
so ``section: 4.10`` stays the text "4.10" and ``enrolment: no`` is not ``False``. Every problem is
reported with the line it is on. Writing to the database is ``importer.agreement_import``'s job.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import yaml
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from yaml.nodes import MappingNode, Node, SequenceNode

from directory.models import Organisation

from .choices import EnrolmentRequirement, EscalationBodyRef, time_bands_ordered
from .models import VERSION_SETTING_FIELDS, AgreementVersion, PhysicianArea, ResponsibilityRule

FORMAT = "hemsjukvard-agreement/1"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "agreement.schema.json"
DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_REPORTED_PROBLEMS = 50

PathItem = str | int


@dataclass(frozen=True)
class ImportProblem:
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(_("line %(line)d") % {"line": self.line})
        if self.path:
            where.append(self.path)
        return f"{', '.join(where)}: {self.message}" if where else self.message


class AgreementImportError(ValidationError):
    """An agreement file that cannot be imported; ``problems`` says where and why. Nothing was written."""

    def __init__(self, problems: Sequence[ImportProblem], *, source_name: str = "") -> None:
        self.problems = list(problems)
        self.source_name = source_name
        super().__init__([str(problem) for problem in self.problems[:MAX_REPORTED_PROBLEMS]])


# --- Reading ---------------------------------------------------------------------------------------

_BOOL = "tag:yaml.org,2002:bool"
_DROPPED_TAGS = {_BOOL, "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"}


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's surprises, and refusing a key given twice."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Node] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key!r} is given twice (first on line {seen[key].start_mark.line + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


@dataclass(frozen=True)
class ParsedDocument:
    data: dict[str, Any]
    root: Node

    def line_of(self, path: Sequence[PathItem]) -> int | None:
        return line_of(self.root, path)

    def problem(self, path: Sequence[PathItem], message: str) -> ImportProblem:
        return ImportProblem(line=self.line_of(path), path=format_path(path), message=message)


def line_of(root: Node, path: Sequence[PathItem]) -> int | None:
    """The line (from 1) of the value at ``path``, or of the nearest enclosing value that exists."""
    node = root
    for item in path:
        child: Node | None = None
        if isinstance(node, MappingNode):
            child = next((value for key, value in node.value if key.value == item), None)
        elif isinstance(node, SequenceNode) and isinstance(item, int) and 0 <= item < len(node.value):
            child = node.value[item]
        if child is None:
            break
        node = child
    return int(node.start_mark.line) + 1


def format_path(path: Sequence[PathItem]) -> str:
    """``rules[4].orders``: list items counted from 1, as a person counts them."""
    text = ""
    for item in path:
        if isinstance(item, int):
            text += f"[{item + 1}]"
        else:
            text += f".{item}" if text else str(item)
    return text


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def parse_document(text: str, *, source_name: str = "") -> ParsedDocument:
    """Read and schema-check an agreement file; raise ``AgreementImportError`` naming each problem."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise AgreementImportError(
                [ImportProblem(None, "", _("The file is empty."))], source_name=source_name
            )
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
        raise AgreementImportError(
            [ImportProblem(line, "", _("The file is not valid YAML: %(detail)s") % {"detail": detail})],
            source_name=source_name,
        ) from None
    except yaml.YAMLError as exc:
        raise AgreementImportError(
            [ImportProblem(None, "", _("The file is not valid YAML: %(detail)s") % {"detail": exc})],
            source_name=source_name,
        ) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise AgreementImportError(
            [ImportProblem(1, "", _("The file must be a mapping with the keys format, agreement, …"))],
            source_name=source_name,
        )
    document = ParsedDocument(data=data, root=root)
    problems = schema_problems(document)
    problems += date_problems(document)
    if problems:
        raise AgreementImportError(problems, source_name=source_name)
    return document


def schema_problems(document: ParsedDocument) -> list[ImportProblem]:
    validator = Draft202012Validator(schema())
    problems = []
    for error in validator.iter_errors(document.data):
        error = _most_useful(error)
        path = list(error.absolute_path)
        problems.append(document.problem(path, _describe(error)))
    problems.sort(key=lambda p: (p.line or 0, p.path))
    return problems


def _most_useful(error: SchemaError) -> SchemaError:
    """For "one of" choices, the branch error that says what is wrong, not "not an object"."""
    while error.validator in {"oneOf", "anyOf"} and error.context:
        preferred = [e for e in error.context if e.validator != "type"] or list(error.context)
        error = max(preferred, key=lambda e: len(e.absolute_path))
    return error


def _describe(error: SchemaError) -> str:
    validator = error.validator
    value = error.instance
    if validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        if missing and missing[0] in {"housing_unit", "postal_codes"}:
            return _(
                "Name the särskilt boende (housing_unit) or give the area's postal codes (postal_codes)."
            )
        return _("The field “%(field)s” is missing.") % {"field": missing[0] if missing else "?"}
    if validator == "additionalProperties":
        unexpected = re.findall(r"'([^']+)'", error.message)
        return _("Unknown field(s): %(fields)s.") % {"fields": ", ".join(unexpected)}
    if validator == "enum":
        return _("“%(value)s” is not one of: %(choices)s.") % {
            "value": value,
            "choices": ", ".join(str(c) for c in cast(list[Any], error.validator_value)),
        }
    if validator == "const":
        return _("The value must be “%(value)s”.") % {"value": error.validator_value}
    if validator == "type":
        expected = error.validator_value
        names = {
            "string": _("text"),
            "integer": _("a whole number"),
            "boolean": _("true or false"),
            "array": _("a list"),
            "object": _("a mapping of fields"),
            "null": _("empty"),
        }
        wanted = expected if isinstance(expected, list) else [expected]
        return _("Expected %(expected)s, found “%(value)s”.") % {
            "expected": _(" or ").join(str(names.get(str(w), w)) for w in wanted),
            "value": value,
        }
    if validator == "pattern":
        if str(error.validator_value).startswith("^[0-9]{4}"):
            return _("“%(value)s” is not a date written as YYYY-MM-DD.") % {"value": value}
        if str(error.validator_value).startswith("^([01]"):
            return _('“%(value)s” is not a time written as HH:MM, e.g. "22:00".') % {"value": value}
        if str(error.validator_value).startswith("^[0-9]{3,5}"):
            return _("“%(value)s” is not a postal code: write 3 to 5 digits.") % {"value": value}
        return _("“%(value)s” is not a valid code: use a-z, 0-9, - and _.") % {"value": value}
    if validator in {"minimum", "maximum"}:
        return _("%(value)s is outside the allowed range.") % {"value": value}
    if validator == "minItems":
        return _("The list needs at least %(count)s item(s).") % {"count": error.validator_value}
    if validator == "uniqueItems":
        return _("The list names the same value twice.")
    if validator in {"minLength", "maxLength"}:
        return _("The text is empty or too long.")
    if validator == "minProperties":
        return _("Name the organisation by name or hsa_id.")
    if validator == "not" and error.absolute_path and error.absolute_path[-1] == "agreement":
        return _("Only a local agreement names a kommun or a vårdcentral.")
    return _("The value is not valid here (%(detail)s).") % {"detail": error.message}


_DATE_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def date_problems(document: ParsedDocument) -> list[ImportProblem]:
    """Dates that match YYYY-MM-DD but do not exist (e.g. 2025-02-30)."""
    problems = []
    for path, value in _date_values(document.data):
        if not _DATE_FORM.fullmatch(value):
            continue  # the schema has already said so
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            problems.append(
                document.problem(path, _("“%(value)s” is not a date that exists.") % {"value": value})
            )
    return problems


def _date_values(data: dict[str, Any]) -> Iterable[tuple[list[PathItem], str]]:
    version = data.get("version") or {}
    for key in ("valid_from", "valid_to"):
        if isinstance(version.get(key), str):
            yield ["version", key], version[key]
    for index, reference in enumerate(data.get("legal_references") or []):
        if isinstance(reference, dict) and isinstance(reference.get("valid_from"), str):
            yield ["legal_references", index, "valid_from"], reference["valid_from"]
    settings = data.get("settings") or {}
    for key in SETTING_DATES:
        if isinstance(settings.get(key), str):
            yield ["settings", key], settings[key]


def parse_time(value: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(value) if value else None


def parse_date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# --- Writing ---------------------------------------------------------------------------------------


def organisation_ref(organisation: Organisation) -> dict[str, str]:
    ref = {"name": organisation.name}
    if organisation.hsa_id:
        ref["hsa_id"] = organisation.hsa_id
    return ref


def _party(rule: ResponsibilityRule, role: str) -> str | dict[str, Any]:
    party: str = getattr(rule, f"{role}_party")
    organisation: Organisation | None = getattr(rule, f"{role}_organisation")
    if organisation is None:
        return party
    return {"party": party, "organisation": organisation_ref(organisation)}


def version_document(version: AgreementVersion) -> dict[str, Any]:
    """The agreement version as the file format's data, in a stable order."""
    agreement = version.agreement
    agreement_data: dict[str, Any] = {
        "code": agreement.code,
        "region": organisation_ref(agreement.region),
        "scope": agreement.scope,
    }
    if agreement.local_kommun is not None:
        agreement_data["kommun"] = organisation_ref(agreement.local_kommun)
    if agreement.local_vardcentral is not None:
        agreement_data["vardcentral"] = organisation_ref(agreement.local_vardcentral)

    version_data: dict[str, Any] = {
        "version": version.version,
        "title": version.title,
        "status": "draft" if version.is_draft else "in_force",
        "valid_from": version.valid_from.isoformat(),
        "valid_to": version.valid_to.isoformat() if version.valid_to else None,
        "kommuner": [organisation_ref(kommun) for kommun in version.kommuner.order_by("name", "pk")],
        "housing_settings": list(version.covered_housing_settings),
    }
    if version.threshold_section is not None:
        version_data["threshold_section"] = version.threshold_section.number

    sections = list(version.sections.order_by("position", "pk"))
    legal = list(version.legal_references.select_related("section").order_by("pk"))
    levels = list(version.escalation_levels.select_related("body").order_by("level"))
    rules = list(
        version.rules.select_related(
            "task_type",
            "section",
            "orders_organisation",
            "performs_organisation",
            "follows_up_organisation",
        ).order_by("pk")
    )
    task_types = sorted({rule.task_type for rule in rules}, key=lambda t: (t.kind, t.code))

    document: dict[str, Any] = {
        "format": FORMAT,
        "agreement": agreement_data,
        "version": version_data,
        "deadlines": {
            "count": version.deadline_day_kind,
            "review_days": version.review_deadline_days,
            "approval_days": version.approval_deadline_days,
            **(
                {"urgent_review_days": version.urgent_review_deadline_days}
                if version.urgent_review_deadline_days
                else {}
            ),
            **(
                {"urgent_approval_days": version.urgent_approval_deadline_days}
                if version.urgent_approval_deadline_days
                else {}
            ),
            "auto_escalate_unanswered_review": version.auto_escalate_unanswered_review,
        },
        "settings": version_settings(version),
        "escalation": [
            {
                "level": level.level,
                "body": (
                    EscalationBodyRef.KOMMUN_JOINT_BODY.value
                    if level.body is None
                    else organisation_ref(level.body)
                ),
                "deadline_days": level.deadline_days,
                **(
                    {"urgent_deadline_days": level.urgent_deadline_days} if level.urgent_deadline_days else {}
                ),
                "binding": level.binding,
                "identity": level.identity,
            }
            for level in levels
        ],
        "sections": [
            {"number": s.number, "heading": s.heading, **({"text": s.text} if s.text else {})}
            for s in sections
        ],
        "legal_references": [_legal_reference(reference) for reference in legal],
        "task_types": [
            {
                "code": t.code,
                "name_sv": t.name_sv,
                "name_en": t.name_en,
                **({"plain_name_sv": t.plain_name_sv} if t.plain_name_sv else {}),
                "kind": t.kind,
                "care_level": t.care_level,
                **({"description": t.description} if t.description else {}),
            }
            for t in task_types
        ],
        "rules": [_rule(rule) for rule in rules],
    }
    areas = list(version.physician_areas.select_related("vardcentral", "section").order_by("pk"))
    if areas:
        # Before ``sections`` in the file, as the demo files keep it; the order of keys carries no meaning.
        document = _insert_before(document, "sections", "physician_areas", [_area(a) for a in areas])
    templates = list(version.risk_templates.select_related("task_type").order_by("pk"))
    if templates:
        document["risk_templates"] = [{"task": t.task_type.code, "hazards": t.hazards} for t in templates]
    return document


def _insert_before(document: dict[str, Any], key: str, new_key: str, value: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, item in document.items():
        if name == key:
            result[new_key] = value
        result[name] = item
    return result


def _area(area: PhysicianArea) -> dict[str, Any]:
    data: dict[str, Any] = {"vardcentral": organisation_ref(area.vardcentral)}
    if area.housing_unit:
        data["housing_unit"] = area.housing_unit
    if area.district:
        data["district"] = area.district
    if area.postal_codes:
        data["postal_codes"] = area.postal_code_list
    data["section"] = area.section.number
    return data


def version_settings(version: AgreementVersion) -> dict[str, Any]:
    """The version's settings in the file format (``settings:``; see agreements/README.md)."""
    data: dict[str, Any] = {
        "threshold_principle": version.threshold_principle,
        "threshold_specialised_performer": version.threshold_specialised_performer,
        "cases_before_enrolment": version.cases_before_enrolment,
    }
    if version.mar_required_from is not None:
        data["mar_required_from"] = version.mar_required_from.isoformat()
    if version.mar_required_citation:
        data["mar_required_citation"] = version.mar_required_citation
    if version.home_care_term:
        data["home_care_term"] = version.home_care_term
    if version.home_care_term_from is not None:
        data["home_care_term_from"] = version.home_care_term_from.isoformat()
    for name in SETTING_TIMES:
        value = getattr(version, name)
        field = AgreementVersion._meta.get_field(name)
        assert isinstance(field, models.Field)
        if value != field.get_default():
            data[name] = value.strftime("%H:%M")
    return data


# The file's ``settings:`` keys that are dates, and those that are times of day ("HH:MM").
SETTING_DATES = ("mar_required_from", "home_care_term_from")
SETTING_TIMES = ("day_band_from", "evening_band_from", "night_band_from")


def apply_settings(version: AgreementVersion, settings: dict[str, Any]) -> None:
    """Set the version's settings from the file's ``settings:``; a key left out takes its default."""
    for name in VERSION_SETTING_FIELDS:
        field = AgreementVersion._meta.get_field(name)
        assert isinstance(field, models.Field)
        value = settings.get(name, field.get_default())
        if name in SETTING_DATES:
            value = parse_date(value)
        elif name in SETTING_TIMES and isinstance(value, str):
            value = parse_time(value)
        setattr(version, name, value)


def _legal_reference(reference: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"law": reference.law}
    if reference.chapter:
        data["chapter"] = reference.chapter
    if reference.paragraph:
        data["paragraph"] = reference.paragraph
    if reference.valid_from:
        data["valid_from"] = reference.valid_from.isoformat()
    if reference.section is not None:
        data["section"] = reference.section.number
    if reference.note:
        data["note"] = reference.note
    return data


def _rule(rule: ResponsibilityRule) -> dict[str, Any]:
    data: dict[str, Any] = {"task": rule.task_type.code}
    if rule.housing_setting:
        data["housing"] = rule.housing_setting
    if rule.enrolment_requirement != EnrolmentRequirement.ANY:
        data["enrolment"] = rule.enrolment_requirement
    if rule.time_bands:
        data["time_bands"] = time_bands_ordered(list(rule.time_band_set))
    data["orders"] = _party(rule, "orders")
    data["performs"] = _party(rule, "performs")
    data["follows_up"] = _party(rule, "follows_up")
    conditions: dict[str, Any] = {}
    if rule.risk_analysis_required:
        conditions["risk_analysis"] = True
    if rule.approver_role:
        conditions["approver"] = rule.approver_role
    if rule.specialist_active_role_required:
        conditions["specialist_active_role"] = True
    if rule.training_required:
        conditions["training"] = True
    if rule.contact_24_7_required:
        conditions["contact_24_7"] = True
    if rule.delegation_allowed:
        conditions["delegation_allowed"] = True
    if rule.max_duration_days:
        conditions["review_after_days"] = rule.max_duration_days
    if conditions:
        data["conditions"] = conditions
    if rule.note:
        data["note"] = rule.note
    data["section"] = rule.section.number
    return data


class _Dumper(yaml.SafeDumper):
    pass


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_document(document: dict[str, Any]) -> str:
    header = (
        f"# {document['version']['title']} – version {document['version']['version']}\n"
        "# Format hemsjukvard-agreement/1: see agreements/data/README.md in the hemsjukvard source.\n"
    )
    body = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return header + body


def agreement_export(*, version: AgreementVersion) -> str:
    """The agreement version as a file that ``agreement_import`` reads back to the same content."""
    return dump_document(version_document(version))
