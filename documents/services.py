"""Writes on documents: asking for one (web), and claiming, rendering and storing it (worker).

Idempotency, in one place:

* ``document_request`` is a get-or-create under the unique constraint (kind, source, source version,
  language, identity masking): asking twice gives the same row; two requests at once both end on the
  same row (``get_or_create`` catches the loser's IntegrityError and reads the winner's row). A failed
  document asked for again is queued again; a ready one is returned as it is and never rendered again.
* ``document_render`` claims the work with one conditional UPDATE (queued → rendering, or a rendering
  claim that is stale, or the same worker process's own claim after a transient error) and checks the
  row count; without the claim it renders nothing. It stores the PDF with another conditional UPDATE that
  still requires its claim, so a worker that lost its claim can never overwrite what another one stored.

A claim is a lease: while a worker renders, a heartbeat renews ``claimed_at`` every
``DOCUMENT_CLAIM_HEARTBEAT_SECONDS``. A claim not renewed for ``DOCUMENT_CLAIM_LEASE_SECONDS`` belongs to a
worker that is gone (killed, out of memory, its container stopped). ``documents_requeue_stale``, a beat
sweep, then queues the document again, and so does asking for it again. So a PDF whose worker died is
ready within a minute of a worker being back, not after the broker's visibility timeout.
"""

from __future__ import annotations

import datetime
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from access.patients import granting_membership, identity_visible, patient_facts
from audit.models import Action
from audit.records import RECORD_DOCUMENT
from audit.services import Access, access_log_record
from directory.actor import Actor
from hemsjukvard.outbox import outbox_enqueue
from hemsjukvard.pdf import PdfError, render_pdf

from .events import document_failed_publish, document_ready_publish
from .models import Document, DocumentContent, DocumentStatus
from .sources import PdfHeader, patient_identity, source_for

logger = logging.getLogger(__name__)


def claim_stale_after() -> datetime.timedelta:
    """A rendering claim not renewed for this long belongs to a worker that is gone, so another worker
    may take the work over."""
    return datetime.timedelta(seconds=int(settings.DOCUMENT_CLAIM_LEASE_SECONDS))


def queued_resend_after() -> datetime.timedelta:
    """A queued document not claimed for this long may have lost its message: it is sent again."""
    return datetime.timedelta(seconds=int(settings.DOCUMENT_QUEUED_RESEND_SECONDS))


