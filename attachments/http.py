"""What the pages and the API share about an upload and a download over HTTP.

* The size limit holds before the body is read: a request whose ``Content-Length`` is already over the
  limit is refused with its file unread (only the form's fields before the file are read, so the page
  can keep what was typed), and ``SizeLimitedUploadHandler`` stops a file as soon as more than the limit
  has arrived (the rest of the body is drained, never kept), so no request can make the server hold a
  large file in memory or on disk.
* A download is ``attachment`` with a safe Swedish file name, ``nosniff`` (the browser must not guess
  another type than the one read from the bytes) and never cached.
"""

from __future__ import annotations

from typing import IO, Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, HttpRequest

from .filenames import content_disposition
from .selectors import AttachmentView
from .services import max_bytes

# What a multipart body carries besides the file (boundaries, kind, title); a request longer than the
# limit by more than this cannot hold a file within it.
FORM_OVERHEAD_BYTES = 64 * 1024


class SizeLimitedUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive and stops the upload past ``limit``."""

    def __init__(self, request: HttpRequest | None = None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class FieldsBeforeFileHandler(FileUploadHandler):
    """Stops reading the body where the first file begins: the fields before it are read, the file never
    (nor anything after it)."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        return None

    def file_complete(self, file_size: int) -> None:
        return None


def read_fields_only(request: HttpRequest) -> None:
    """Let the request's form fields be read (``request.POST``) but not its files."""
    request.upload_handlers = [FieldsBeforeFileHandler(request)]


def declared_too_large(request: HttpRequest) -> bool:
    """Whether the request says, before a byte of it is read, that it is longer than any allowed upload."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_bytes() + FORM_OVERHEAD_BYTES


def limit_uploads(request: HttpRequest) -> SizeLimitedUploadHandler:
    """Put the size limit first among the request's upload handlers (before its body is parsed)."""
    handler = SizeLimitedUploadHandler(request, limit=max_bytes())
    # A list until the body has been read (then Django makes it immutable, and this would fail loudly).
    request.upload_handlers = [handler, *request.upload_handlers]
    return handler


def download_response(view: AttachmentView, content: IO[bytes]) -> FileResponse:
    attachment = view.attachment
    response = FileResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment, identity_visible=view.identity_visible)
    response["Content-Length"] = str(attachment.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["ETag"] = f'"{attachment.sha256}"'
    return response
