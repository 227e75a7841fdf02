"""The access-log review: which entries a care provider reviews, the flags, reviews and exports.

**The provider's entries** (``audit.providers``): each care provider reviews the reads of its own
staff — MAS and MAR a kommun's, the log reviewer the region's and its units' — including their *denied*
attempts, which carry no organisation. Every query names the period on ``at``, the access log's
partition key, so PostgreSQL reads only the months the period touches.

**Flags.**

* ``no_care_relationship`` — the read was denied, or made without a care relationship (purpose none);
* ``emergency_access`` — nödåtkomst; always flagged;
* ``protected_identity`` — a read of a patient with skyddad identitet;
* ``unusual_volume`` — on that local day the user read (action ``read``) more distinct patients than
  their peers: more than the 95th percentile *and* more than three times the median of the peers, and
  at least ``VOLUME_FLOOR`` patients. Peers are the other users who read patients in the same role in
  the provider's entries that day; with fewer than ``MIN_PEERS`` peers there is no basis and no flag.
  Daily counts come from one aggregate query; the percentiles are taken in Python over one value per
  user and day, which stays small for any period the page allows.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.actor import Actor
from directory.models import Role
from hemsjukvard.db_router import read_alias
from hemsjukvard.limits import TEXT_MAX_LENGTH
from hemsjukvard.stats import percentile_cont
from patients.models import Patient
from patients.personnummer import is_reservnummer, parse_identity, reservnummer_normalised

from .models import AccessLogEntry, AccessLogReview, AccessLogSampleItem, Action, Outcome, Purpose
from .providers import ReviewContext, provider_entries_q, review_provider_get
from .records import RECORD_LOG_ENTRY, RECORD_REVIEW
from .services import Access, access_log_record

MIN_PEERS = 4
VOLUME_FLOOR = 10
MAX_PERIOD_DAYS = 92
# A review's note is free text (``AccessLogReview.note``): the kernel's bound for free text.
NOTE_MAX_LENGTH = TEXT_MAX_LENGTH
FLAG_NAMES = ("no_care_relationship", "emergency_access", "protected_identity", "unusual_volume")


def _tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


FLAG_QS = {
    "no_care_relationship": Q(outcome=Outcome.DENIED) | Q(purpose=Purpose.NONE),
    "emergency_access": Q(purpose=Purpose.EMERGENCY_ACCESS),
    "protected_identity": Q(patient__protected_identity=True, action=Action.READ),
}


def _flag_filter_q(name: str) -> Q:
    """``FLAG_QS[name]`` as a filter over a period: the same condition, with the protected patients as a
    list computed once instead of a join of every entry to its patient (the rows shown are joined
    anyway) or a subquery rebuilt for every month's partition."""
    if name == "protected_identity":
        protected = Patient.objects.filter(protected_identity=True).values_list("pk", flat=True)
        return Q(patient_id__id_in=list(protected), action=Action.READ)
    return FLAG_QS[name]


@dataclass(frozen=True)
class ReviewFilters:
    start: datetime.date
    end: datetime.date
    user: str = ""
    # The patient, by one of: the full id; the first eight characters of it, as the page shows them;
    # the identity number (personnummer, samordningsnummer or reservnummer, as stored). See
    # ``review_filters_parse`` and ``_patient_ids``.
    patient: uuid.UUID | None = None
    patient_short_id: str = ""
    patient_identity: str = ""
    record_type: str = ""
    action: str = ""
    flag: str = ""  # "", "any" or one of FLAG_NAMES
    unreviewed: bool = False
    sampled: bool = False

    @property
    def start_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(), tzinfo=_tz())

    @property
    def end_before(self) -> datetime.datetime:
        return datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(), tzinfo=_tz())


@contextlib.contextmanager
def review_queries() -> Iterator[None]:
    """Run the review's queries (count, flags, page, export, weekly sample) in one transaction, without
    PostgreSQL's JIT compilation.

    A quarter of the country's log is 1.8 M index entries, so the planner's cost passes the JIT
    threshold and each query spent 0.3–0.4 s compiling before it read a row, more than the 7-day
    count itself takes (audit/README.md, "The review at national scale"). ``SET LOCAL`` holds for this
    transaction only, so the pooled connection keeps the server's setting. On the read replica when
    the page reads from it (``hemsjukvard.db_router``).
    """
    alias = read_alias()
    with transaction.atomic(using=alias):
        if connections[alias].vendor == "postgresql":  # the quick start's SQLite has no JIT to turn off
            with connections[alias].cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


