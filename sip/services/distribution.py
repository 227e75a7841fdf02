"""Who received the plan: the record of each copy handed over or sent (to the person, their representative
or a participant; by hand, by post, by e-mail or through 1177), when and by whom.

The product sends nothing: the record says what a person did, so that the plan shows who has it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.actor import Actor

from ..models import (
    DistributionMethod,
    RecipientKind,
    Sip,
    SipDistribution,
    SipEventKind,
    SipVersion,
    VersionStatus,
)
from ..policies import SipAction
from .common import _authorise, _event, _lock, _save


@transaction.atomic
def sip_record_distribution(
    *,
    actor: Actor,
    sip: Sip,
    expected_revision: int | None,
    recipient_kind: str,
    recipient_name: str,
    method: str,
    given_on: datetime.date,
    version_number: int | None = None,
) -> SipDistribution:
    """Record that a finalised version of the plan was handed over or sent to someone.

    ``version_number`` defaults to the latest finalised version; a draft is never handed out.
    """
    sip = _lock(sip, expected_revision)
    membership = _authorise(actor, sip, SipAction.RECORD_DISTRIBUTION)
    errors: dict[str, list[str]] = {}
    if recipient_kind not in RecipientKind.values:
        errors["recipient_kind"] = [
            _("Say whether the person, their representative or a participant received the plan.")
        ]
    if not recipient_name.strip():
        errors["recipient_name"] = [_("Give the name of who received the plan.")]
    if method not in DistributionMethod.values:
        errors["method"] = [_("Say how the plan was given: by hand, by post, by e-mail or through 1177.")]
    if given_on > timezone.localdate():
        errors["given_on"] = [_("The date cannot be in the future.")]
    finalised = SipVersion.objects.filter(sip=sip, status=VersionStatus.FINALISED)
    version = (
        finalised.filter(number=version_number).first()
        if version_number is not None
        else finalised.order_by("-number").first()
    )
    if version is None:
        errors["version"] = [_("Only a finalised version of the plan can be handed out.")]
    if errors:
        raise ValidationError(errors)
    assert version is not None
    row = SipDistribution.objects.create(
        sip=sip,
        version=version,
        recipient_kind=recipient_kind,
        recipient_name=recipient_name.strip(),
        method=method,
        given_on=given_on,
        given_by=actor.user,
        organisation=membership.organisation,
    )
    _event(
        actor,
        sip,
        membership,
        SipEventKind.DISTRIBUTED,
        version=version,
        payload={"recipient_kind": recipient_kind, "method": method, "given_on": given_on.isoformat()},
    )
    _save(actor, sip, membership)
    return row
