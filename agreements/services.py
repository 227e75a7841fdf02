"""Every write to agreements: keyword-only, typed, atomic, validated, and recorded as one event.

The API, the admin and the importer (``agreements.importer``) all write through these functions, as the
person acting: ``actor`` is that person; ``None`` means the system itself (a management command run by
an operator, or the demo world), which the event log records as having no user.

A write locks what it changes, always in the same order (the agreement, then the version, then the
version's part), and then checks, in the order the case and SIP services do: the revision the caller read
(``expected_revision``, from the API's If-Match; ``None`` skips it) or 412; who acts, or 403; and that
the version is still a draft, or 409 (a state conflict): a version in force is read-only, and this is the
one place that says so. A stored row's changes arrive as ``changes`` (model field name → value) and are
applied to the locked row, never to an object the caller has already changed; a change that names
nothing writes nothing. Every write raises the revision (the ETag) of each row whose representation it
changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.actor import Actor
from directory.models import Organisation, OrganisationKind
from hemsjukvard.errors import NotPermitted, StaleVersionError, StateConflictError

from .choices import AgreementScope, AgreementStatus, default_escalation_identity
from .models import (
    VERSION_SETTING_FIELDS,
    Agreement,
    AgreementEvent,
    AgreementEventAction,
    AgreementVersion,
    CareTaskType,
    EscalationLevel,
    LegalReference,
    ResponsibilityRule,
    Section,
)
from .policies import (
    can_change_agreement,
    can_change_agreements_of_region,
    can_change_task_types,
    version_is_editable,
)
from .risk_templates import RiskTemplate

# --- What every write shares -----------------------------------------------------------------------


def agreement_event_record(
    *,
    actor: Actor | None,
    agreement: Agreement,
    action: str,
    version: AgreementVersion | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """The one event a write leaves: who changed which agreement how (``AgreementEvent``)."""
    AgreementEvent.objects.create(
        agreement=agreement,
        version=version,
        user=actor.user if actor is not None else None,
        action=action,
        detail=detail or {},
    )


def _not_the_regions_admin() -> NotPermitted:
    return NotPermitted(_("Only an administrator of the region may change its agreements."))


def require_change_of_region(actor: Actor | None, region_id: int) -> None:
    if actor is not None and not can_change_agreements_of_region(actor, region_id):
        raise _not_the_regions_admin()


def _require_change(actor: Actor | None, agreement: Agreement) -> None:
    if actor is not None and not can_change_agreement(actor, agreement):
        raise _not_the_regions_admin()


def _require_draft(version: AgreementVersion, message: str | None = None) -> None:
    if not version_is_editable(version):
        raise StateConflictError(
            message
            or _(
                "This agreement version is no longer a draft and cannot be changed. "
                "Create a new draft version to change it."
            )
        )


_Revised = Agreement | AgreementVersion | Section | ResponsibilityRule | CareTaskType


def _require_revision(row: _Revised, expected_revision: int | None) -> None:
    if expected_revision is not None and row.revision != expected_revision:
        raise StaleVersionError()


def touch(row: Agreement | AgreementVersion) -> None:
    """Raise the revision of a row whose representation a write below it changed: its ETag changes."""
    type(row).objects.filter(pk=row.pk).update(revision=F("revision") + 1)
    row.revision += 1


def lock_agreement(agreement_id: int) -> Agreement:
    return Agreement.objects.select_for_update().get(pk=agreement_id)


def lock_version(version_id: int, *, with_agreement: bool = False) -> AgreementVersion:
    """The version, locked (``with_agreement``: its agreement locked first, for a write to both)."""
    if with_agreement:
        agreement_id = AgreementVersion.objects.values_list("agreement_id", flat=True).get(pk=version_id)
        agreement = lock_agreement(agreement_id)
        version = AgreementVersion.objects.select_for_update().get(pk=version_id)
        version.agreement = agreement
        return version
    return (
        AgreementVersion.objects.select_for_update(of=("self",))
        .select_related("agreement")
        .get(pk=version_id)
    )


# Fields no change names: the identity and the revision (the service raises it).
_NEVER_CHANGED = frozenset({"id", "public_id", "revision"})


def _apply(row: models.Model, changes: Mapping[str, Any], *, fixed: frozenset[str] = frozenset()) -> None:
    changeable = {f.name for f in row._meta.concrete_fields if f.editable} - _NEVER_CHANGED - fixed
    unknown = set(changes) - changeable
    if unknown:
        raise ValueError(f"{type(row).__name__} has no changeable field {sorted(unknown)}")
    for name, value in changes.items():
        setattr(row, name, value)


def _without_move(changes: Mapping[str, Any], field: str, current_id: int, message: str) -> dict[str, Any]:
    """``changes`` without ``field``, which may only name the row's current parent."""
    rest = dict(changes)
    if field in rest:
        target = rest.pop(field)
        if getattr(target, "pk", target) != current_id:
            raise ValidationError({field: [message]})
    return rest


