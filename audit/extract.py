"""The patient's log extract (PDL 8 kap. 5 §): which units accessed the patient's data, and when.

Who may produce it: the patient's care providers, through the people who answer for the log —
MAS, MAR and coordinators of a kommun where the patient is folkbokförd or has (had) an enrolment;
coordinators of the patient's listed vårdcentral; and coordinators of the region the patient's kommun
belongs to. Someone else who may see the patient gets 403; someone who may not even see them gets 404,
and the attempt is a denied row in the access log.

The extract names units (organisation), role and time, what kind of record and what was done, and
marks emergency access (nödåtkomst). It does not name individual staff: the right is to know which
units accessed the data, and when; names are given on request after a separate assessment. Nor does it
show the reason given for an emergency access: free text written in a care situation, often about the
patient's health, which those who produce and hand out the extract (coordinators without a care
relationship) have no call to read; the MAS's review shows it. Only granted accesses are listed (a
denied attempt read nothing).

The extract names its period on ``at``, the access log's partition key, so PostgreSQL reads only the
months it spans (``extract_period``): from the patient's registration to the time it was produced.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.patients import granting_membership, patient_facts
from directory.actor import Actor
from directory.models import Membership, OrganisationKind, Role
from patients.models import Enrolment, Patient

from .models import AccessLogEntry, AccessLogExtract, Action, Outcome, Purpose
from .records import RECORD_EXTRACT, record_type_label
from .services import Access, access_log_record


def extract_membership(actor: Actor, patient: Patient) -> Membership | None:
    """The membership through which ``actor`` may produce ``patient``'s extract, or None."""
    kommuner = {patient.folkbokforing_kommun_id} | set(
        Enrolment.objects.filter(patient=patient).values_list("kommun_id", flat=True)
    )
    region_id = patient.folkbokforing_kommun.region_id
    for membership in actor.memberships:
        org = membership.organisation
        if (
            org.kind == OrganisationKind.KOMMUN
            and org.pk in kommuner
            and membership.role
            in (
                Role.MAS,
                Role.MAR,
                Role.COORDINATOR,
            )
        ):
            return membership
        if (
            org.kind == OrganisationKind.VARDCENTRAL
            and org.pk == patient.listed_vardcentral_id
            and membership.role == Role.COORDINATOR
        ):
            return membership
        if (
            org.kind == OrganisationKind.REGION
            and org.pk == region_id
            and membership.role == Role.COORDINATOR
        ):
            return membership
    return None


def _patient(public_id: uuid.UUID | str) -> Patient:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404(_("No patient found.")) from None
    patient = Patient.objects.select_related("folkbokforing_kommun").filter(public_id=key).first()
    if patient is None:
        raise Http404(_("No patient found."))
    return patient


def _check(actor: Actor, patient: Patient, *, record_id: str, action: str) -> Membership:
    membership = extract_membership(actor, patient)
    if membership is None:
        if granting_membership(actor, patient_facts(patient)) is not None:
            raise PermissionDenied(_("Only MAS, MAR and coordinators produce a patient's log extract."))
        # Someone who may not even see the patient: a denied attempt on the patient's record, logged
        # like every other (the access-log review flags it).
        access_log_record(
            actor=actor,
            accesses=[Access(patient_id=patient.pk, record_type=RECORD_EXTRACT, record_id=record_id)],
            action=action,
            outcome=Outcome.DENIED,
            purpose=Purpose.NONE,
        )
        raise Http404(_("No patient found."))
    return membership


# A day's margin either side of the period: the database sets an entry's time and the application the
# patient's registration and the extract's, and the registration is logged in its own transaction.
CLOCK_MARGIN = datetime.timedelta(days=1)


