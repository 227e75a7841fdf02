"""The MAS/MAR access-log review: which entries a kommun reviews, the flags, reviews and exports.

**The kommun's entries.** MAS and MAR of kommun K review every log entry that

1. concerns a *patient of K*: folkbokförd in K, or with an enrolment (open or ended) in K; or
2. was *made by K's staff*: made through a membership in K (the entry's organisation is K), or by a
   user who held a membership in K on the day of the entry — so a K nurse's *denied* attempts on
   another kommun's patient (which carry no organisation) are K's to review too.

**Flags.**

* ``no_care_relationship`` — the read was denied, or made without a care relationship (purpose none);
* ``emergency_access`` — nödåtkomst; always flagged;
* ``protected_identity`` — a read of a patient with skyddad identitet;
* ``unusual_volume`` — on that local day the user read (action ``read``) more distinct patients than
  their peers: more than the 95th percentile *and* more than three times the median of the peers, and
  at least ``VOLUME_FLOOR`` patients. Peers are the other users who read patients in the same role in
  the kommun's entries that day; with fewer than ``MIN_PEERS`` peers there is no basis and no flag.
  Daily counts come from one aggregate query; the percentiles are taken in Python over one value per
  user and day, which stays small for any period the page allows.
"""

from __future__ import annotations

import contextlib
import datetime
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.roles import LOG_REVIEWER_ROLES
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind
from hemsjukvard.db_router import read_alias
from hemsjukvard.stats import percentile_cont
from patients.models import Enrolment, Patient

from .models import AccessLogEntry, AccessLogReview, AccessLogSampleItem, Action, Outcome, Purpose
from .records import RECORD_LOG_ENTRY, RECORD_REVIEW
from .services import Access, access_log_record

MIN_PEERS = 4
VOLUME_FLOOR = 10
MAX_PERIOD_DAYS = 92
FLAG_NAMES = ("no_care_relationship", "emergency_access", "protected_identity", "unusual_volume")


def _tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class ReviewContext:
    kommun: Organisation
    membership: Membership


def review_kommun_get(*, actor: Actor, public_id: uuid.UUID | str | None = None) -> ReviewContext:
    """The kommun whose log ``actor`` reviews: 403 without a MAS/MAR role; 404 for another kommun."""
    memberships = [
        m
        for m in actor.memberships
        if m.role in LOG_REVIEWER_ROLES and m.organisation.kind == OrganisationKind.KOMMUN
    ]
    if not memberships:
        raise PermissionDenied(_("Only MAS and MAR review the access log."))
    if public_id in (None, ""):
        membership = memberships[0]
    else:
        try:
            key = uuid.UUID(str(public_id))
        except ValueError:
            raise Http404(_("No such kommun.")) from None
        found = next((m for m in memberships if m.organisation.public_id == key), None)
        if found is None:
            raise Http404(_("No such kommun."))
        membership = found
    return ReviewContext(kommun=membership.organisation, membership=membership)


def kommun_entries_q(kommun_id: int) -> Q:
    """The definition in the module docstring, as a filter on ``AccessLogEntry``.

    Written so that each condition is tested from the entry's own columns against a small set computed
    once per query, never by a join per entry: the kommun's patients (folkbokförda, enrolled) and its
    staff are hashed subqueries (PostgreSQL's ``hashed SubPlan``), and the staff condition's dated check
    runs only for entries by someone who ever held a membership in the kommun. Together with the
    covering index on ``at`` (migration ``0005``) the period's entries are classified from the index
    alone. A UNION of the four conditions was measured and is slower: only the organisation condition
    has an index that narrows by period (see audit/README.md, "The review at national scale").
    """
    # Membership dates against the entry's time: valid_from ≤ at, and valid_to on or after its day
    # (valid_to > at − 1 day). Days are compared in the database's time zone (UTC).
    staff_on_the_day = Membership.objects.filter(
        user_id=OuterRef("user_id"), organisation_id=kommun_id, valid_from__lte=OuterRef("at")
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("at") - datetime.timedelta(days=1)))
    staff_ever = Membership.objects.filter(organisation_id=kommun_id).values("user_id")
    folkbokforda = Patient.objects.filter(folkbokforing_kommun_id=kommun_id).values("pk")
    enrolled = Enrolment.objects.filter(kommun_id=kommun_id).values("patient_id")
    # The cheapest test first: PostgreSQL evaluates an OR left to right and stops at the first true.
    return (
        Q(organisation_id=kommun_id)
        | Q(patient_id__in=folkbokforda)
        | Q(patient_id__in=enrolled)
        | (Q(user_id__in=staff_ever) & Q(Exists(staff_on_the_day)))
    )