# --- Agreements ------------------------------------------------------------------------------------


@transaction.atomic
def agreement_create(*, actor: Actor | None, agreement: Agreement) -> Agreement:
    require_change_of_region(actor, agreement.region_id)
    agreement.full_clean()
    agreement.save()
    agreement_event_record(actor=actor, agreement=agreement, action=AgreementEventAction.CREATED)
    return agreement


@transaction.atomic
def agreement_change(*, actor: Actor | None, agreement: Agreement, changes: Mapping[str, Any]) -> Agreement:
    """What an agreement binds (region, code, scope, local parties) changes only until it has versions."""
    locked = lock_agreement(agreement.pk)
    require_change_of_region(actor, locked.region_id)
    if not changes:
        return locked
    if locked.versions.exists():
        raise StateConflictError(
            _("The agreement has versions, so what it binds cannot change. Create a new agreement instead.")
        )
    _apply(locked, changes)
    require_change_of_region(actor, locked.region_id)
    locked.revision += 1
    locked.full_clean()
    locked.save()
    agreement_event_record(actor=actor, agreement=locked, action=AgreementEventAction.CHANGED)
    return locked


def agreement_parties_check(*, version: AgreementVersion, kommuner: Sequence[Organisation]) -> None:
    """The kommun parties must be kommuner of the region; a local agreement's only one its kommun."""
    agreement = version.agreement
    problems = []
    if not kommuner:
        problems.append(_("Name at least one kommun as a party."))
    for kommun in kommuner:
        if kommun.kind != OrganisationKind.KOMMUN or kommun.region_id != agreement.region_id:
            problems.append(_("%(name)s is not a kommun of the agreement's region.") % {"name": kommun.name})
    if agreement.scope == AgreementScope.LOCAL and [k.pk for k in kommuner] != [agreement.local_kommun_id]:
        problems.append(_("A local agreement's only kommun party is the kommun it binds."))
    if problems:
        raise ValidationError({"kommuner": problems})


# --- Versions --------------------------------------------------------------------------------------


@transaction.atomic
def agreement_version_create(
    *, actor: Actor | None, version: AgreementVersion, kommuner: Sequence[Organisation]
) -> AgreementVersion:
    """A new draft version (``version``, not yet saved) with the kommun parties ``kommuner``."""
    agreement = lock_agreement(version.agreement_id)
    _require_change(actor, agreement)
    version.agreement = agreement
    version.status = AgreementStatus.DRAFT
    agreement_parties_check(version=version, kommuner=kommuner)
    version.full_clean()
    version.save()
    version.kommuner.set(kommuner)
    touch(agreement)
    agreement_event_record(
        actor=actor, agreement=agreement, version=version, action=AgreementEventAction.CREATED
    )
    return version


@transaction.atomic
def agreement_version_change(
    *,
    actor: Actor | None,
    version: AgreementVersion,
    changes: Mapping[str, Any],
    kommuner: Sequence[Organisation] | None = None,
    expected_revision: int | None = None,
) -> AgreementVersion:
    """Change a draft version (``kommuner``: the kommun parties, if they change)."""
    locked = lock_version(version.pk, with_agreement=True)
    _require_revision(locked, expected_revision)
    _require_change(actor, locked.agreement)
    _require_draft(locked)
    changes = _without_move(
        changes, "agreement", locked.agreement_id, _("A version cannot move to another agreement.")
    )
    if not changes and kommuner is None:
        return locked
    _apply(locked, changes, fixed=frozenset({"agreement", "status"}))
    if kommuner is not None:
        agreement_parties_check(version=locked, kommuner=kommuner)
    locked.revision += 1
    locked.full_clean()
    locked.save()
    if kommuner is not None:
        locked.kommuner.set(kommuner)
    touch(locked.agreement)
    agreement_event_record(
        actor=actor, agreement=locked.agreement, version=locked, action=AgreementEventAction.CHANGED
    )
    return locked


