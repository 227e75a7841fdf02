"""The law's hard rules on every path that sets a task's responsible parties.

A reviewer accepting with a split of their own, a party stating the split it proposes, and a joint body
deciding an escalated case all name who orders, performs and follows up a task. Each goes through
``split_check``, which asks ``agreements.hard_rules`` (the same rule the agreement's rules, the admin,
the API and the import obey) and refuses with the task named, under the request's own field (``tasks``,
``positions`` or ``splits``), before anything is written. The law's own exception, the kommun engaging
a physician at the region's expense, passes when it is recorded with a note.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.choices import HardRuleCode
from agreements.hard_rules import HardRuleRef, split_violations
from agreements.models import HardRule
from directory.models import Organisation

from ..models import CaseTask

_PART_LABELS = {
    "orders": gettext_lazy("orders"),
    "performs": gettext_lazy("performs"),
    "follows_up": gettext_lazy("follows up"),
    "arrangement": gettext_lazy("arrangement"),
    "arrangement_note": gettext_lazy("arrangement: note"),
}


def physician_rule_on(day: datetime.date) -> HardRuleRef | None:
    """The law's physician rule as in force on ``day`` (dated data, ``agreements.models.HardRule``)."""
    return HardRule.objects.in_force(HardRuleCode.PHYSICIAN_CARE_NOT_KOMMUN, day)


def split_check(
    *,
    task: CaseTask,
    orders: Organisation | None,
    performs: Organisation | None,
    follows_up: Organisation | None,
    arrangement: str,
    arrangement_note: str,
    field: str,
    physician_rule: HardRuleRef | None,
) -> None:
    """Refuse (``ValidationError`` under ``field``) a split that the law's hard rules do not allow."""
    problems = split_violations(
        task_kind=task.task_type.kind,
        organisation_kinds={
            "orders": orders.kind if orders is not None else None,
            "performs": performs.kind if performs is not None else None,
            "follows_up": follows_up.kind if follows_up is not None else None,
        },
        physician_rule=physician_rule,
        arrangement=arrangement,
        arrangement_note=arrangement_note,
    )
    if problems:
        raise ValidationError(
            {
                field: [
                    _("%(task)s, %(part)s: %(message)s")
                    % {"task": task.task_type, "part": _PART_LABELS[part], "message": message}
                    for part, messages in problems.items()
                    for message in messages
                ]
            }
        )


def arrangement_payload(arrangement: str, note: str) -> dict[str, str]:
    """The arrangement as the timeline records it, only where one is made."""
    return {"arrangement": arrangement, "arrangement_note": note} if arrangement else {}
