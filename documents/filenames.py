"""What a downloaded PDF is called, and the ``Content-Disposition`` header that names it.

A SIP is handed to the person, so its file carries the person's name where the reader sees it:
``SIP-Marta-Axelsson-2026-12-06-v1.pdf``. A patient with skyddad identitet is never named in a file
name, whoever downloads it (the file outlives the reader's access in a downloads folder): the name is
``SIP-skyddad-identitet-…``. Other kinds keep a name without the patient (``Document.filename``).

The plain ``filename`` is ASCII (å, ä, ö folded to a, a, o) for old clients; ``filename*`` carries the
same name in UTF-8 (RFC 6266, RFC 8187) for every browser of today.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone

from .models import Document

SIP_KIND = "sip_care_plan"
MASKED = "skyddad-identitet"
_NOT_IN_NAME = re.compile(r"[^\w-]+", re.UNICODE)


def ascii_fold(text: str) -> str:
    """``"Åsa Östergård"`` → ``"Asa Ostergard"``: letters without their marks, other characters dropped."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("æ", "ae").replace("Æ", "Ae"))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def _name_part(text: str) -> str:
    """Words joined by hyphens, with nothing a file system or a header could misread; at most 60 long."""
    words = [w for w in _NOT_IN_NAME.sub(" ", text.replace("_", " ")).split() if w]
    return "-".join(words)[:60].strip("-")


def download_name(document: Document) -> str:
    """The file name in full Unicode (``filename*``); ``Document.filename`` for kinds other than the SIP."""
    if document.kind != SIP_KIND:
        return document.filename
    patient = document.patient
    masked = document.identity_masked or patient.protected_identity
    person = MASKED if masked else _name_part(patient.full_name)
    made = timezone.localdate(document.created_at) if document.created_at else timezone.localdate()
    version = document.source_version.split("-", 1)[0]
    language = "" if document.language == settings.LANGUAGE_CODE else f"-{document.language}"
    return f"SIP-{person or MASKED}-{made.isoformat()}-v{version}{language}.pdf"


def content_disposition(document: Document) -> str:
    """``attachment`` with an ASCII ``filename`` and the UTF-8 ``filename*``."""
    name = download_name(document)
    plain = ascii_fold(name).replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
