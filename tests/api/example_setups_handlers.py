"""The request examples of a case's handlers and the teams that take cases (see ``example_setups``)."""

from __future__ import annotations

from assignments import services as assign_services
from cases.models import OPEN_STATUSES, ResponsibilityCase
from demo.people import TEAM_NAME
from directory.actor import Actor
from directory.models import Team, User

from .example_setups import Prepared, Setup
from .examples_world import KOMMUN, ExampleWorld, as_user, kommun_nurse


def _open_varberg_case() -> ResponsibilityCase:
    """An open case of Varbergs kommun that nobody in particular handles yet."""
    case = (
        ResponsibilityCase.objects.filter(
            kommun__name=KOMMUN, status__in=OPEN_STATUSES, assignments__isnull=True
        )
        .order_by("pk")
        .first()
    )
    assert case is not None, "the demo world has no open case of Varbergs kommun"
    return case


def cases_handler_create(w: ExampleWorld) -> Prepared:
    """Varberg's nurse hands an open case of the kommun to her colleague ``nurse2.varberg``."""
    nurse, case = kommun_nurse(), _open_varberg_case()
    return Prepared(
        nurse,
        path_params={"id": case.public_id},
        ids={"assignee": User.objects.get(username="nurse2.varberg").public_id},
        headers={"If-Match": w.etag(nurse, "cases_retrieve", case.public_id)},
    )


def cases_handler_release_create(w: ExampleWorld) -> Prepared:
    """Varberg's nurse, back from holiday, hands back a case she had taken (taken first, through the
    services)."""
    nurse, case = kommun_nurse(), _open_varberg_case()
    user = User.objects.get(username="nurse.varberg")
    assign_services.case_assign(actor=Actor.for_user(user), case=case, assignee=user)
    return Prepared(
        nurse,
        path_params={"id": case.public_id},
        headers={"If-Match": w.etag(nurse, "cases_retrieve", case.public_id)},
    )


def teams_create(w: ExampleWorld) -> Prepared:
    """Varberg's coordinator makes a team of the kommun."""
    return Prepared(as_user("coordinator.varberg"))


def teams_partial_update(w: ExampleWorld) -> Prepared:
    """Varberg's coordinator changes the kommun's demo team."""
    team = Team.objects.get(organisation__name=KOMMUN, name=TEAM_NAME)
    return Prepared(as_user("coordinator.varberg"), path_params={"id": team.public_id})


HANDLER_SETUPS: dict[str, Setup] = {
    "cases_handler_create": cases_handler_create,
    "cases_handler_release_create": cases_handler_release_create,
    "teams_create": teams_create,
    "teams_partial_update": teams_partial_update,
}
