"""What an uploaded file is: its type read from its first bytes, its size and its SHA-256.

The browser's content type and the file name say nothing reliable about the bytes, so the type is read
from the bytes themselves (puremagic's magic-number table); the file name's extension must then agree, so
that a file called ``utskrivning.pdf`` that is really a program or a web page is refused, and a PDF saved
as ``.png`` too. Only PDF, PNG and JPEG are taken: what a discharge summary, a medication list or a
photographed sign-off arrives as, and nothing a browser would run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO

import puremagic
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import AttachmentContentType

# The bytes read to tell the type; every magic number of the types taken sits in the first few.
HEAD_BYTES = 2048
CHUNK_BYTES = 64 * 1024
EXTENSIONS: dict[str, tuple[str, ...]] = {
    AttachmentContentType.PDF: (".pdf",),
    AttachmentContentType.PNG: (".png",),
    AttachmentContentType.JPEG: (".jpg", ".jpeg"),
}


@dataclass(frozen=True)
class InspectedFile:
    content_type: str
    extension: str
    size: int
    sha256: str


def sniffed_type(head: bytes) -> str | None:
    """The content type the first bytes show, if it is one of the types taken; ``None`` otherwise.

    A match must start at the first byte, and among the strongest matches exactly one type taken must
    be named (``%PDF`` is also FDF's magic number, which is not taken).
    """
    try:
        matches = [m for m in puremagic.magic_string(head) if m.offset == 0]
    except puremagic.PureError:
        return None
    if not matches:
        return None
    strongest = max(m.confidence for m in matches)
    taken = {m.mime_type for m in matches if m.confidence == strongest} & set(AttachmentContentType.values)
    return taken.pop() if len(taken) == 1 else None


def file_extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def inspect_file(*, name: str, stream: IO[bytes], max_bytes: int) -> InspectedFile:
    """The file's type, size and SHA-256, read in chunks from ``stream``; a ``ValidationError`` on
    ``file`` when it is empty, too large, of a type not taken, or named with an extension of another type.
    """
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    if not head:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = sniffed_type(head)
    if content_type is None:
        raise ValidationError(
            {"file": _("Only PDF, PNG and JPEG files can be attached. This file is of another kind.")}
        )
    extension = file_extension(name)
    if extension not in EXTENSIONS[content_type]:
        raise ValidationError(
            {
                "file": _(
                    "The file's name ends in “%(extension)s” but the file is a %(kind)s. Give it the "
                    "right ending (%(expected)s) and attach it again."
                )
                % {
                    "extension": extension or _("(no ending)"),
                    "kind": AttachmentContentType(content_type).label,
                    "expected": ", ".join(EXTENSIONS[content_type]),
                }
            }
        )
    digest = hashlib.sha256(head)
    size = len(head)
    while chunk := stream.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            raise ValidationError({"file": too_large_message(max_bytes)})
        digest.update(chunk)
    if size > max_bytes:
        raise ValidationError({"file": too_large_message(max_bytes)})
    stream.seek(0)
    return InspectedFile(content_type=content_type, extension=extension, size=size, sha256=digest.hexdigest())


def too_large_message(max_bytes: int) -> str:
    megabytes = max_bytes / (1024 * 1024)
    shown = f"{megabytes:.0f}" if megabytes >= 1 else f"{megabytes:.2f}"
    return _("The file is larger than %(limit)s MB, the most that can be attached.") % {"limit": shown}