@contextmanager
def _heartbeat(document_id: int, worker: str, every: float | None) -> Iterator[None]:
    """Renew this worker's claim every ``every`` seconds while the block runs (a render is one long call
    into WeasyPrint, so the renewal runs beside it, on its own database connection)."""
    if not every:
        yield
        return
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(every):
                Document.objects.filter(
                    pk=document_id, status=DocumentStatus.RENDERING, claimed_by=worker
                ).update(claimed_at=timezone.now())
        except DatabaseError:
            logger.warning("Document %s: claim not renewed (database error)", document_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=renew, name=f"claim-heartbeat-{document_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


def _release_stale(document_id: int, now: datetime.datetime) -> bool:
    """Give a dead worker's document back to the queue, if its claim is still stale; True if it was."""
    return (
        Document.objects.filter(
            pk=document_id, status=DocumentStatus.RENDERING, claimed_at__lt=now - claim_stale_after()
        ).update(status=DocumentStatus.QUEUED, claimed_by="", queued_at=now, updated_at=now)
        == 1
    )


@transaction.atomic
def documents_requeue_stale(*, now: datetime.datetime | None = None) -> int:
    """The beat sweep: queue again every document whose worker is gone (a claim not renewed within the
    lease) and every queued document not claimed for ``queued_resend_after`` (its message may be lost).
    Returns how many were queued; each is sent through the outbox once per sweep, and the claim makes a
    second delivery harmless."""
    now = now or timezone.now()
    stale = list(
        Document.objects.filter(
            status=DocumentStatus.RENDERING, claimed_at__lt=now - claim_stale_after()
        ).values_list("pk", flat=True)[:500]
    )
    queued = [pk for pk in stale if _release_stale(pk, now)]
    lost = list(
        Document.objects.filter(
            status=DocumentStatus.QUEUED, queued_at__lt=now - queued_resend_after()
        ).values_list("pk", flat=True)[:500]
    )
    for pk in lost:
        if Document.objects.filter(pk=pk, status=DocumentStatus.QUEUED).update(queued_at=now, updated_at=now):
            queued.append(pk)
    for pk in queued:
        outbox_enqueue("documents.tasks.render_document", kwargs={"document_id": pk})
    if stale:
        logger.warning("Queued again %d document(s) whose worker is gone", len(stale))
    return len(queued)


def _queue(document: Document) -> None:
    outbox_enqueue("documents.tasks.render_document", kwargs={"document_id": document.pk})


def document_request(*, actor: Actor, kind: str, source_id: uuid.UUID | str, language: str) -> Document:
    """The document of ``kind`` for the current version of the source, asked for by ``actor``.

    The source is read through its kind's access-checked selector (404 when the actor may not see it,
    logged either way) *before* this service's transaction opens: a refused attempt is a denied row in
    the log like every other, and must not be rolled back with the 404 that answers it. Rendering
    happens in the worker after the transaction commits.
    """
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    try:
        key = uuid.UUID(str(source_id))
    except ValueError:
        raise ValidationError({"source": _("Give the public id of the source record.")}) from None
    source_def = source_for(kind)
    source = source_def.load(actor=actor, source_id=key)
    return _document_request(actor=actor, kind=kind, key=key, language=language, source=source)


@transaction.atomic
def _document_request(*, actor: Actor, kind: str, key: uuid.UUID, language: str, source: object) -> Document:
    source_def = source_for(kind)
    source_def.check_printable(source)
    patient = source_def.patient_of(source)
    facts = patient_facts(patient)
    membership = granting_membership(actor, facts)
    masked = not identity_visible(actor, facts, protected_identity=patient.protected_identity)
    now = timezone.now()
    document, created = Document.objects.get_or_create(
        kind=kind,
        source_id=key,
        source_version=source_def.version_of(source),
        language=language,
        identity_masked=masked,
        defaults={
            "patient": patient,
            "requested_by": actor.user,
            "requested_by_organisation": membership.organisation if membership else None,
            "queued_at": now,
        },
    )
    # Asking again answers with the existing document's metadata: a read of it, logged as one.
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=patient.pk,
                record_type=RECORD_DOCUMENT,
                record_id=str(document.public_id),
                membership=membership,
            )
        ],
        action=Action.CREATE if created else Action.READ,
    )
    if created:
        _queue(document)
        return document
    if document.status == DocumentStatus.FAILED:
        requeued = Document.objects.filter(pk=document.pk, status=DocumentStatus.FAILED).update(
            status=DocumentStatus.QUEUED, failure_reason="", queued_at=now, updated_at=now
        )
        if requeued:
            _queue(document)
        document.refresh_from_db()
    elif document.status == DocumentStatus.RENDERING and (
        document.claimed_at is None or document.claimed_at < now - claim_stale_after()
    ):
        # Its worker is gone: asking again starts a new attempt at once, without waiting for the sweep.
        if _release_stale(document.pk, now):
            _queue(document)
        document.refresh_from_db()
    elif document.status == DocumentStatus.QUEUED and (
        document.queued_at is None or document.queued_at < now - queued_resend_after()
    ):
        # Queued long ago and never claimed: the message may be lost (a flushed broker). Sending it
        # again is harmless, the task claims before it works. ``queued_at`` is shown, so ``updated_at``
        # moves with it: a client that syncs documents reads it again.
        Document.objects.filter(pk=document.pk, status=DocumentStatus.QUEUED).update(
            queued_at=now, updated_at=now
        )
        _queue(document)
        document.refresh_from_db()
    return document


@dataclass(frozen=True)
class RenderOutcome:
    """What ``document_render`` did: ``status`` is the document's status afterwards; ``busy_for`` is set
    when another live worker holds the claim (seconds until that claim turns stale)."""

    status: str
    rendered: bool = False
    busy_for: float | None = None


