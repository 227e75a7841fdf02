"""No personnummer in a log line, whatever a library or a message put there.

Logs leave the care system (to a log store that operators, not care staff, read), so they must hold no
personal data. The application logs ids, never names or personnummer; this filter is the safety net for
what it does not control (an exception's text, a library quoting a value): anything shaped like a
personnummer or samordningsnummer (YYMMDD or YYYYMMDD, a separator or none, four digits) is replaced.
"""

from __future__ import annotations

import logging
import re

PERSONNUMMER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
REPLACEMENT = "[personnummer]"


def redact(text: str) -> str:
    return PERSONNUMMER.sub(REPLACEMENT, text)


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            # The traceback is formatted later from exc_info; keep its text, redacted, instead.
            import traceback

            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
            record.exc_info = None
        return True
