"""The type of a file is read from its bytes, and its name must agree; size is bounded."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from attachments.files import inspect_file, sniffed_type

from .conftest import EXE, HTML, JPEG, PDF, PNG


@pytest.mark.parametrize(
    ("data", "expected"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (EXE, None), (HTML, None)],
)
def test_the_type_is_read_from_the_bytes(data, expected):
    assert sniffed_type(data) == expected


def _problem(name: str, data: bytes, max_bytes: int = 1024 * 1024) -> str:
    with pytest.raises(ValidationError) as caught:
        inspect_file(name=name, stream=io.BytesIO(data), max_bytes=max_bytes)
    return " ".join(caught.value.message_dict["file"])


def test_a_program_renamed_to_pdf_is_refused():
    assert "Endast PDF, PNG och JPEG" in _swedish(lambda: _problem("utskrivning.pdf", EXE))


def test_a_web_page_named_pdf_is_refused():
    assert "Endast PDF, PNG och JPEG" in _swedish(lambda: _problem("utskrivning.pdf", HTML))


def test_a_pdf_named_png_is_refused_with_the_right_ending_named():
    message = _swedish(lambda: _problem("lakemedel.png", PDF))
    assert "”.png”" in message or ".png" in message
    assert ".pdf" in message


def test_a_file_over_the_limit_is_refused():
    assert "större än" in _swedish(lambda: _problem("stor.pdf", PDF + b"0" * 5000, max_bytes=4096))


def test_an_empty_file_is_refused():
    assert "tom" in _swedish(lambda: _problem("tom.pdf", b""))


def test_a_good_file_is_measured_and_hashed():
    import hashlib

    found = inspect_file(name="Utskrivning.PDF", stream=io.BytesIO(PDF), max_bytes=1024)
    assert (found.content_type, found.extension, found.size) == ("application/pdf", ".pdf", len(PDF))
    assert found.sha256 == hashlib.sha256(PDF).hexdigest()
    jpeg = inspect_file(name="intyg.jpeg", stream=io.BytesIO(JPEG), max_bytes=1024)
    assert jpeg.content_type == "image/jpeg"


def _swedish(call):
    from django.utils import translation

    with translation.override("sv"):
        return call()
