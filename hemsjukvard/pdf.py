"""The PDF pipeline: a Django template → HTML → an archival, tagged PDF (PDF/A-3u, tagged for PDF/UA).

WeasyPrint is imported inside the functions only, so the web process never loads it (it is big and
starts fontconfig); the worker pays for it once per process. Everything WeasyPrint may fetch goes through
``LocalStaticFetcher``: the project's own static files and nothing else — no network, no ``file://``
path, no ``data:`` URL, whatever ends up in the HTML.

Speed (``bench/bench_pdf.py``): per process the parsed print stylesheet and its ``FontConfiguration``
are built once and reused; the fonts are DejaVu Sans cut down ahead of time to the Latin scripts, so no
document pays for subsetting a 700 kB font, which is what dominates stock WeasyPrint on small
documents; each document then embeds only the glyphs it uses.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import posixpath
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils._os import safe_join

# The Latin-only fonts are subset to the glyphs a document uses: a two-page document is 30 kB instead
# of 89 kB embedding them whole, and no slower to make (bench/bench_pdf.py).
EMBED_FULL_FONTS = False

# A base URL that never reaches a network (".invalid" is reserved, RFC 2606). Relative URLs in the
# stylesheet resolve against it, and the fetcher maps it to the static files.
STATIC_ORIGIN = "https://static.hemsjukvard.invalid/"
PRINT_STYLESHEET = "css/print.css"
PDF_VARIANT = "pdf/a-3u"
SERVED_TYPES = frozenset(
    {"text/css", "font/ttf", "font/otf", "font/woff", "font/woff2"}
    | {"image/png", "image/jpeg", "image/svg+xml"}
)
_EXTENSION_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}


class PdfError(Exception):
    """Rendering failed; the message says why, for the document's failure reason."""


class ResourceRefusedError(PdfError):
    """The HTML or CSS asked for something that is not one of the project's static files."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    page_count: int
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string, every character that could end or escape it escaped."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:-" else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def static_path(url: str) -> Path:
    """The file behind a URL under ``STATIC_ORIGIN``; ``ResourceRefusedError`` for anything else."""
    if not url.startswith(STATIC_ORIGIN):
        scheme = urlsplit(url).scheme or "relative"
        raise ResourceRefusedError(
            f"Refused to fetch {url[:200]!r}: PDFs may use only the application's own static files "
            f"({scheme} URLs are never fetched)."
        )
    parts = urlsplit(url)
    relative = unquote(parts.path).lstrip("/")
    normalised = posixpath.normpath(relative)
    if not relative or normalised.startswith("..") or normalised != relative or "\\" in relative:
        raise ResourceRefusedError(f"Refused to fetch {url[:200]!r}: not a plain static file path.")
    found = finders.find(normalised)
    path: str | None = found if isinstance(found, str) else None
    if path is None and settings.STATIC_ROOT:
        try:
            candidate = safe_join(str(settings.STATIC_ROOT), normalised)
        except Exception:  # SuspiciousFileOperation and the like
            candidate = None
        if candidate and Path(candidate).is_file():
            path = candidate
    if path is None:
        raise ResourceRefusedError(f"Refused to fetch {url[:200]!r}: no such static file.")
    return Path(path)


def _content_type(path: Path) -> str:
    content_type = _EXTENSION_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or ""
    if content_type not in SERVED_TYPES:
        raise ResourceRefusedError(f"Refused to fetch {path.name!r}: not a stylesheet, font or image.")
    return content_type


class LocalStaticFetcher:
    """WeasyPrint's ``url_fetcher``: serves the project's static files and refuses everything else.

    A refusal stops the rendering (``_fail_on_errors``): a PDF that silently lacks something, or one
    built from a resource an attacker named, is worse than no PDF.
    """

    _fail_on_errors = True  # read by weasyprint.urls.fetch

    def __call__(self, url: str) -> Any:
        from weasyprint.urls import URLFetcherResponse

        path = static_path(url)
        content_type = _content_type(path)
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    fetch = __call__


class _Pipeline:
    """What one process builds once: the fetcher, the font configuration and the parsed stylesheet."""

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        # WeasyPrint logs every step at INFO; a worker's log is for what went wrong.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
        self.fetcher = LocalStaticFetcher()
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(
            url=STATIC_ORIGIN + PRINT_STYLESHEET, url_fetcher=self.fetcher, font_config=self.font_config
        )
        # WeasyPrint's font configuration and caches are not made for concurrent use: one render at a time
        # per process (a worker process renders one document at a time anyway).
        self.lock = threading.Lock()


_pipeline: _Pipeline | None = None
_pipeline_lock = threading.Lock()


def _get_pipeline() -> _Pipeline:
    global _pipeline
    with _pipeline_lock:
        if _pipeline is None:
            _pipeline = _Pipeline()
        return _pipeline


def html_render(template_name: str, context: dict[str, Any], *, language: str) -> str:
    """The document's HTML, rendered in ``language`` (autoescaped, so user text stays text)."""
    with translation.override(language):
        return render_to_string(template_name, context)


PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _finisher(document: Any, pdf: Any) -> None:
    """Declare PDF/UA-1 next to PDF/A-3u in the XMP metadata and show the title in viewers.

    WeasyPrint writes one identification (the variant asked for); the document is both archival and
    tagged, so the XMP packet carries ``pdfuaid:part`` too, and PDF/UA wants ``DisplayDocTitle``.
    """
    import pydyf  # type: ignore[import-untyped]

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    reference = pdf.catalog.get("Metadata")
    if not reference:
        return
    if isinstance(reference, bytes):
        reference = reference.decode()
    stream = pdf.objects[int(str(reference).split()[0])]
    rdf = ET.fromstring(document.metadata.generate_rdf_metadata("a", 3, "U"))  # noqa: S314 (our own XML)
    description = ET.SubElement(rdf, f"{{{RDF_NS}}}Description")
    description.set(f"{{{RDF_NS}}}about", "")
    description.set(f"{{{PDFUA_NS}}}part", "1")
    header = b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">'
    footer = b'</x:xmpmeta>\n<?xpacket end="r"?>'
    stream.stream = [b"\n".join((header, ET.tostring(rdf, encoding="utf-8"), footer))]


def pdf_from_html(html: str) -> RenderedPdf:
    """Lay out ``html`` with the print stylesheet and write it as PDF/A-3u, tagged."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    pipeline = _get_pipeline()
    with pipeline.lock:
        try:
            document = HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=pipeline.fetcher).render(
                font_config=pipeline.font_config,
                stylesheets=[pipeline.stylesheet],
                pdf_variant=PDF_VARIANT,
                pdf_tags=True,
                full_fonts=EMBED_FULL_FONTS,
                hinting=False,
            )
            content = document.write_pdf(
                pdf_variant=PDF_VARIANT,
                pdf_tags=True,
                full_fonts=EMBED_FULL_FONTS,
                hinting=False,
                finisher=_finisher,
            )
        except FatalURLFetchingError as exc:  # a BaseException in WeasyPrint: turn it into ours
            cause = exc.__cause__
            if isinstance(cause, PdfError):
                raise type(cause)(str(cause)) from None
            raise PdfError(str(exc)) from cause
    assert isinstance(content, bytes)
    return RenderedPdf(
        content=content, page_count=len(document.pages), sha256=hashlib.sha256(content).hexdigest()
    )


def render_pdf(template_name: str, context: dict[str, Any], *, language: str) -> RenderedPdf:
    """The whole pipeline: template and context → PDF."""
    return pdf_from_html(html_render(template_name, context, language=language))
