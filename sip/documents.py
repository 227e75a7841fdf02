"""The SIP care plan as a document kind: the patient's (and every participant's) copy of one version.

Everything the template prints is prepared here as plain words in the language the document is made in:
no internal codes (task codes, status values, role codes) reach the page; each is mapped to its label.
On the print for readers who may not see the identity of a patient with skyddad identitet
(``header.identity_masked``) every field naming the person or a närstående is masked (``sip.masking``).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from access.sips import sip_ids_shared_with
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind
from documents.models import DocumentKind
from documents.sources import DocumentSource, PdfHeader
from hemsjukvard.errors import StateConflictError
from patients.models import Patient

from . import selectors
from .masking import shown
from .models import (
    Attendance,
    ConsentGivenBy,
    ConsentWithdrawal,
    ContactPeriod,
    DistributionMethod,
    LegalBasis,
    OtherActorKind,
    ParticipantKind,
    RecipientKind,
    SipDistribution,
    SipInsats,
    SipParticipant,
    SipVersion,
    VersionStatus,
)


def principal_label(organisation: Organisation | None) -> str:
    """The organisation and, in plain words, which of the two principals it belongs to."""
    if organisation is None:
        return _("Not decided")
    if organisation.kind == OrganisationKind.PRIVATE_PERFORMER:
        kommun = organisation.kommun.name if organisation.kommun is not None else "–"
        return _("%(performer)s (private performer for %(kommun)s, the principal)") % {
            "performer": organisation.name,
            "kommun": kommun,
        }
    side = _("the kommun") if organisation.kind == OrganisationKind.KOMMUN else _("the region")
    return f"{organisation.name} ({side})"


def _choice(
    choices: type[
        ContactPeriod
        | ParticipantKind
        | OtherActorKind
        | ConsentGivenBy
        | Attendance
        | LegalBasis
        | RecipientKind
        | DistributionMethod
    ],
    value: str,
) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return _("Other")


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value is not None else "–"


@dataclass(frozen=True)
class InsatsRow:
    what: str
    responsible: str
    orders: str
    follows_up: str
    notes: str
    basis: str
    when: str
    reporting: str


@dataclass(frozen=True)
class OtherMeasureRow:
    what: str
    who: str
    kind: str


@dataclass(frozen=True)
class ParticipantRow:
    name: str
    kind: str
    organisation: str
    role: str
    present: str
    contact: str


@dataclass(frozen=True)
class NamedContact:
    name: str
    unit: str
    phone: str


@dataclass(frozen=True)
class DistributionRow:
    recipient: str
    method: str
    given_on: str
    given_by: str


@dataclass(frozen=True)
class ContactRow:
    period: str
    who: str
    phone: str
    notes: str


@dataclass(frozen=True)
class SipCarePlanReport:
    header: PdfHeader
    number: int
    case_number: str
    finalised_on: str
    finalised_by: str
    what_matters: str
    own_goals: str
    insatser: tuple[InsatsRow, ...]
    other_measures: tuple[OtherMeasureRow, ...]
    no_other_measures: bool
    huvudansvar: str
    huvudansvar_contact: str
    fast_vardkontakt: NamedContact
    fast_lakarkontakt: NamedContact
    legal_basis: str
    contact_paths: tuple[ContactRow, ...]
    around_the_clock: tuple[ContactRow, ...]
    distributions: tuple[DistributionRow, ...]
    participants: tuple[ParticipantRow, ...]
    follow_up_on: str
    interpreter: str
    consent: str
    consent_withdrawn: bool
    consent_withdrawal: str


def _insats_name(insats: SipInsats) -> str:
    """What is done, in words the person and their family understand: the catalogue's plain name for the
    task type where it has one, with the insats as written beside it."""
    task_type = insats.task_type
    if task_type is not None and (get_language() or "sv").startswith("en"):
        if insats.case_task_id is not None:
            return task_type.name_en
        return insats.description
    if task_type is not None and task_type.plain_name_sv and task_type.plain_name_sv != insats.description:
        return f"{task_type.plain_name_sv} ({insats.description})"
    return insats.description


def _insats_when(insats: SipInsats) -> str:
    parts = []
    if insats.starts_on is not None:
        parts.append(_("from %(date)s") % {"date": _date(insats.starts_on)})
    if insats.frequency:
        parts.append(insats.frequency)
    return ", ".join(parts) or "–"


def _insats_reporting(insats: SipInsats) -> str:
    if not (insats.reported_by or insats.reported_to):
        return ""
    return _("%(who)s reports the results to %(whom)s.") % {
        "who": insats.reported_by or "–",
        "whom": insats.reported_to or "–",
    }


def _participant_contact(participant: SipParticipant, *, identity_visible: bool) -> str:
    values = [
        shown(participant, "phone", identity_visible=identity_visible),
        shown(participant, "email", identity_visible=identity_visible),
    ]
    return ", ".join(v for v in values if v)


def _distribution_row(row: SipDistribution, *, identity_visible: bool) -> DistributionRow:
    return DistributionRow(
        recipient="{} ({})".format(
            shown(row, "recipient_name", identity_visible=identity_visible),
            _choice(RecipientKind, row.recipient_kind),
        ),
        method=_choice(DistributionMethod, row.method),
        given_on=_date(row.given_on),
        given_by=f"{row.given_by.display_name}, {row.organisation.name}",
    )


def _consent_text(version: SipVersion, *, identity_visible: bool) -> str:
    if not version.consent_given_by:
        return _("No consent has been recorded.")
    given_by = shown(version, "consent_given_by_name", identity_visible=identity_visible)
    if version.consent_given_by == ConsentGivenBy.REPRESENTATIVE:
        given_by = _("%(name)s, as %(role)s") % {
            "name": given_by,
            "role": version.consent_representative_role,
        }
    text = _("Consent given by %(who)s on %(date)s. It covers: %(scope)s") % {
        "who": given_by,
        "date": _date(version.consent_given_on),
        "scope": version.consent_scope,
    }
    if version.consent_valid_to is not None:
        text += " " + _("Valid until %(date)s.") % {"date": _date(version.consent_valid_to)}
    return text


def _withdrawal_text(withdrawal: ConsentWithdrawal | None, *, identity_visible: bool) -> str:
    if withdrawal is None:
        return ""
    text = _(
        "The consent was withdrawn on %(date)s by %(who)s. The plan is no longer shared between the "
        "kommun and the region."
    ) % {
        "date": _date(withdrawal.withdrawn_on),
        "who": shown(withdrawal, "withdrawn_by_name", identity_visible=identity_visible),
    }
    if withdrawal.reason:
        text += " " + _("Reason: %(reason)s") % {"reason": withdrawal.reason}
    return text


def _version_for_render() -> QuerySet[SipVersion]:
    return selectors.version_queryset().select_related("sip__patient", "sip__owner_organisation", "sip__case")


class SipCarePlanSource(DocumentSource[SipVersion]):
    """One finalised version of a SIP, printed for the person and every participant."""

    kind = DocumentKind.SIP_CARE_PLAN.value
    label = DocumentKind.SIP_CARE_PLAN.label
    template_name = "sip/pdf/sip_care_plan.html"

    def load(self, *, actor: Actor, source_id: uuid.UUID) -> SipVersion:
        return selectors.sip_version_get(actor=actor, public_id=source_id)

    def load_for_render(self, *, source_id: uuid.UUID) -> SipVersion:
        return _version_for_render().get(public_id=source_id)

    def readable(self, *, actor: Actor, source_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        # After a withdrawal of consent only the organisation that keeps the plan reads it (as on the API).
        of_plan = dict(SipVersion.objects.filter(public_id__in=source_ids).values_list("public_id", "sip_id"))
        shared = sip_ids_shared_with(actor, set(of_plan.values()))
        return {public_id for public_id, sip_id in of_plan.items() if sip_id in shared}

    def patient_of(self, source: SipVersion) -> Patient:
        return source.sip.patient

    def version_of(self, source: SipVersion) -> str:
        # A finalised version never changes; what is added to it later is a withdrawal of consent. The
        # string is printed in the footer, so it carries no status codes.
        withdrawal = ConsentWithdrawal.objects.filter(version=source).values_list("pk", flat=True).first()
        text = f"{source.number}-{withdrawal}" if withdrawal else str(source.number)
        # Each record of who received the plan makes a new print, which lists it.
        handed_out = SipDistribution.objects.filter(version=source).count()
        return f"{text}+{handed_out}" if handed_out else text

    def check_printable(self, source: SipVersion) -> None:
        if source.status != VersionStatus.FINALISED:
            raise StateConflictError(
                _("Only a finalised SIP can be printed; finalise the draft first."),
                extra={"status": source.status},
            )

    def title(self, source: SipVersion) -> str:
        return _("Coordinated individual plan (SIP), version %(number)d") % {"number": source.number}

    def context(self, source: SipVersion, *, header: PdfHeader) -> SipCarePlanReport:
        withdrawal = ConsentWithdrawal.objects.filter(version=source).first()
        visible = not header.identity_masked
        periods = {value: index for index, value in enumerate(ContactPeriod.values)}
        contact_rows = tuple(
            ContactRow(period=_choice(ContactPeriod, c.period), who=c.who, phone=c.phone, notes=c.notes)
            for c in sorted(source.contact_paths.all(), key=lambda c: (periods.get(c.period, 9), c.position))
        )
        after_hours = tuple(
            ContactRow(period=_choice(ContactPeriod, c.period), who=c.who, phone=c.phone, notes=c.notes)
            for c in sorted(source.contact_paths.all(), key=lambda c: (periods.get(c.period, 9), c.position))
            if c.period != ContactPeriod.DAY
        )
        return SipCarePlanReport(
            header=header,
            number=source.number,
            case_number=source.sip.case.number if source.sip.case else "",
            finalised_on=_date(source.finalised_at.date() if source.finalised_at else None),
            finalised_by=(
                f"{source.finalised_by.display_name}, {source.finalised_by_organisation.name}"
                if source.finalised_by and source.finalised_by_organisation
                else "–"
            ),
            what_matters=source.what_matters,
            own_goals=source.own_goals,
            insatser=tuple(
                InsatsRow(
                    what=_insats_name(i),
                    responsible=principal_label(i.responsible),
                    orders=i.orders.name if i.orders else "–",
                    follows_up=i.follows_up.name if i.follows_up else "–",
                    notes=i.notes,
                    basis=_choice(LegalBasis, i.basis),
                    when=_insats_when(i),
                    reporting=_insats_reporting(i),
                )
                for i in source.insatser.select_related("task_type", "responsible", "orders", "follows_up")
            ),
            other_measures=tuple(
                OtherMeasureRow(
                    what=m.description,
                    who=shown(m, "actor_name", identity_visible=visible),
                    kind=_choice(OtherActorKind, m.actor_kind),
                )
                for m in source.other_measures.all()
            ),
            no_other_measures=source.no_other_measures,
            huvudansvar=principal_label(source.huvudansvar),
            huvudansvar_contact=", ".join(
                v for v in (source.huvudansvar_contact, source.huvudansvar_phone) if v
            ),
            fast_vardkontakt=NamedContact(
                name=source.fast_vardkontakt_name or _("Not named"),
                unit=source.fast_vardkontakt_unit,
                phone=source.fast_vardkontakt_phone,
            ),
            fast_lakarkontakt=NamedContact(
                name=source.fast_lakarkontakt_name or _("Not named"),
                unit=source.fast_lakarkontakt_unit,
                phone=source.fast_lakarkontakt_phone,
            ),
            legal_basis=_("The plan is made under %(hsl)s and %(sol)s.")
            % {"hsl": settings.SIP_HSL_CITATION, "sol": settings.SIP_SOL_CITATION},
            contact_paths=contact_rows,
            around_the_clock=after_hours,
            distributions=tuple(
                _distribution_row(d, identity_visible=visible)
                for d in source.distributions.select_related("given_by", "organisation").order_by(
                    "given_on", "pk"
                )
            ),
            participants=tuple(
                ParticipantRow(
                    name=shown(p, "name", identity_visible=visible),
                    kind=_choice(ParticipantKind, p.kind),
                    organisation=p.organisation.name if p.organisation else "",
                    role=p.role,
                    present=_choice(Attendance, p.attendance) if p.attendance else _("Not recorded"),
                    contact=_participant_contact(p, identity_visible=visible),
                )
                for p in source.participants.all()
            ),
            follow_up_on=_date(source.follow_up_on),
            interpreter=(
                _("Yes, in %(language)s") % {"language": source.interpreter_language}
                if source.interpreter_needed
                else _("No")
            ),
            consent=_consent_text(source, identity_visible=visible),
            consent_withdrawn=withdrawal is not None,
            consent_withdrawal=_withdrawal_text(withdrawal, identity_visible=visible),
        )
