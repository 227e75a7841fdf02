"""The patient's log extract as a document kind (printed by the documents worker)."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.actor import Actor
from documents.sources import DocumentSource, PdfHeader
from patients.models import Patient

from .extract import ExtractRow, extract_membership, log_extract_get, log_extract_rows
from .models import AccessLogExtract

KIND = "access_log_extract"


@dataclass(frozen=True)
class LogExtractReport:
    header: PdfHeader
    produced_at: datetime.datetime
    organisation: str
    rows: tuple[ExtractRow, ...]


class LogExtractSource(DocumentSource[AccessLogExtract]):
    kind = KIND
    label = gettext_lazy("Log extract (PDL 8 kap. 5 §)")
    template_name = "audit/pdf/log_extract.html"

    def load(self, *, actor: Actor, source_id: uuid.UUID) -> AccessLogExtract:
        return log_extract_get(actor=actor, public_id=source_id)

    def load_for_render(self, *, source_id: uuid.UUID) -> AccessLogExtract:
        return AccessLogExtract.objects.select_related("patient", "organisation").get(public_id=source_id)

    def readable(self, *, actor: Actor, source_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        # Only those who may produce the patient's extract (MAS, MAR, coordinators) read it.
        extracts = AccessLogExtract.objects.select_related("patient__folkbokforing_kommun").filter(
            public_id__in=source_ids
        )
        allowed: dict[int, bool] = {}
        for extract in extracts:
            if extract.patient_id not in allowed:
                allowed[extract.patient_id] = extract_membership(actor, extract.patient) is not None
        return {extract.public_id for extract in extracts if allowed[extract.patient_id]}

    def patient_of(self, source: AccessLogExtract) -> Patient:
        return source.patient

    def version_of(self, source: AccessLogExtract) -> str:
        # An extract never changes (it is fixed at its last entry when made): its version is the time it
        # was made, as the patient's documents list and the PDF's footer show it.
        made = timezone.localtime(source.created_at, zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return made.strftime("%Y-%m-%d %H:%M")

    def title(self, source: AccessLogExtract) -> str:
        return _("Log extract: who accessed the patient's data")

    def context(self, source: AccessLogExtract, *, header: PdfHeader) -> LogExtractReport:
        return LogExtractReport(
            header=header,
            produced_at=source.created_at,
            organisation=source.organisation.name,
            rows=tuple(log_extract_rows(source)),
        )