# The first eight characters of a patient's id, as the review page shows them after the name.
_SHORT_ID = re.compile(r"^[0-9a-f]{8}$")
# A personnummer or samordningsnummer as typed: ten or twelve digits, a dash or plus optional.
_NUMBER = re.compile(r"^\d{6,8}[-+]?\d{4}$")
PATIENT_FILTER_MAX = 64


def _patient_parse(value: str) -> tuple[uuid.UUID | None, str, str, str]:
    """The patient filter as typed: (full id, short id, identity number, what is wrong with it).

    A name is not a filter: the review shows what the reviewer's staff read, and the entries of one
    patient are found by the number or the id. An invalid number says why, as the patient search does.
    """
    value = value.strip()
    if not value:
        return None, "", "", ""
    invalid = _(
        "Give the patient's personnummer, samordningsnummer, reservnummer or id "
        "(the eight characters shown after the name are enough)."
    )
    if len(value) > PATIENT_FILTER_MAX:
        return None, "", "", invalid
    try:
        return uuid.UUID(value), "", "", ""
    except ValueError:
        pass
    compact = value.replace(" ", "")
    if is_reservnummer(compact):
        return None, "", reservnummer_normalised(compact), ""
    if _SHORT_ID.match(compact.lower()):
        return None, compact.lower(), "", ""
    if _NUMBER.match(compact):
        try:
            return None, "", parse_identity(compact).digits, ""
        except ValidationError as error:
            return None, "", "", str(error.messages[0])
    return None, "", "", invalid


def _patient_ids(filters: ReviewFilters) -> list[int] | None:
    """The patients the filter names, as ids for the log's query; None without a patient filter.

    Only the provider's entries are ever shown, so a number or id of a patient the reviewer's staff
    never read finds nothing, exactly as a number nobody has: the lookup tells nothing about who is in
    the register. A patient with skyddad identitet is never found by the identity number (the page
    masks it): only by the id the page shows for them.
    """
    if filters.patient is not None:
        patients = Patient.objects.filter(public_id=filters.patient)
    elif filters.patient_short_id:
        # A range of the unique index on the id rather than a text match on every patient.
        low = uuid.UUID(filters.patient_short_id + "0" * 24)
        high = uuid.UUID(filters.patient_short_id + "f" * 24)
        patients = Patient.objects.filter(public_id__gte=low, public_id__lte=high)
    elif filters.patient_identity:
        patients = Patient.objects.filter(
            personal_identity=filters.patient_identity, protected_identity=False
        )
    else:
        return None
    return list(patients.values_list("pk", flat=True))


def review_filters_parse(params: dict[str, str], *, today: datetime.date | None = None) -> ReviewFilters:
    today = today or timezone.localdate()
    errors: dict[str, str] = {}

    def day(name: str, default: datetime.date) -> datetime.date:
        value = params.get(name) or ""
        if not value:
            return default
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            errors[name] = _("Give a date as YYYY-MM-DD.")
            return default

    end = day("to", today)
    start = day("from", end - datetime.timedelta(days=6))
    if not errors and start > end:
        errors["from"] = _("The period must start before it ends.")
    if not errors and (end - start).days >= MAX_PERIOD_DAYS:
        errors["from"] = _("Review at most %(days)d days at a time.") % {"days": MAX_PERIOD_DAYS}
    patient, short_id, identity, problem = _patient_parse(params.get("patient") or "")
    if problem:
        errors["patient"] = problem
    flag = params.get("flag") or ""
    if flag and flag != "any" and flag not in FLAG_NAMES:
        errors["flag"] = _("Choose one of the offered flags.")
    if errors:
        raise ValidationError(errors)
    return ReviewFilters(
        start=start,
        end=end,
        user=(params.get("user") or "").strip(),
        patient=patient,
        patient_short_id=short_id,
        patient_identity=identity,
        record_type=(params.get("record_type") or "").strip(),
        action=(params.get("action") or "").strip(),
        flag=flag,
        unreviewed=params.get("unreviewed") in ("1", "on", "true"),
        sampled=params.get("sampled") in ("1", "on", "true"),
    )