def _full_clean_rules(version: AgreementVersion) -> None:
    problems: dict[str, list[str]] = {}
    for rule in version.rules.select_related(
        "task_type",
        "section",
        "orders_organisation",
        "performs_organisation",
        "follows_up_organisation",
    ):
        rule.version = version
        try:
            rule.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for message in exc.messages:
                problems.setdefault("rules", []).append(
                    _("Rule for %(task)s: %(message)s") % {"task": rule.task_type.code, "message": message}
                )
    if problems:
        raise ValidationError(problems)


# The suffix of the provisional number a draft copied in the admin gets (``agreement_version_new_draft``
# callers); a version is never put in force under it, since cases cite the version by its number.
DRAFT_LABEL_SUFFIX = "-draft"


@transaction.atomic
def agreement_version_put_in_force(
    *, actor: Actor | None, version: AgreementVersion, expected_revision: int | None = None
) -> AgreementVersion:
    """Put a draft in force; the version it follows becomes superseded (and is not otherwise touched).

    A version that starts before a version already in force goes straight into history as superseded:
    that is how a region records an older agreement after the fact.
    """
    version = lock_version(version.pk, with_agreement=True)
    agreement = version.agreement
    _require_revision(version, expected_revision)
    _require_change(actor, agreement)
    _require_draft(version, _("Only a draft version can be put in force."))
    if version.version.endswith(DRAFT_LABEL_SUFFIX):
        raise ValidationError(
            {
                "version": _(
                    "Give the version its real version number before putting it in force: cases cite "
                    "the agreement by it."
                )
            }
        )
    agreement_parties_check(version=version, kommuner=list(version.kommuner.all()))
    version.full_clean()
    _full_clean_rules(version)

    others = AgreementVersion.objects.filter(agreement=agreement).exclude(pk=version.pk)
    others = others.exclude(status=AgreementStatus.DRAFT)
    if others.filter(valid_from=version.valid_from).exists():
        raise ValidationError(
            {"valid_from": _("Another version of this agreement already starts on that day.")}
        )
    version.supersedes = others.filter(valid_from__lt=version.valid_from).order_by("-valid_from").first()
    if others.filter(valid_from__gt=version.valid_from).exists():
        version.status = AgreementStatus.SUPERSEDED
    elif version.valid_from > timezone.localdate():
        # Proposals use the version before it until its first day (``agreement_versions_start``).
        version.status = AgreementStatus.SCHEDULED
    else:
        version.status = AgreementStatus.IN_FORCE
        supersede_earlier(actor=actor, version=version)
    version.revision += 1
    version.save(update_fields=["status", "supersedes", "revision", "updated_at"])
    touch(agreement)
    agreement_event_record(
        actor=actor,
        agreement=agreement,
        version=version,
        action=AgreementEventAction.PUT_IN_FORCE,
        detail={"status": version.status},
    )
    return version


def supersede_earlier(*, actor: Actor | None, version: AgreementVersion) -> None:
    """The versions in force before ``version`` (now in force) become superseded, each an event."""
    earlier = AgreementVersion.objects.filter(
        agreement_id=version.agreement_id,
        status=AgreementStatus.IN_FORCE,
        valid_from__lt=version.valid_from,
    ).exclude(pk=version.pk)
    for previous in earlier.select_for_update():
        previous.status = AgreementStatus.SUPERSEDED
        previous.revision += 1
        previous.save(update_fields=["status", "revision", "updated_at"])
        agreement_event_record(
            actor=actor,
            agreement=version.agreement,
            version=previous,
            action=AgreementEventAction.SUPERSEDED,
            detail={"by": str(version.public_id)},
        )


