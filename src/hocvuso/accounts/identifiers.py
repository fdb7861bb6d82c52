"""Parse and protect the identifiers people sign in with."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import Enum

from django.conf import settings

_PHONE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")
_NATIONAL_ID = re.compile(r"^\d{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Kind(Enum):
    PHONE = "phone"
    EMAIL = "email"
    NATIONAL_ID = "national_id"
    USERNAME = "username"


@dataclass(frozen=True)
class Identifier:
    kind: Kind
    value: str


def normalise_phone(raw: str) -> str | None:
    """Return a Vietnamese mobile number as ``0xxxxxxxxx``, or None if invalid."""
    digits = re.sub(r"[\s.\-()]", "", raw)
    match = _PHONE.match(digits)
    return f"0{match.group(1)}" if match else None


def is_national_id(raw: str) -> bool:
    """Return whether ``raw`` looks like a 12-digit citizen ID (CCCD) number."""
    return bool(_NATIONAL_ID.match(raw.strip()))


def national_id_hash(raw: str) -> str:
    """Return the keyed hash (HMAC-SHA256) of a 12-digit national ID number."""
    key = str(settings.HOCVUSO_ID_HASH_KEY).encode()
    return hmac.new(key, raw.strip().encode(), hashlib.sha256).hexdigest()


def parse_identifier(raw: str) -> Identifier:
    """Classify what someone typed in the sign-in box."""
    text = raw.strip()
    if is_national_id(text):
        return Identifier(Kind.NATIONAL_ID, text)
    phone = normalise_phone(text)
    if phone:
        return Identifier(Kind.PHONE, phone)
    if _EMAIL.match(text):
        return Identifier(Kind.EMAIL, text.lower())
    return Identifier(Kind.USERNAME, text)