def extract_period(patient: Patient, until: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The period an extract of ``patient`` produced at ``until`` reads, end exclusive.

    Every entry about a patient refers to the patient's row (a foreign key), so none is older than
    the patient's registration. The period only lets PostgreSQL skip the months outside it; which
    entries the extract holds is fixed by ``AccessLogExtract.up_to_entry_id``.
    """
    return patient.created_at - CLOCK_MARGIN, until + CLOCK_MARGIN


def log_extract_create(*, actor: Actor, patient_public_id: uuid.UUID | str) -> AccessLogExtract:
    patient = _patient(patient_public_id)
    membership = _check(actor, patient, record_id="", action=Action.CREATE)
    start, end = extract_period(patient, timezone.now())
    last = (
        AccessLogEntry.objects.filter(patient=patient, at__gte=start, at__lt=end).aggregate(last=Max("pk"))[
            "last"
        ]
        or 0
    )
    extract = AccessLogExtract.objects.create(
        patient=patient, requested_by=actor.user, organisation=membership.organisation, up_to_entry_id=last
    )
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=patient.pk,
                record_type=RECORD_EXTRACT,
                record_id=str(extract.public_id),
                membership=membership,
            )
        ],
        action=Action.CREATE,
    )
    return extract


def log_extract_get(*, actor: Actor, public_id: uuid.UUID | str, log: bool = True) -> AccessLogExtract:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404(_("No such extract.")) from None
    extract = (
        AccessLogExtract.objects.select_related("patient__folkbokforing_kommun", "organisation")
        .filter(public_id=key)
        .first()
    )
    if extract is None:
        raise Http404(_("No such extract."))
    membership = _check(actor, extract.patient, record_id=str(extract.public_id), action=Action.READ)
    if log:
        access_log_record(
            actor=actor,
            accesses=[
                Access(
                    patient_id=extract.patient_id,
                    record_type=RECORD_EXTRACT,
                    record_id=str(extract.public_id),
                    membership=membership,
                )
            ],
            action=Action.READ,
        )
    return extract


# Repeated accesses by one person to the same kind of record, in the same way, within this time of
# the first of them are one row of the extract (from, to, how many times): a nurse paging through a
# patient's case reads it dozens of times in minutes, which said nothing more as 169 rows.
GROUP_WINDOW = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class ExtractRow:
    at: datetime.datetime
    unit: str
    role: str
    record_type: str
    action: str
    emergency: bool
    # The last access of a group of repeated ones (``GROUP_WINDOW``) and how many there were.
    until: datetime.datetime | None = None
    count: int = 1


def log_extract_rows(extract: AccessLogExtract) -> list[ExtractRow]:
    from directory.models import Role as RoleChoices

    # Only the columns the extract shows: the emergency reason is never read (module docstring).
    start, end = extract_period(extract.patient, extract.created_at)
    entries = (
        AccessLogEntry.objects.filter(
            patient_id=extract.patient_id,
            at__gte=start,
            at__lt=end,
            pk__lte=extract.up_to_entry_id,
            outcome=Outcome.GRANTED,
        )
        .only("at", "user_id", "api_client", "organisation_label", "role", "record_type", "action", "purpose")
        .order_by("at", "pk")
    )
    rows: list[ExtractRow] = []
    # The open group of each person and kind of access: its row's index.
    groups: dict[tuple[object, ...], int] = {}
    for entry in entries:
        emergency = entry.purpose == Purpose.EMERGENCY_ACCESS
        key: tuple[object, ...] = (entry.user_id, entry.api_client, entry.organisation_label, entry.role)
        key += (entry.record_type, entry.action, emergency)
        index = groups.get(key)
        if index is not None and entry.at - rows[index].at <= GROUP_WINDOW:
            grouped = rows[index]
            rows[index] = dataclasses.replace(grouped, until=entry.at, count=grouped.count + 1)
            continue
        groups[key] = len(rows)
        try:
            role = str(RoleChoices(entry.role).label) if entry.role else ""
        except ValueError:
            role = entry.role
        rows.append(
            ExtractRow(
                at=entry.at,
                unit=entry.organisation_label or "–",
                role=role,
                record_type=record_type_label(entry.record_type),
                action=str(Action(entry.action).label) if entry.action in Action.values else entry.action,
                emergency=emergency,
            )
        )
    return rows
