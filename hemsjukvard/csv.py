"""The CSV files the product writes: one format, and cells a spreadsheet cannot run as formulas.

Every CSV download (the access-log export, the figures) goes through ``csv_document``. Two reasons:

* **Formula injection.** Excel and LibreOffice treat a cell that starts with ``=``, ``+``, ``-`` or
  ``@`` (and, after a tab or carriage return that they skip, the same) as a formula; a formula can fetch
  URLs with the sheet's data or start programs (DDE). Free text people type (an emergency reason, a
  patient's or organisation's name) ends up in these files and is opened by a MAS on a work computer,
  so such a cell is written with a leading apostrophe, which spreadsheets show as text. A cell that is
  a plain number (``-3``, ``-1,5``) is left as it is: it is no formula, and the figures need it numeric.
* **Swedish Excel.** UTF-8 with a byte-order mark (Excel reads it as "this is UTF-8", so å, ä, ö survive)
  and ``;`` between fields (the Swedish list separator, since the comma is the decimal sign), so the file
  opens straight into columns by double-click. LibreOffice asks and accepts both.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

DELIMITER = ";"

# What a spreadsheet may read as the start of a formula (tab and CR are skipped before it).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?%?")


def csv_cell(value: object) -> str:
    """``value`` as a cell's text that no spreadsheet evaluates."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_document(header: Sequence[object], rows: Iterable[Sequence[object]]) -> bytes:
    """A whole CSV file: BOM, ``;``-separated, CRLF line ends, every cell through ``csv_cell``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([csv_cell(value) for value in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
