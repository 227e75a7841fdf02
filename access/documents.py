"""Who may see a document (a PDF printed from a case, a risk analysis, a SIP or the access log).

Three rules, all of which must hold:

* the document's **patient**: whoever may see the patient (``access.patients``), through the membership
  that is then named in the access log;
* the printed **identity**: a print showing the identity of a patient with skyddad identitet only to
  those who may see that identity; everyone else sees (and is offered) the masked print;
* the **source**: each kind's own rule (``DocumentSource.readable``): a case's documents only for the
  case's parties, a SIP's after a withdrawal of consent only for the organisation that keeps the plan,
  a log extract only for those who produce extracts.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q

from directory.actor import Actor
from directory.models import Membership
from documents.models import Document
from documents.sources import source_for

from .patients import PatientFacts, granting_membership, identity_visible, patient_facts


def print_grant(
    actor: Actor, facts: PatientFacts, *, protected_identity: bool, identity_masked: bool
) -> Membership | None:
    """The membership through which ``actor`` sees a print of the patient, provided that a print showing
    the patient's identity is seen only by those who may see that identity; ``None`` otherwise."""
    membership = granting_membership(actor, facts)
    if membership is None:
        return None
    if not identity_masked and not identity_visible(actor, facts, protected_identity=protected_identity):
        return None
    return membership


def prints_shown_q(actor: Actor, facts: PatientFacts, *, protected_identity: bool) -> Q:
    """A filter on one patient's ``Document`` rows: the prints ``actor`` may be shown (only the masked
    ones when they may not see the identity)."""
    if identity_visible(actor, facts, protected_identity=protected_identity):
        return Q()
    return Q(identity_masked=True)


def source_readable(actor: Actor, documents: Sequence[Document]) -> set[int]:
    """The ids of the documents whose source ``actor`` may read by its kind's own rule, one call per kind
    whatever the number of documents."""
    by_kind: dict[str, list[Document]] = {}
    for document in documents:
        by_kind.setdefault(document.kind, []).append(document)
    readable: set[int] = set()
    for kind, of_kind in by_kind.items():
        allowed = source_for(kind).readable(actor=actor, source_ids={d.source_id for d in of_kind})
        readable |= {d.pk for d in of_kind if d.source_id in allowed}
    return readable


def document_membership(actor: Actor, document: Document) -> Membership | None:
    """The membership through which ``actor`` may read ``document`` (all three rules), or ``None``.

    Where the patient rule gives none, the kind's own record may (``DocumentSource.grant``: a joint
    body reads the decision notices of a case it handled); such a reader is never care staff, so only
    a print whose identity they may see (``identity_visible``: none at a pseudonymised level) is theirs."""
    patient = document.patient
    facts = patient_facts(patient)
    membership = print_grant(
        actor, facts, protected_identity=patient.protected_identity, identity_masked=document.identity_masked
    )
    if membership is None and (
        document.identity_masked
        or identity_visible(actor, facts, protected_identity=patient.protected_identity)
    ):
        membership = source_for(document.kind).grant(actor=actor, source_id=document.source_id)
    if membership is None or not source_readable(actor, [document]):
        return None
    return membership
