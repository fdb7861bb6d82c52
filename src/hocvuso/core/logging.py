"""Logging filter that keeps personal identifiers out of every log line."""

from __future__ import annotations

import logging
import re

# 12-digit citizen ID numbers, Vietnamese phone numbers (0xxxxxxxxx / +84…,
# also with the spaces, dots or dashes people type: the sign-in form accepts
# them), e-mail addresses.
_PATTERNS = [
    re.compile(r"(?<!\d)\d{12}(?!\d)"),
    re.compile(r"(?<![\d+])(?:\+?84|0)[\s.\-]?[35789](?:[\s.\-]?\d){8}(?!\d)"),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
]


def redact(text: str) -> str:
    """Return ``text`` with ID numbers, phone numbers and e-mails masked."""
    for pattern in _PATTERNS:
        text = pattern.sub("[redacted]", text)
    return text


_FORMATTER = logging.Formatter()


class RedactPersonalDataFilter(logging.Filter):
    """Mask personal identifiers in every record: message, traceback, stack.

    An exception's text is formatted here (as a handler's formatter would) and
    kept redacted in ``exc_text``, which formatters print instead of
    formatting ``exc_info`` again: a file name holding a citizen ID in an
    ``OSError`` is masked like the message.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