FLAG_QS = {
    "no_care_relationship": Q(outcome=Outcome.DENIED) | Q(purpose=Purpose.NONE),
    "emergency_access": Q(purpose=Purpose.EMERGENCY_ACCESS),
    "protected_identity": Q(patient__protected_identity=True, action=Action.READ),
}


def _flag_filter_q(name: str) -> Q:
    """``FLAG_QS[name]`` as a filter over a period: the same condition, with the protected patients as a
    hashed subquery instead of a join of every entry to its patient (the rows shown are joined anyway)."""
    if name == "protected_identity":
        protected = Patient.objects.filter(protected_identity=True).values("pk")
        return Q(patient_id__in=protected, action=Action.READ)
    return FLAG_QS[name]


@dataclass(frozen=True)
class ReviewFilters:
    start: datetime.date
    end: datetime.date
    user: str = ""
    patient: uuid.UUID | None = None
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
    patient: uuid.UUID | None = None
    if params.get("patient"):
        try:
            patient = uuid.UUID(params["patient"])
        except ValueError:
            errors["patient"] = _("Give the patient's id.")
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


def review_entries(*, actor: Actor, kommun_id: str | None, filters: ReviewFilters) -> ReviewSelection:
    """The kommun's entries for the review page, filtered and annotated with the flags.

    Goes through ``review_kommun_get``: 403 for a person who reviews no log, 404 for another kommun.
    """
    context = review_kommun_get(actor=actor, public_id=kommun_id)
    kommun = context.kommun.pk
    base = AccessLogEntry.objects.filter(
        kommun_entries_q(kommun), at__gte=filters.start_at, at__lt=filters.end_before
    )
    pairs = unusual_volume(entries=base)
    reviewed = Exists(AccessLogReview.objects.filter(entry=OuterRef("pk"), kommun_id=kommun))
    sampled = Exists(AccessLogSampleItem.objects.filter(entry=OuterRef("pk"), sample__kommun_id=kommun))
    queryset = base.select_related("patient", "organisation").annotate(
        **{f"flag_{name}": ExpressionWrapper(q, output_field=BooleanField()) for name, q in FLAG_QS.items()},
        reviewed=reviewed,
        sampled=sampled,
    )
    if filters.user:
        queryset = queryset.filter(Q(user__username=filters.user) | Q(user_label__icontains=filters.user))
    if filters.patient:
        queryset = queryset.filter(patient__public_id=filters.patient)
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


@transaction.atomic
def entry_review(*, actor: Actor, kommun_id: str | None, entry_id: int, note: str) -> AccessLogReview:
    """Mark one of the kommun's entries reviewed, with a note; the review is itself logged."""
    context = review_kommun_get(actor=actor, public_id=kommun_id)
    if not note.strip():
        raise ValidationError({"note": _("Write a note on what the review found.")})
    entry = AccessLogEntry.objects.filter(kommun_entries_q(context.kommun.pk), pk=entry_id).first()
    if entry is None:
        raise Http404(_("No such log entry."))
    try:
        with transaction.atomic():
            review = AccessLogReview.objects.create(
                entry=entry,
                kommun=context.kommun,
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
