"""The follow-up cycle, withdrawal and comments."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from competence.rules import missing_training
from directory.actor import Actor

from ..models import (
    Closure,
    EventKind,
    ResponsibilityCase,
)
from ..transitions import A
from .core import S, _authorise, _lock, _move, _record, _save

# --- Simple moves, withdrawal and comments ----------------------------------------------------------

SIMPLE_MOVES = {
    A.ACTIVATE: S.ACTIVE,
    A.START_FOLLOW_UP: S.FOLLOW_UP,
    A.RESUME: S.ACTIVE,
    A.CLOSE: S.CLOSED,
}


@transaction.atomic
def case_move(
    *, actor: Actor, case: ResponsibilityCase, expected_version: int | None, action: str, reason: str = ""
) -> ResponsibilityCase:
    """The follow-up cycle: ``activate``, ``start_follow_up``, ``resume`` and ``close``.

    The agreed care does not start (``activate``) while a task the kommun performs needs a competence
    transfer that is not recorded and in force (the agreement's training condition, ``competence.rules``).
    """
    if action not in SIMPLE_MOVES:
        raise ValueError(f"{action} is not a simple move")
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, action)
    if action == A.ACTIVATE:
        missing = missing_training(case, on=timezone.localdate())
        if missing:
            raise ValidationError({"training": missing})
    if action == A.CLOSE:
        case.closure = Closure.COMPLETED
    _move(actor, case, to_status=SIMPLE_MOVES[action], action=action, membership=membership, reason=reason)
    _save(actor, case, membership=membership)
    return case


@transaction.atomic
def case_withdraw(
    *, actor: Actor, case: ResponsibilityCase, expected_version: int | None, reason: str
) -> ResponsibilityCase:
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.WITHDRAW)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is withdrawn.")})
    case.closure = Closure.WITHDRAWN
    _move(
        actor,
        case,
        to_status=S.CLOSED,
        action=A.WITHDRAW,
        membership=membership,
        kind=EventKind.WITHDRAWN,
        reason=reason,
    )
    _save(actor, case, membership=membership)
    return case


@transaction.atomic
def case_comment(
    *, actor: Actor, case: ResponsibilityCase, expected_version: int | None, text: str
) -> ResponsibilityCase:
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.COMMENT)
    if not text.strip():
        raise ValidationError({"text": _("Write the comment.")})
    _record(
        actor,
        case,
        kind=EventKind.COMMENT,
        action=A.COMMENT,
        membership=membership,
        from_status=case.status,
        to_status=case.status,
        reason=text,
    )
    _save(actor, case, membership=membership)
    return case