@transaction.atomic
def agreement_version_new_draft(
    *,
    actor: Actor | None,
    source: AgreementVersion,
    version: str,
    valid_from: datetime.date,
    title: str = "",
) -> AgreementVersion:
    """A new draft version with everything ``source`` says, to change and put in force later."""
    agreement = lock_agreement(source.agreement_id)
    _require_change(actor, agreement)
    draft = AgreementVersion(
        agreement=agreement,
        version=version,
        title=title or source.title,
        status=AgreementStatus.DRAFT,
        valid_from=valid_from,
        valid_to=None,
        covered_housing_settings=list(source.covered_housing_settings),
        deadline_day_kind=source.deadline_day_kind,
        review_deadline_days=source.review_deadline_days,
        approval_deadline_days=source.approval_deadline_days,
        urgent_review_deadline_days=source.urgent_review_deadline_days,
        urgent_approval_deadline_days=source.urgent_approval_deadline_days,
        auto_escalate_unanswered_review=source.auto_escalate_unanswered_review,
        **{name: getattr(source, name) for name in VERSION_SETTING_FIELDS},
    )
    draft.full_clean()
    draft.save()
    draft.kommuner.set(source.kommuner.all())
    sections: dict[int, Section] = {}
    for section in source.sections.order_by("position", "pk"):
        sections[section.pk] = Section.objects.create(
            version=draft,
            number=section.number,
            heading=section.heading,
            text=section.text,
            position=section.position,
        )
    if source.threshold_section_id is not None:
        draft.threshold_section = sections[source.threshold_section_id]
        draft.save(update_fields=["threshold_section"])
    LegalReference.objects.bulk_create(
        LegalReference(
            version=draft,
            section=sections.get(reference.section_id) if reference.section_id else None,
            law=reference.law,
            chapter=reference.chapter,
            paragraph=reference.paragraph,
            valid_from=reference.valid_from,
            note=reference.note,
        )
        for reference in source.legal_references.order_by("pk")
    )
    EscalationLevel.objects.bulk_create(
        EscalationLevel(
            version=draft,
            level=level.level,
            body_ref=level.body_ref,
            body_id=level.body_id,
            deadline_days=level.deadline_days,
            urgent_deadline_days=level.urgent_deadline_days,
            binding=level.binding,
            identity=level.identity or default_escalation_identity(level.level),
        )
        for level in source.escalation_levels.order_by("level")
    )
    copied_fields = [
        f.attname
        for f in ResponsibilityRule._meta.concrete_fields
        if f.attname not in {"id", "public_id", "version_id", "section_id", "revision"}
    ]
    ResponsibilityRule.objects.bulk_create(
        ResponsibilityRule(
            version=draft,
            section=sections[rule.section_id],
            **{name: getattr(rule, name) for name in copied_fields},
        )
        for rule in source.rules.order_by("pk")
    )
    RiskTemplate.objects.bulk_create(
        RiskTemplate(version=draft, task_type_id=t.task_type_id, hazards=t.hazards)
        for t in source.risk_templates.order_by("pk")
    )
    touch(agreement)
    agreement_event_record(
        actor=actor,
        agreement=agreement,
        version=draft,
        action=AgreementEventAction.DRAFT_CREATED,
        detail={"from": str(source.public_id)},
    )
    return draft


# --- Parts of a draft version: sections, rules, legal references, the escalation ladder -------------

_Part = TypeVar("_Part", Section, ResponsibilityRule, LegalReference, EscalationLevel)


def _shown_by_version(version: AgreementVersion, part: models.Model) -> bool:
    """Whether the version's own representation shows the part (so the version's ETag must change)."""
    if isinstance(part, LegalReference | EscalationLevel):
        return True
    if isinstance(part, Section):
        return version.threshold_section_id == part.pk or part.legal_references.exists()
    return False


def _part_write(
    *,
    actor: Actor | None,
    part: _Part,
    changes: Mapping[str, Any] | None,
    expected_revision: int | None,
    moved: str,
    action: str,
    detail: Callable[[_Part], dict[str, Any]],
) -> _Part:
    """Create ``part`` (``changes`` is None) or change the stored one, in its locked draft version."""
    version = lock_version(part.version_id)
    if changes is None:
        row = part
    else:
        row = type(part).objects.select_for_update().get(pk=part.pk)
        if isinstance(row, Section | ResponsibilityRule):
            _require_revision(row, expected_revision)
    _require_change(actor, version.agreement)
    _require_draft(version)
    if changes is not None:
        changes = _without_move(changes, "version", version.pk, moved)
        if not changes:
            return row
        _apply(row, changes, fixed=frozenset({"version"}))
    row.version = version
    if isinstance(row, Section | ResponsibilityRule) and changes is not None:
        row.revision += 1
    row.full_clean()
    row.save()
    if _shown_by_version(version, row):
        touch(version)
    agreement_event_record(
        actor=actor, agreement=version.agreement, version=version, action=action, detail=detail(row)
    )
    return row


