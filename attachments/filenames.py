"""What a downloaded attachment is called: ``Läkemedelslista-Marta-Axelsson-2026-12-07.pdf``.

The kind in Swedish, the patient's name and the day it was attached, with the extension of the type read
from the bytes. A patient with skyddad identitet is never named in a file name, whoever downloads it
(the file outlives the reader's access in a downloads folder): ``…-skyddad-identitet-…``. A reader who
does not see the patient's identity (a joint body that sees the case pseudonymised, a coordinator and a
protected patient) gets no person in the name at all, ``Läkemedelslista-2026-12-07.pdf``: neither the name
nor a word that would tell them the patient is protected. The title is left out: it is free text and may
name anyone.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.utils import timezone, translation

from documents.filenames import MASKED, ascii_fold

from .models import Attachment, AttachmentKind

_NOT_IN_NAME = re.compile(r"[^\w-]+", re.UNICODE)
EXTENSION = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def _name_part(text: str) -> str:
    words = [w for w in _NOT_IN_NAME.sub(" ", text.replace("_", " ")).split() if w]
    return "-".join(words)[:60].strip("-")


def download_name(attachment: Attachment, *, identity_visible: bool) -> str:
    patient = attachment.patient
    if not identity_visible:
        person = ""
    elif patient.protected_identity:
        person = MASKED
    else:
        person = _name_part(patient.full_name) or MASKED
    with translation.override("sv"):
        kind = _name_part(str(AttachmentKind(attachment.kind).label))
    day = timezone.localdate(attachment.created_at).isoformat()
    return "-".join(part for part in (kind, person, day) if part) + EXTENSION[attachment.content_type]


def content_disposition(attachment: Attachment, *, identity_visible: bool) -> str:
    """``attachment`` with an ASCII ``filename`` and the UTF-8 ``filename*`` (RFC 6266, RFC 8187)."""
    name = download_name(attachment, identity_visible=identity_visible)
    plain = ascii_fold(name).replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