def _claim(document_id: int, worker: str, now: datetime.datetime) -> bool:
    claimable = (
        Q(status=DocumentStatus.QUEUED)
        | Q(status=DocumentStatus.RENDERING, claimed_at__lt=now - claim_stale_after())
        | Q(status=DocumentStatus.RENDERING, claimed_by=worker)
    )
    return (
        Document.objects.filter(claimable, pk=document_id).update(
            status=DocumentStatus.RENDERING,
            claimed_by=worker,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        == 1
    )


@transaction.atomic
def _fail(document_id: int, worker: str, reason: str) -> None:
    """Record the failure, if this worker still holds the claim (otherwise it is no longer its say)."""
    failed = Document.objects.filter(
        pk=document_id, status=DocumentStatus.RENDERING, claimed_by=worker
    ).update(status=DocumentStatus.FAILED, failure_reason=reason[:2000], updated_at=timezone.now())
    if failed:
        document_failed_publish(document_id=document_id)


def document_render(
    *, document_id: int, worker: str, delay: float = 0.0, heartbeat_every: float | None = None
) -> RenderOutcome:
    """Claim, render and store one document. Safe to call any number of times, from any worker.

    ``heartbeat_every``: renew the claim this often while rendering (the worker passes the setting; an
    in-process render, as in the demo, needs none).

    Content problems (a source that moved on, a refused resource, a template error) mark the document
    failed with the reason. Transient database errors propagate with the claim kept, so the same worker
    process may retry. Anything else marks it failed and propagates: a bug must show.
    """
    now = timezone.now()
    if not _claim(document_id, worker, now):
        current = Document.objects.filter(pk=document_id).values("status", "claimed_at").first()
        if current is None:
            return RenderOutcome(status="missing")
        if current["status"] == DocumentStatus.RENDERING and current["claimed_at"] is not None:
            stale_at = current["claimed_at"] + claim_stale_after()
            return RenderOutcome(
                status=DocumentStatus.RENDERING, busy_for=max(1.0, (stale_at - now).total_seconds())
            )
        return RenderOutcome(status=str(current["status"]))

    with _heartbeat(document_id, worker, heartbeat_every):
        outcome = _render_claimed(document_id, worker, now, delay)
    return outcome


def _render_claimed(document_id: int, worker: str, now: datetime.datetime, delay: float) -> RenderOutcome:
    document = Document.objects.select_related("patient", "requested_by_organisation").get(pk=document_id)
    source_def = source_for(document.kind)
    try:
        try:
            source = source_def.load_for_render(source_id=document.source_id)
        except ObjectDoesNotExist:
            _fail(document_id, worker, "The source record no longer exists.")
            return RenderOutcome(status=DocumentStatus.FAILED)
        current_version = source_def.version_of(source)
        if current_version != document.source_version:
            _fail(
                document_id,
                worker,
                f"The source changed after the document was asked for (asked for version "
                f"{document.source_version}, now {current_version}); ask for the document again.",
            )
            return RenderOutcome(status=DocumentStatus.FAILED)
        if delay:
            import time

            time.sleep(delay)  # only ever set by the test suite, to hold the claim while it kills us
        with translation.override(document.language):
            header = PdfHeader(
                title=source_def.title(source),
                subject=str(source_def.label),
                author=(
                    document.requested_by_organisation.name
                    if document.requested_by_organisation
                    else "hemsjukvard"
                ),
                language=document.language,
                identity=patient_identity(document.patient, masked=document.identity_masked),
                identity_masked=document.identity_masked,
                # What a reader can quote to find the print again; never an internal version key.
                reference=_("Document %(document)s · %(kind)s · printed %(printed)s")
                % {
                    "document": str(document.public_id)[:8],
                    "kind": source_def.label,
                    "printed": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
                },
                created=now,
                page_label=_("Page"),
                of_label=_("of"),
            )
            report = source_def.context(source, header=header)
        rendered = render_pdf(source_def.template_name, {"report": report}, language=document.language)
    except PdfError as exc:
        _fail(document_id, worker, str(exc))
        return RenderOutcome(status=DocumentStatus.FAILED)
    except Exception as exc:
        from django.db import InterfaceError, OperationalError

        if isinstance(exc, OperationalError | InterfaceError):
            raise  # transient: the task retries, and this worker may take its own claim again
        try:
            _fail(document_id, worker, f"{type(exc).__name__}: {exc}")
        finally:
            logger.exception("Rendering document %s failed", document.public_id)
        raise

    with transaction.atomic():
        stored = Document.objects.filter(
            pk=document_id, status=DocumentStatus.RENDERING, claimed_by=worker
        ).update(
            status=DocumentStatus.READY,
            sha256=rendered.sha256,
            size=rendered.size,
            page_count=rendered.page_count,
            rendered_at=timezone.now(),
            failure_reason="",
            updated_at=timezone.now(),
        )
        if stored != 1:
            # Our claim went stale and another worker took over: its result stands, ours is dropped.
            logger.warning("Document %s: claim lost before storing; result dropped", document.public_id)
            return RenderOutcome(status=DocumentStatus.RENDERING)
        DocumentContent.objects.create(document_id=document_id, content=rendered.content)
        document_ready_publish(document_id=document_id)
    return RenderOutcome(status=DocumentStatus.READY, rendered=True)