def _part_delete(
    *,
    actor: Actor | None,
    part: _Part,
    expected_revision: int | None,
    action: str,
    detail: Callable[[_Part], dict[str, Any]],
    refuse: Callable[[AgreementVersion, _Part], None] | None = None,
    protected: str = "",
) -> None:
    version = lock_version(part.version_id)
    row = type(part).objects.select_for_update().get(pk=part.pk)
    if isinstance(row, Section | ResponsibilityRule):
        _require_revision(row, expected_revision)
    _require_change(actor, version.agreement)
    _require_draft(version)
    if refuse is not None:
        refuse(version, row)
    shown = _shown_by_version(version, row)
    described = detail(row)
    try:
        with transaction.atomic():
            row.delete()
    except ProtectedError:
        raise ValidationError(
            protected or _("Other records refer to this; change them first."), code="protected"
        ) from None
    if shown:
        touch(version)
    agreement_event_record(
        actor=actor, agreement=version.agreement, version=version, action=action, detail=described
    )


def _section_detail(section: Section) -> dict[str, Any]:
    return {"section": section.number}


def _rule_detail(rule: ResponsibilityRule) -> dict[str, Any]:
    return {"rule": str(rule.public_id), "task": rule.task_type.code}


def _reference_detail(reference: LegalReference) -> dict[str, Any]:
    return {"legal_reference": reference.citation}


def _level_detail(level: EscalationLevel) -> dict[str, Any]:
    return {"escalation_level": level.level}


def _deleted(detail: Callable[[_Part], dict[str, Any]]) -> Callable[[_Part], dict[str, Any]]:
    return lambda part: {**detail(part), "deleted": True}


def _refuse_threshold_section(version: AgreementVersion, section: Section) -> None:
    if version.threshold_section_id == section.pk:
        raise ValidationError(_("The version cites this section for tröskelprincipen."))


@transaction.atomic
def section_create(*, actor: Actor | None, section: Section) -> Section:
    return _part_write(
        actor=actor,
        part=section,
        changes=None,
        expected_revision=None,
        moved=_("A section cannot move to another version."),
        action=AgreementEventAction.SECTION_SAVED,
        detail=_section_detail,
    )


@transaction.atomic
def section_change(
    *,
    actor: Actor | None,
    section: Section,
    changes: Mapping[str, Any],
    expected_revision: int | None = None,
) -> Section:
    return _part_write(
        actor=actor,
        part=section,
        changes=changes,
        expected_revision=expected_revision,
        moved=_("A section cannot move to another version."),
        action=AgreementEventAction.SECTION_SAVED,
        detail=_section_detail,
    )


@transaction.atomic
def section_delete(*, actor: Actor | None, section: Section, expected_revision: int | None = None) -> None:
    """Delete a section no rule cites, and not the one the version cites for tröskelprincipen."""
    _part_delete(
        actor=actor,
        part=section,
        expected_revision=expected_revision,
        action=AgreementEventAction.SECTION_DELETED,
        detail=_section_detail,
        refuse=_refuse_threshold_section,
        protected=_("Rules cite this section; change or delete them first."),
    )


@transaction.atomic
def rule_create(*, actor: Actor | None, rule: ResponsibilityRule) -> ResponsibilityRule:
    """Add a rule to a draft version; the law's hard rules are checked in ``clean()``."""
    return _part_write(
        actor=actor,
        part=rule,
        changes=None,
        expected_revision=None,
        moved=_("A rule cannot move to another version."),
        action=AgreementEventAction.RULE_SAVED,
        detail=_rule_detail,
    )


@transaction.atomic
def rule_change(
    *,
    actor: Actor | None,
    rule: ResponsibilityRule,
    changes: Mapping[str, Any],
    expected_revision: int | None = None,
) -> ResponsibilityRule:
    """Change a rule of a draft version; the law's hard rules are checked in ``clean()``."""
    return _part_write(
        actor=actor,
        part=rule,
        changes=changes,
        expected_revision=expected_revision,
        moved=_("A rule cannot move to another version."),
        action=AgreementEventAction.RULE_SAVED,
        detail=_rule_detail,
    )