def unusual_volume(*, entries: QuerySet[AccessLogEntry]) -> set[tuple[int, datetime.date]]:
    """(user id, local day) pairs whose distinct-patient reads stand out from their peers' that day."""
    daily = (
        entries.filter(action=Action.READ, user__isnull=False, patient__isnull=False)
        .exclude(role="")
        .annotate(day=TruncDate("at", tzinfo=_tz()))
        .values("user_id", "role", "day")
        .annotate(patients=Count("patient", distinct=True))
    )
    groups: dict[tuple[str, datetime.date], dict[int, int]] = defaultdict(dict)
    for row in daily:
        groups[(row["role"], row["day"])][row["user_id"]] = int(row["patients"])
    flagged: set[tuple[int, datetime.date]] = set()
    for (_role, day), counts in groups.items():
        for user_id, count in counts.items():
            peers = [n for other, n in counts.items() if other != user_id]
            if len(peers) < MIN_PEERS or count < VOLUME_FLOOR:
                continue
            p95 = percentile_cont(peers, 0.95) or 0.0
            median = percentile_cont(peers, 0.5) or 0.0
            if count > p95 and count > 3 * median:
                flagged.add((user_id, day))
    return flagged


def _pairs_q(pairs: set[tuple[int, datetime.date]]) -> Q:
    # Within the review's period already: each pair is a day of it.
    q = Q(pk__in=[])
    for user_id, day in pairs:
        start = datetime.datetime.combine(day, datetime.time(), tzinfo=_tz())
        q |= Q(user_id=user_id, at__gte=start, at__lt=start + datetime.timedelta(days=1), action=Action.READ)
    return q


@dataclass
class ReviewSelection:
    context: ReviewContext
    filters: ReviewFilters
    entries: QuerySet[AccessLogEntry]
    volume_pairs: set[tuple[int, datetime.date]]

    def flags_of(self, entry: AccessLogEntry) -> list[str]:
        flags = [name for name in FLAG_QS if getattr(entry, f"flag_{name}", False)]
        if entry.user_id is not None and entry.action == Action.READ:
            day = timezone.localtime(entry.at, _tz()).date()
            if (entry.user_id, day) in self.volume_pairs:
                flags.append("unusual_volume")
        return flags


def review_entries(*, actor: Actor, provider_id: str | None, filters: ReviewFilters) -> ReviewSelection:
    """The care provider's entries in the period for the review page, filtered and annotated with the flags.

    Goes through ``review_provider_get``: 403 for a person who reviews no log, 404 for a provider they
    do not review.
    """
    context = review_provider_get(actor=actor, public_id=provider_id)
    provider = context.provider.pk
    base = AccessLogEntry.objects.filter(
        provider_entries_q(context.scope), at__gte=filters.start_at, at__lt=filters.end_before
    )
    pairs = unusual_volume(entries=base)
    reviewed = Exists(AccessLogReview.objects.filter(entry=OuterRef("pk"), kommun_id=provider))
    sampled = Exists(AccessLogSampleItem.objects.filter(entry=OuterRef("pk"), sample__kommun_id=provider))
    queryset = base.select_related("patient", "organisation").annotate(
        **{f"flag_{name}": ExpressionWrapper(q, output_field=BooleanField()) for name, q in FLAG_QS.items()},
        reviewed=reviewed,
        sampled=sampled,
    )
    if filters.user:
        queryset = queryset.filter(Q(user__username=filters.user) | Q(user_label__icontains=filters.user))
    patient_ids = _patient_ids(filters)
    if patient_ids is not None:
        queryset = queryset.filter(patient_id__id_in=patient_ids)
    if filters.record_type:
        queryset = queryset.filter(record_type=filters.record_type)
    if filters.action:
        queryset = queryset.filter(action=filters.action)
    if filters.flag == "any":
        any_flag = _pairs_q(pairs)
        for name in FLAG_QS:
            any_flag |= _flag_filter_q(name)
        queryset = queryset.filter(any_flag)
    elif filters.flag == "unusual_volume":
        queryset = queryset.filter(_pairs_q(pairs))
    elif filters.flag:
        queryset = queryset.filter(_flag_filter_q(filters.flag))
    if filters.unreviewed:
        queryset = queryset.exclude(reviewed)
    if filters.sampled:
        queryset = queryset.filter(sampled)
    return ReviewSelection(
        context=context, filters=filters, entries=queryset.order_by("-at", "-pk"), volume_pairs=pairs
    )


