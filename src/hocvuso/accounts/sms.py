"""Text messages (SMS) through a pluggable sender, chosen by a setting.

``HOCVUSO_SMS_SENDER`` names the sender class by its dotted path:

- ``hocvuso.accounts.sms.ConsoleSender`` (the default): writes each message to
  the server's standard output, for development and small pilots where an
  operator reads it out. It is not a log: nothing reaches the log files.
- ``hocvuso.accounts.sms.MemorySender``: keeps messages in ``outbox`` (tests).
- ``hocvuso.accounts.sms.DisabledSender``: sends nothing (SMS turned off;
  people reset their password with a helper or officer in person).

A gateway of one's own is a class with ``send(self, *, phone, text)`` that
raises ``SmsError`` when the message could not be handed over; see
docs/password-reset.md. Senders are called after the database transaction
commits, never inside it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_SENDER = "hocvuso.accounts.sms.ConsoleSender"


class SmsError(Exception):
    """The message could not be handed to the SMS gateway."""


class SmsSender(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


class ConsoleSender:
    """Write the message to standard output (development, pilots)."""

    def send(self, *, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {phone}] {text}\n")
        sys.stdout.flush()


class MemorySender:
    """Keep messages in ``MemorySender.outbox`` (a class attribute, for tests)."""

    outbox: ClassVar[list[SmsMessage]] = []

    def send(self, *, phone: str, text: str) -> None:
        MemorySender.outbox.append(SmsMessage(phone=phone, text=text))


class DisabledSender:
    """Send nothing: the site offers no SMS."""

    enabled = False

    def send(self, *, phone: str, text: str) -> None:
        return None


def sms_sender() -> SmsSender:
    """Return an instance of the configured sender."""
    path = str(getattr(settings, "HOCVUSO_SMS_SENDER", "") or DEFAULT_SENDER)
    sender: SmsSender = import_string(path)()
    return sender


def sms_enabled() -> bool:
    """Return whether the configured sender sends anything at all."""
    return bool(getattr(sms_sender(), "enabled", True))
