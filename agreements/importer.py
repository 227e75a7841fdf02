"""Importing an agreement file: turning a checked ``hemsjukvard-agreement/1`` document into rows.

``exchange`` reads the file (with line numbers) and writes it back out; this module writes what it read
to the database, as one all-or-nothing service. It checks, locks and records as every agreement write
does, through ``services``: the region's administrator (or the system) imports, the agreement and the
draft it replaces are locked before they are read, and a version in force is never rewritten. The
version's content (sections, references, ladder, rules) is written here row by row, so that every
problem is reported with its line, and the import is one ``imported`` event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from directory.actor import Actor
from directory.models import Organisation, OrganisationKind

from . import services
from .choices import (
    AgreementScope,
    AgreementStatus,
    DayKind,
    EnrolmentRequirement,
    EscalationBodyRef,
    default_escalation_identity,
    time_bands_canonical,
)
from .exchange import (
    AgreementImportError,
    ImportProblem,
    ParsedDocument,
    PathItem,
    apply_settings,
    parse_date,
    parse_document,
    version_document,
)
from .models import (
    ORGANISATION_KIND_FOR_PARTY,
    Agreement,
    AgreementEventAction,
    AgreementVersion,
    CareTaskType,
    EscalationLevel,
    LegalReference,
    PhysicianArea,
    ResponsibilityRule,
    Section,
)
from .risk_templates import RiskTemplate

# Which field of the file a model field's error belongs to.
_RULE_FIELD_PATHS: dict[str, list[PathItem]] = {
    "task_type": ["task"],
    "housing_setting": ["housing"],
    "enrolment_requirement": ["enrolment"],
    "orders_party": ["orders"],
    "orders_organisation": ["orders"],
    "performs_party": ["performs"],
    "performs_organisation": ["performs"],
    "follows_up_party": ["follows_up"],
    "follows_up_organisation": ["follows_up"],
    "approver_role": ["conditions", "approver"],
    "time_bands": ["time_bands"],
    "max_duration_days": ["conditions", "review_after_days"],
    "section": ["section"],
}


class _Importer:
    """Turns a schema-valid document into rows, collecting every problem with its line."""

    def __init__(self, document: ParsedDocument, *, source_name: str, actor: Actor | None) -> None:
        self.document = document
        self.actor = actor
        self.data = document.data
        self.source_name = source_name
        self.problems: list[ImportProblem] = []
        self._organisations: dict[tuple[str, str, str], Organisation | None] = {}
        self.region: Organisation | None = None
        self.task_types: dict[str, CareTaskType] = {}

    def problem(self, path: Sequence[PathItem], message: str) -> None:
        self.problems.append(self.document.problem(path, message))

    def raise_if_problems(self) -> None:
        if self.problems:
            self.problems.sort(key=lambda p: (p.line or 0, p.path))
            raise AgreementImportError(self.problems, source_name=self.source_name)

    # --- references ---

    def organisation(
        self, path: Sequence[PathItem], ref: dict[str, str], *, kinds: Iterable[str]
    ) -> Organisation | None:
        wanted = set(kinds)
        key = (ref.get("name", ""), ref.get("hsa_id", ""), ",".join(sorted(wanted)))
        if key in self._organisations:
            return self._organisations[key]
        found = self._find_organisation(path, ref, kinds=wanted)
        self._organisations[key] = found
        return found

    def _find_organisation(
        self, path: Sequence[PathItem], ref: dict[str, str], *, kinds: set[str]
    ) -> Organisation | None:
        name, hsa_id = ref.get("name", ""), ref.get("hsa_id", "")
        queryset = Organisation.objects.all()
        if hsa_id:
            candidates = list(queryset.filter(hsa_id=hsa_id)[:2])
            if not candidates:
                self.problem(path, _("No organisation has the HSA-id “%(hsa_id)s”.") % {"hsa_id": hsa_id})
                return None
            if name and candidates[0].name != name:
                self.problem(
                    path,
                    _("The HSA-id “%(hsa_id)s” belongs to “%(found)s”, not “%(name)s”.")
                    % {"hsa_id": hsa_id, "found": candidates[0].name, "name": name},
                )
                return None
        else:
            if self.region is not None and OrganisationKind.REGION not in kinds:
                queryset = queryset.filter(region=self.region)
            candidates = list(queryset.filter(name=name, kind__in=kinds)[:2])
            if not candidates:
                region = self.region.name if self.region is not None else ""
                self.problem(
                    path,
                    _("No organisation named “%(name)s” of the right kind in %(region)s.")
                    % {"name": name, "region": region or _("the register")},
                )
                return None
            if len(candidates) > 1:
                self.problem(
                    path,
                    _("Several organisations are named “%(name)s”; give the hsa_id.") % {"name": name},
                )
                return None
        organisation = candidates[0]
        if organisation.kind not in kinds:
            self.problem(
                path,
                _("“%(name)s” is a %(kind)s, which cannot be named here.")
                % {"name": organisation.name, "kind": organisation.get_kind_display()},
            )
            return None
        if (
            self.region is not None
            and organisation.kind != OrganisationKind.REGION
            and organisation.region_id != self.region.pk
        ):
            self.problem(
                path,
                _("“%(name)s” does not belong to %(region)s.")
                % {"name": organisation.name, "region": self.region.name},
            )
            return None
        return organisation

    # --- the steps ---

    def resolve_references(self) -> None:
        agreement = self.data["agreement"]
        self.region = self.organisation(
            ["agreement", "region"], agreement["region"], kinds={OrganisationKind.REGION}
        )
        if self.region is None:
            self.raise_if_problems()
        self.local_kommun = (
            self.organisation(["agreement", "kommun"], agreement["kommun"], kinds={OrganisationKind.KOMMUN})
            if "kommun" in agreement
            else None
        )
        self.local_vardcentral = (
            self.organisation(
                ["agreement", "vardcentral"],
                agreement["vardcentral"],
                kinds={OrganisationKind.VARDCENTRAL},
            )
            if "vardcentral" in agreement
            else None
        )
        version = self.data["version"]
        self.kommuner: list[Organisation] = []
        for index, ref in enumerate(version["kommuner"]):
            kommun = self.organisation(["version", "kommuner", index], ref, kinds={OrganisationKind.KOMMUN})
            if kommun is not None:
                if kommun in self.kommuner:
                    self.problem(["version", "kommuner", index], _("This kommun is named twice."))
                self.kommuner.append(kommun)
        self.bodies: dict[int, Organisation | None] = {}
        for index, level in enumerate(self.data.get("escalation") or []):
            if isinstance(level["body"], dict):
                self.bodies[index] = self.organisation(
                    ["escalation", index, "body"], level["body"], kinds={OrganisationKind.JOINT_BODY}
                )
        self.area_vardcentraler: dict[int, Organisation | None] = {}
        for index, area in enumerate(self.data.get("physician_areas") or []):
            self.area_vardcentraler[index] = self.organisation(
                ["physician_areas", index, "vardcentral"],
                area["vardcentral"],
                kinds={OrganisationKind.VARDCENTRAL},
            )
        self.parties: dict[tuple[int, str], Organisation | None] = {}
        for index, rule in enumerate(self.data["rules"]):
            for role in ("orders", "performs", "follows_up"):
                party = rule[role]
                if isinstance(party, dict) and "organisation" in party:
                    kinds = ORGANISATION_KIND_FOR_PARTY.get(party["party"])
                    if kinds is None:
                        self.problem(
                            ["rules", index, role],
                            _("This party is found from the patient; do not name an organisation."),
                        )
                        continue
                    self.parties[(index, role)] = self.organisation(
                        ["rules", index, role, "organisation"], party["organisation"], kinds=kinds
                    )

    def check_structure(self) -> None:
        """What the schema cannot say: duplicates and cross-references inside the file."""
        numbers: dict[str, int] = {}
        for index, section in enumerate(self.data["sections"]):
            number = section["number"]
            if number in numbers:
                self.problem(
                    ["sections", index, "number"],
                    _("Section %(number)s is given twice.") % {"number": number},
                )
            numbers.setdefault(number, index)
        self.section_numbers = set(numbers)
        threshold = self.data["version"].get("threshold_section")
        if threshold is not None and threshold not in numbers:
            self.problem(["version", "threshold_section"], self._no_section(threshold))
        for index, reference in enumerate(self.data.get("legal_references") or []):
            if "section" in reference and reference["section"] not in numbers:
                self.problem(["legal_references", index, "section"], self._no_section(reference["section"]))
        for index, area in enumerate(self.data.get("physician_areas") or []):
            if area["section"] not in numbers:
                self.problem(["physician_areas", index, "section"], self._no_section(area["section"]))
        levels = [level["level"] for level in self.data.get("escalation") or []]
        if levels != list(range(1, len(levels) + 1)):
            self.problem(["escalation"], _("Number the escalation levels 1, 2, 3, … in order."))
        covered = set(self.data["version"]["housing_settings"])
        seen: dict[tuple[str, str, str], list[int]] = {}
        for index, rule in enumerate(self.data["rules"]):
            if rule["section"] not in numbers:
                self.problem(["rules", index, "section"], self._no_section(rule["section"]))
            housing = rule.get("housing", "")
            if housing and housing not in covered:
                self.problem(
                    ["rules", index, "housing"],
                    _("The version does not cover “%(housing)s”; add it to version.housing_settings.")
                    % {"housing": housing},
                )
            key = (rule["task"], housing, rule.get("enrolment", EnrolmentRequirement.ANY))
            bands = frozenset(rule.get("time_bands") or ())
            for earlier in seen.get(key, []):
                earlier_bands = frozenset(self.data["rules"][earlier].get("time_bands") or ())
                if (bands & earlier_bands) or (not bands and not earlier_bands):
                    self.problem(
                        ["rules", index],
                        _(
                            "Rule %(first)d already covers this task, housing setting, enrolment and "
                            "time of day."
                        )
                        % {"first": earlier + 1},
                    )
                    break
            seen.setdefault(key, []).append(index)
            conditions = rule.get("conditions") or {}
            if "approver" in conditions and not conditions.get("risk_analysis"):
                self.problem(
                    ["rules", index, "conditions", "approver"],
                    _("Only a rule that requires a risk analysis names who approves it."),
                )
        agreement = self.data["agreement"]
        if (
            agreement.get("scope") == AgreementScope.LOCAL
            and self.local_kommun is not None
            and [k.pk for k in self.kommuner] != [self.local_kommun.pk]
        ):
            self.problem(
                ["version", "kommuner"],
                _("A local agreement's only kommun party is the kommun it binds."),
            )

    @staticmethod
    def _no_section(number: str) -> str:
        return _("There is no section %(number)s in the file.") % {"number": number}

    def check_task_types(self) -> None:
        declared = {t["code"]: (index, t) for index, t in enumerate(self.data.get("task_types") or [])}
        used = {rule["task"] for rule in self.data["rules"]}
        used |= {template["task"] for template in self.data.get("risk_templates") or []}
        existing = {t.code: t for t in CareTaskType.objects.filter(code__in=set(declared) | used)}
        for code, (index, entry) in declared.items():
            stored = existing.get(code)
            if stored is None:
                continue
            for field in ("kind", "care_level"):
                if getattr(stored, field) != entry[field]:
                    self.problem(
                        ["task_types", index, field],
                        _(
                            "The catalogue already has “%(code)s” with %(field)s “%(stored)s”; "
                            "change the catalogue in the admin first if that is wrong."
                        )
                        % {"code": code, "field": field, "stored": getattr(stored, field)},
                    )
        for index, rule in enumerate(self.data["rules"]):
            if rule["task"] not in declared and rule["task"] not in existing:
                self.problem(
                    ["rules", index, "task"],
                    _("Unknown task type “%(code)s”: declare it under task_types.") % {"code": rule["task"]},
                )
        seen_templates: set[str] = set()
        for index, template in enumerate(self.data.get("risk_templates") or []):
            code = template["task"]
            if code not in declared and code not in existing:
                self.problem(
                    ["risk_templates", index, "task"],
                    _("Unknown task type “%(code)s”: declare it under task_types.") % {"code": code},
                )
            if code in seen_templates:
                self.problem(
                    ["risk_templates", index, "task"],
                    _("“%(code)s” has a risk-analysis template already; give each task type one.")
                    % {"code": code},
                )
            seen_templates.add(code)
        self.existing_task_types = existing
        self.declared_task_types = declared

    def create_task_types(self) -> None:
        self.task_types = dict(self.existing_task_types)
        for code, (index, entry) in self.declared_task_types.items():
            if code in self.task_types:
                continue
            task_type = CareTaskType(
                code=code,
                name_sv=entry["name_sv"],
                name_en=entry["name_en"],
                plain_name_sv=entry.get("plain_name_sv", ""),
                kind=entry["kind"],
                care_level=entry["care_level"],
                description=entry.get("description", ""),
            )
            if self._clean(task_type, ["task_types", index], {}):
                self.task_types[code] = services.care_task_type_create(actor=self.actor, task_type=task_type)

    def _clean(
        self,
        instance: Any,
        path: list[PathItem],
        field_paths: dict[str, list[PathItem]],
        **options: bool,
    ) -> bool:
        try:
            instance.full_clean(**options)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            for field, messages in errors.items():
                where = path + field_paths.get(field, [])
                for message in messages:
                    self.problem(where, message)
            return False
        return True

    def agreement(self) -> Agreement:
        assert self.region is not None
        data = self.data["agreement"]
        scope = data.get("scope", AgreementScope.REGIONAL)
        agreement = (
            Agreement.objects.select_for_update().filter(region=self.region, code=data["code"]).first()
        )
        if agreement is None:
            agreement = Agreement(
                region=self.region,
                code=data["code"],
                scope=scope,
                local_kommun=self.local_kommun,
                local_vardcentral=self.local_vardcentral,
            )
            if self._clean(agreement, ["agreement"], {"local_kommun": ["kommun"]}):
                services.agreement_create(actor=self.actor, agreement=agreement)
            return agreement
        if (
            agreement.scope != scope
            or agreement.local_kommun_id != getattr(self.local_kommun, "pk", None)
            or agreement.local_vardcentral_id != getattr(self.local_vardcentral, "pk", None)
        ):
            self.problem(
                ["agreement", "scope"],
                _(
                    "The agreement “%(code)s” already exists with other parties or scope; a new "
                    "version cannot change them. Give the file another code."
                )
                % {"code": agreement.code},
            )
        return agreement

    def build_version(
        self, agreement: Agreement, *, label: str, into: AgreementVersion | None
    ) -> AgreementVersion:
        """Write the file's version as a draft (into ``into``, emptied, if given)."""
        data = self.data["version"]
        deadlines = self.data.get("deadlines") or {}
        version = into or AgreementVersion(agreement=agreement)
        version.version = label
        version.title = data["title"]
        version.status = AgreementStatus.DRAFT
        version.valid_from = parse_date(data["valid_from"])  # type: ignore[assignment]
        version.valid_to = parse_date(data.get("valid_to"))
        version.covered_housing_settings = list(data["housing_settings"])
        version.deadline_day_kind = deadlines.get("count", DayKind.WORKING)
        version.review_deadline_days = deadlines.get("review_days", 3)
        version.approval_deadline_days = deadlines.get("approval_days", 5)
        version.urgent_review_deadline_days = deadlines.get("urgent_review_days")
        version.urgent_approval_deadline_days = deadlines.get("urgent_approval_days")
        version.auto_escalate_unanswered_review = deadlines.get("auto_escalate_unanswered_review", False)
        apply_settings(version, self.data.get("settings") or {})
        version.threshold_section = None
        version.source_name = self.source_name[:300]
        if into is not None:
            version.revision += 1
            into.rules.all().delete()
            into.legal_references.all().delete()
            into.escalation_levels.all().delete()
            into.risk_templates.all().delete()
            into.physician_areas.all().delete()
            AgreementVersion.objects.filter(pk=into.pk).update(threshold_section=None)
            into.sections.all().delete()
        if not self._clean(
            version,
            ["version"],
            {
                "valid_to": ["valid_to"],
                "valid_from": ["valid_from"],
                "covered_housing_settings": ["housing_settings"],
                "version": ["version"],
                "title": ["title"],
            },
            validate_constraints=False,
        ):
            self.raise_if_problems()
        version.save()
        version.kommuner.set(self.kommuner)

        sections: dict[str, Section] = {}
        for index, entry in enumerate(self.data["sections"]):
            section = Section(
                version=version,
                number=entry["number"],
                heading=entry["heading"],
                text=entry.get("text", ""),
                position=index,
            )
            if entry["number"] not in sections and self._clean(section, ["sections", index], {}):
                section.save()
                sections[section.number] = section
        threshold = data.get("threshold_section")
        if threshold in sections:
            version.threshold_section = sections[threshold]
            version.save(update_fields=["threshold_section"])

        for index, entry in enumerate(self.data.get("legal_references") or []):
            reference = LegalReference(
                version=version,
                section=sections.get(entry.get("section", "")),
                law=entry["law"],
                chapter=entry.get("chapter", ""),
                paragraph=entry.get("paragraph", ""),
                valid_from=parse_date(entry.get("valid_from")),
                note=entry.get("note", ""),
            )
            if self._clean(reference, ["legal_references", index], {}):
                reference.save()

        for index, entry in enumerate(self.data.get("escalation") or []):
            named = isinstance(entry["body"], dict)
            level = EscalationLevel(
                version=version,
                level=entry["level"],
                body_ref=EscalationBodyRef.ORGANISATION if named else EscalationBodyRef.KOMMUN_JOINT_BODY,
                body=self.bodies.get(index) if named else None,
                deadline_days=entry["deadline_days"],
                urgent_deadline_days=entry.get("urgent_deadline_days"),
                binding=entry.get("binding", True),
                identity=entry.get("identity") or default_escalation_identity(entry["level"]),
            )
            if (not named or level.body is not None) and self._clean(
                level, ["escalation", index], {"body": ["body"]}
            ):
                level.save()

        for index, entry in enumerate(self.data.get("physician_areas") or []):
            vardcentral = self.area_vardcentraler.get(index)
            cited = sections.get(entry["section"])
            if vardcentral is None or cited is None:
                continue
            area = PhysicianArea(
                version=version,
                vardcentral=vardcentral,
                housing_unit=entry.get("housing_unit", ""),
                district=entry.get("district", ""),
                postal_codes=",".join(entry.get("postal_codes") or []),
                section=cited,
            )
            if self._clean(area, ["physician_areas", index], {}):
                area.save()

        for index, entry in enumerate(self.data["rules"]):
            task_type = self.task_types.get(entry["task"])
            cited = sections.get(entry["section"])
            if task_type is None or cited is None:
                continue
            rule = self._rule(version, index, entry, task_type, cited)
            if rule is not None and self._clean(rule, ["rules", index], _RULE_FIELD_PATHS):
                rule.save()

        for entry in self.data.get("risk_templates") or []:
            template_task = self.task_types.get(entry["task"])
            if template_task is not None:
                RiskTemplate.objects.create(
                    version=version, task_type=template_task, hazards=entry["hazards"]
                )
        return version

    def _rule(
        self,
        version: AgreementVersion,
        index: int,
        entry: dict[str, Any],
        task_type: CareTaskType,
        section: Section,
    ) -> ResponsibilityRule | None:
        parties: dict[str, Any] = {}
        for role in ("orders", "performs", "follows_up"):
            party = entry[role]
            if isinstance(party, str):
                parties[f"{role}_party"] = party
                parties[f"{role}_organisation"] = None
                continue
            parties[f"{role}_party"] = party["party"]
            organisation = self.parties.get((index, role))
            if "organisation" in party and organisation is None:
                return None  # already reported
            parties[f"{role}_organisation"] = organisation
        conditions = entry.get("conditions") or {}
        return ResponsibilityRule(
            version=version,
            task_type=task_type,
            section=section,
            housing_setting=entry.get("housing", ""),
            enrolment_requirement=entry.get("enrolment", EnrolmentRequirement.ANY),
            time_bands=time_bands_canonical(entry.get("time_bands") or []),
            risk_analysis_required=conditions.get("risk_analysis", False),
            approver_role=conditions.get("approver", ""),
            specialist_active_role_required=conditions.get("specialist_active_role", False),
            training_required=conditions.get("training", False),
            contact_24_7_required=conditions.get("contact_24_7", False),
            delegation_allowed=conditions.get("delegation_allowed", False),
            max_duration_days=conditions.get("review_after_days"),
            note=entry.get("note", ""),
            **parties,
        )


