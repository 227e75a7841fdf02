"""The answer that carries one case: as the acting person may see it (their actions, the legal basis's
rule for their organisation) with its ETag. Every operation that answers a case answers it through here,
so no path shows a case as its opener sees it to someone else."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from access.legal_basis import sharing_for
from directory.actor import Actor
from hemsjukvard.api.concurrency import etag_for

from .. import selectors
from ..models import ResponsibilityCase
from ..policies import allowed_actions
from .serializers import case_representation


def case_response(
    actor: Actor, case: ResponsibilityCase, *, status_code: int = status.HTTP_200_OK, reload: bool = True
) -> Response:
    """The case as the answer to a read (``reload=False``: as just read) or to a write (as stored now)."""
    fresh = selectors.case_reload(case=case) if reload else case
    fresh.allowed_actions = allowed_actions(actor, fresh, selectors.case_facts(fresh))  # type: ignore[attr-defined]
    fresh.sharing = sharing_for(actor, fresh)  # type: ignore[attr-defined]
    response = Response(case_representation(fresh), status=status_code)
    response["ETag"] = etag_for(fresh, version=fresh.version)
    return response
