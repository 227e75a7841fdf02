"""The registry of document kinds: for each kind, where its source comes from and how it is printed.

How to register a kind (the SIP does it like this from ``sip/apps.py``)::

    # sip/documents.py
    from documents.sources import DocumentSource, register

    class SipCarePlanSource(DocumentSource[SipVersion]):
        kind = "sip_care_plan"
        label = _("SIP care plan")
        template_name = "documents/pdf/sip_care_plan.html"

        def load(self, *, actor, source_id):       # access-checked and logged; Http404 otherwise
            return sip_selectors.sip_version_get(actor=actor, public_id=source_id)
        def load_for_render(self, *, source_id):   # the worker's read: no actor, no log
            return SipVersion.objects.select_related(...).get(public_id=source_id)
        def patient_of(self, source):  return source.sip.patient
        def version_of(self, source):  return str(source.number)   # changes whenever the PDF would
        def check_printable(self, source): ...   # StateConflictError: no document yet
        def context(self, source, *, header):      # a dataclass; the template sees it as ``report``
            return SipReport(header=header, ...)

    # sip/apps.py, in SipConfig.ready():
    from documents.sources import register
    from .documents import SipCarePlanSource
    register(SipCarePlanSource())

The template extends ``documents/pdf/base.html`` (running header with the patient's identity, page
numbers, metadata) and fills ``{% block content %}``. ``source_id`` is the public id of the record whose
*version* the document shows, so that a request names exactly what will be printed.

Rules for a kind: ``version_of`` must change whenever anything the PDF shows changes (the worker
refuses to print a source whose version moved on since the request, and a ready document is never
rendered again); ``context`` must use ``header.identity`` for the patient's identity, never the patient's
name directly, and must mask whatever else names the person when ``header.identity_masked`` is set,
so that skyddad identitet stays masked where it must.
"""

from __future__ import annotations

import datetime
import uuid
from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.http import Http404
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from directory.actor import Actor
from directory.models import Membership
from hemsjukvard.pdf import css_string
from patients.models import Patient
from patients.pseudonym import pseudonym

S = TypeVar("S")

MASKED_NAME = "*****"
MASKED_PERSONAL_IDENTITY = "********-****"


@dataclass(frozen=True)
class PdfHeader:
    """What every document shows on every page and writes into its metadata."""

    title: str
    subject: str
    author: str
    language: str
    identity: str
    # True on the print made for readers who may not see the identity of a patient with skyddad
    # identitet: a kind that prints other fields naming the person masks them too.
    identity_masked: bool
    reference: str
    created: datetime.datetime
    page_label: str
    of_label: str

    @property
    def page_number_css(self) -> str:
        """The CSS ``content`` for "Sida X av Y" in the document's language."""
        return mark_safe(  # noqa: S308 (every piece is escaped by css_string)
            f"{css_string(self.page_label + ' ')} counter(page) {css_string(' ' + self.of_label + ' ')} "
            "counter(pages)"
        )

    @property
    def created_iso(self) -> str:
        return self.created.replace(microsecond=0).isoformat()


def patient_identity(patient: Patient, *, masked: bool) -> str:
    """Name and personnummer as printed, or the masked form: for skyddad identitet, that it is
    protected; otherwise (a joint body at a pseudonymised level) the pseudonym with age, sex and housing."""
    if masked and not patient.protected_identity:
        return pseudonym(patient)
    if masked:
        return _("Protected identity (%(name)s, %(number)s)") % {
            "name": MASKED_NAME,
            "number": MASKED_PERSONAL_IDENTITY,
        }
    return f"{patient.full_name}, {patient.formatted_identity}"


class DocumentSource(ABC, Generic[S]):
    """One document kind. Subclasses set ``kind``, ``label`` and ``template_name``."""

    kind: str
    label: str | Promise
    template_name: str

    @abstractmethod
    def load(self, *, actor: Actor, source_id: uuid.UUID) -> S:
        """The source as ``actor`` may see it, with the read logged; ``Http404`` otherwise."""

    @abstractmethod
    def load_for_render(self, *, source_id: uuid.UUID) -> S:
        """The source for the worker (no actor: access was checked when the document was asked for)."""

    @abstractmethod
    def patient_of(self, source: S) -> Patient: ...

    @abstractmethod
    def version_of(self, source: S) -> str:
        """A short string that changes whenever anything the PDF shows changes."""

    def check_printable(self, source: S) -> None:
        """Raise ``StateConflictError`` when the source cannot have this document (yet)."""

    def grant(self, *, actor: Actor, source_id: uuid.UUID) -> Membership | None:
        """A membership through which the kind's own record lets ``actor`` read its documents where the
        patient rule does not: a joint body that handled a case reads that case's decision notices
        after the case has left it. ``None`` by default: the patient rule alone decides."""
        return None

    def readable(self, *, actor: Actor, source_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these sources ``actor`` may read, by the kind's own rule and without logging (the
        caller logs the document read). Seeing the patient is checked by ``documents.selectors`` for
        every kind; a kind whose record is narrower than the patient (a case's parties, a plan after a
        withdrawal of consent, an extract only MAS/MAR produce) narrows it here, in a fixed number of
        queries whatever the number of ids."""
        return set(source_ids)

    @abstractmethod
    def title(self, source: S) -> str: ...

    @abstractmethod
    def context(self, source: S, *, header: PdfHeader) -> Any:
        """The template's ``report``: a dataclass holding everything the template prints."""


_registry: dict[str, DocumentSource[Any]] = {}


def register(source: DocumentSource[Any]) -> DocumentSource[Any]:
    """Add a kind; registering the same kind twice is a programming error."""
    existing = _registry.get(source.kind)
    if existing is not None and type(existing) is not type(source):
        raise RuntimeError(f"Document kind {source.kind!r} is already registered by {type(existing)!r}.")
    _registry[source.kind] = source
    return source


def source_for(kind: str) -> DocumentSource[Any]:
    try:
        return _registry[kind]
    except KeyError:
        raise Http404(_("No such kind of document.")) from None


def registered_kinds() -> list[tuple[str, str]]:
    return [(kind, str(source.label)) for kind, source in sorted(_registry.items())]