def _comparable(document: dict[str, Any]) -> dict[str, Any]:
    version = {k: v for k, v in document["version"].items() if k not in {"version", "status"}}
    return {**document, "version": version}


@transaction.atomic
def agreement_import(
    *, text: str, source_name: str = "<text>", actor: Actor | None = None
) -> AgreementVersion:
    """Import one agreement version from the file format; return it. All or nothing.

    * A new version is created as a draft and, if the file says ``status: in_force``, put in force
      (superseding the version in force before it).
    * A draft with the same version number is replaced by the file's content.
    * A version with the same number that is already in force (or superseded) is left alone if the file
      says the same thing, and refused if it does not: an agreement in force is never rewritten.

    An invalid file raises ``AgreementImportError`` naming each problem's line, and writes nothing.
    """
    document = parse_document(text, source_name=source_name)
    importer = _Importer(document, source_name=source_name, actor=actor)
    importer.resolve_references()
    importer.check_structure()
    importer.check_task_types()
    importer.raise_if_problems()

    assert importer.region is not None
    services.require_change_of_region(actor, importer.region.pk)

    importer.create_task_types()
    agreement = importer.agreement()
    importer.raise_if_problems()

    label = document.data["version"]["version"]
    wanted_status = document.data["version"].get("status", AgreementStatus.DRAFT)
    existing = AgreementVersion.objects.select_for_update().filter(agreement=agreement, version=label).first()
    if existing is not None and not existing.is_draft:
        savepoint = transaction.savepoint()
        try:
            trial = importer.build_version(agreement, label=f"{label[:24]}~check", into=None)
            importer.raise_if_problems()
            same = _comparable(version_document(trial)) == _comparable(version_document(existing))
        finally:
            transaction.savepoint_rollback(savepoint)
        if not same or wanted_status == AgreementStatus.DRAFT:
            importer.problem(
                ["version", "version"],
                _(
                    "Version %(version)s of “%(code)s” is already in force and the file differs "
                    "from it; an agreement in force is never rewritten. Give the file a new "
                    "version number."
                )
                % {"version": label, "code": agreement.code},
            )
            importer.raise_if_problems()
        return existing

    version = importer.build_version(agreement, label=label, into=existing)
    importer.raise_if_problems()
    services.touch(agreement)
    services.agreement_event_record(
        actor=actor,
        agreement=agreement,
        version=version,
        action=AgreementEventAction.IMPORTED,
        detail={
            "source": source_name[:300],
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        },
    )
    if wanted_status in (AgreementStatus.IN_FORCE, AgreementStatus.SCHEDULED):
        try:
            version = services.agreement_version_put_in_force(actor=actor, version=version)
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            for field, texts in messages.items():
                path: list[PathItem] = ["version", field] if field in {"valid_from"} else ["version"]
                for message in texts:
                    importer.problem(path, message)
            importer.raise_if_problems()
    return version


__all__ = ["AgreementImportError", "agreement_import"]