def entry_patient_label(entry: AccessLogEntry) -> str:
    """The patient as the review shows an entry's: name and the start of the id; a patient with skyddad
    identitet by the start of the id alone."""
    patient = entry.patient
    if patient is None:
        return "–"
    if patient.protected_identity:
        return _("Protected identity (%(id)s)") % {"id": str(patient.public_id)[:8]}
    return f"{patient.full_name} ({str(patient.public_id)[:8]})"


def review_log_shown(
    *, actor: Actor, context: ReviewContext, entries: list[AccessLogEntry], action: str
) -> None:
    """Log that log entries about these patients were shown (or exported) to the reviewer."""
    patient_ids = sorted({e.patient_id for e in entries if e.patient_id is not None})
    access_log_record(
        actor=actor,
        accesses=[
            Access(patient_id=pid, record_type=RECORD_LOG_ENTRY, membership=context.membership)
            for pid in patient_ids
        ],
        action=action,
    )


@dataclass(frozen=True)
class ShownReview:
    """A review as the page shows it to the provider's reviewers: who, in which role, when, and the note."""

    reviewer: str
    role: str
    at: datetime.datetime
    note: str


def reviews_of(*, context: ReviewContext, entries: list[AccessLogEntry]) -> dict[int, ShownReview]:
    """The provider's reviews of these entries (one query), by entry id: every reviewer of the provider
    sees them, not only the one who wrote them."""
    reviews = AccessLogReview.objects.filter(
        entry_id__id_in=[entry.pk for entry in entries], kommun_id=context.provider.pk
    ).select_related("reviewer")
    shown: dict[int, ShownReview] = {}
    for found in reviews:
        try:
            role = str(Role(found.role).label)
        except ValueError:
            role = found.role
        shown[found.entry_id] = ShownReview(
            reviewer=found.reviewer.get_full_name() or found.reviewer.get_username(),
            role=role,
            at=found.at,
            note=found.note,
        )
    return shown


def entry_day(value: str) -> tuple[datetime.datetime, datetime.datetime] | None:
    """The local day of an entry's time as the review page gives it (ISO 8601), as a period; None if
    absent or not a time."""
    try:
        at = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if timezone.is_naive(at):
        at = timezone.make_aware(at, _tz())
    start = datetime.datetime.combine(timezone.localtime(at, _tz()).date(), datetime.time(), tzinfo=_tz())
    return start, start + datetime.timedelta(days=1)


@transaction.atomic
def entry_review(
    *, actor: Actor, provider_id: str | None, entry_id: int, note: str, entry_at: str = ""
) -> AccessLogReview:
    """Mark one of the care provider's entries reviewed, with a note; the review is itself logged.

    ``entry_at`` is the entry's time as the review page shows it: the lookup then names that day, so
    PostgreSQL reads one month's partition instead of probing every month's key. Without it (or with
    a time that is not the entry's) the entry is looked up by id alone, or not found.
    """
    context = review_provider_get(actor=actor, public_id=provider_id)
    if not note.strip():
        raise ValidationError({"note": _("Write a note on what the review found.")})
    if len(note.strip()) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": _("Write at most %(max)d characters (this is %(length)d).")
                % {"max": NOTE_MAX_LENGTH, "length": len(note.strip())}
            }
        )
    entries = AccessLogEntry.objects.filter(provider_entries_q(context.scope), pk=entry_id)
    day = entry_day(entry_at) if entry_at else None
    if day is not None:
        entries = entries.filter(at__gte=day[0], at__lt=day[1])
    entry = entries.first()
    if entry is None:
        raise Http404(_("No such log entry."))
    try:
        with transaction.atomic():
            review = AccessLogReview.objects.create(
                entry=entry,
                kommun=context.provider,
                reviewer=actor.user,
                role=context.membership.role,
                note=note.strip(),
            )
    except IntegrityError:
        raise ValidationError({"note": _("This entry has already been reviewed.")}) from None
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=entry.patient_id,
                record_type=RECORD_REVIEW,
                record_id=str(review.public_id),
                membership=context.membership,
            )
        ],
        action=Action.CREATE,
    )
    return review