@transaction.atomic
def rule_delete(
    *, actor: Actor | None, rule: ResponsibilityRule, expected_revision: int | None = None
) -> None:
    _part_delete(
        actor=actor,
        part=rule,
        expected_revision=expected_revision,
        action=AgreementEventAction.RULE_DELETED,
        detail=_rule_detail,
    )


# Legal references and the escalation ladder are parts of the version's own text: a change is the
# version's "changed" event, naming the part.


@transaction.atomic
def legal_reference_save(
    *, actor: Actor | None, reference: LegalReference, changes: Mapping[str, Any] | None = None
) -> LegalReference:
    """Add ``reference`` (``changes`` None) or change the stored one."""
    return _part_write(
        actor=actor,
        part=reference,
        changes=changes,
        expected_revision=None,
        moved=_("A part of an agreement version cannot move to another version."),
        action=AgreementEventAction.CHANGED,
        detail=_reference_detail,
    )


@transaction.atomic
def legal_reference_delete(*, actor: Actor | None, reference: LegalReference) -> None:
    _part_delete(
        actor=actor,
        part=reference,
        expected_revision=None,
        action=AgreementEventAction.CHANGED,
        detail=_deleted(_reference_detail),
    )


@transaction.atomic
def escalation_level_save(
    *, actor: Actor | None, level: EscalationLevel, changes: Mapping[str, Any] | None = None
) -> EscalationLevel:
    """Add ``level`` (``changes`` None) or change the stored one."""
    return _part_write(
        actor=actor,
        part=level,
        changes=changes,
        expected_revision=None,
        moved=_("A part of an agreement version cannot move to another version."),
        action=AgreementEventAction.CHANGED,
        detail=_level_detail,
    )


@transaction.atomic
def escalation_level_delete(*, actor: Actor | None, level: EscalationLevel) -> None:
    _part_delete(
        actor=actor,
        part=level,
        expected_revision=None,
        action=AgreementEventAction.CHANGED,
        detail=_deleted(_level_detail),
    )


# --- The task catalogue ----------------------------------------------------------------------------


def _require_task_types(actor: Actor | None) -> None:
    if actor is not None and not can_change_task_types(actor):
        raise NotPermitted(_("Only a region administrator may change the task catalogue."))


@transaction.atomic
def care_task_type_create(*, actor: Actor | None, task_type: CareTaskType) -> CareTaskType:
    """Add to the shared catalogue."""
    _require_task_types(actor)
    task_type.full_clean()
    task_type.save()
    return task_type


@transaction.atomic
def care_task_type_change(
    *,
    actor: Actor | None,
    task_type: CareTaskType,
    changes: Mapping[str, Any],
    expected_revision: int | None = None,
) -> CareTaskType:
    """Correct the shared catalogue; ``clean()`` refuses a kind that breaks a rule of any agreement."""
    locked = CareTaskType.objects.select_for_update().get(pk=task_type.pk)
    _require_revision(locked, expected_revision)
    _require_task_types(actor)
    if not changes:
        return locked
    _apply(locked, changes)
    locked.revision += 1
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def care_task_type_delete(*, actor: Actor | None, task_type: CareTaskType) -> None:
    """Remove a task type no rule and no case names (one in use is retired with ``is_active`` instead)."""
    _require_task_types(actor)
    try:
        with transaction.atomic():
            CareTaskType.objects.filter(pk=task_type.pk).delete()
    except ProtectedError:
        raise ValidationError(
            _("Rules or cases name this task type; mark it as not in use instead."), code="protected"
        ) from None


__all__ = [
    "agreement_change",
    "agreement_create",
    "agreement_event_record",
    "agreement_parties_check",
    "agreement_version_change",
    "agreement_version_create",
    "agreement_version_new_draft",
    "agreement_version_put_in_force",
    "care_task_type_change",
    "care_task_type_create",
    "care_task_type_delete",
    "escalation_level_delete",
    "escalation_level_save",
    "legal_reference_delete",
    "legal_reference_save",
    "lock_agreement",
    "lock_version",
    "require_change_of_region",
    "rule_change",
    "rule_create",
    "rule_delete",
    "section_change",
    "section_create",
    "section_delete",
    "touch",
]
