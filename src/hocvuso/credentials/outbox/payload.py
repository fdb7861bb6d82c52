"""The versioned payload of an outbox event: its shape, builder and checks.

Version 1 is documented on :class:`~hocvuso.credentials.outbox.models.OutboxEvent`
and in docs/credentials-outbox.md. The check refuses anything that looks like
a raw national ID number (9 or 12 digits) or a phone number anywhere in the
payload: the person is named only by the keyed hash of their ID and/or their
hocvuso account id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, TypedDict

from django.utils.translation import gettext

from hocvuso.credentials.errors import OutboxPayloadInvalid

SCHEMA_VERSION = 1

_HASH = re.compile(r"^[0-9a-f]{64}$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Raw identifiers: an old 9-digit ID, a 12-digit citizen ID, a phone number.
_RAW_ID = re.compile(r"(?<!\d)(?:\d{9}|\d{12})(?!\d)|(?<![\d+])(?:\+?84|0)[35789]\d{8}")


class PersonRef(TypedDict):
    id_hash: str | None
    account_id: str | None


class ResultRef(TypedDict):
    target_group: str
    level: int
    date: str


class CertificateRef(TypedDict):
    code: str
    url: str


class RevocationRef(TypedDict):
    date: str
    reason: str


class PayloadV1(TypedDict):
    schema_version: int
    confirmation_id: str
    person: PersonRef
    result: ResultRef
    certificate: CertificateRef | None
    revocation: RevocationRef | None


def payload_build(
    *,
    confirmation_id: str,
    id_hash: str | None,
    account_id: str | None,
    target_group: str,
    level: int,
    result_date: date,
    certificate_code: str | None = None,
    certificate_url: str | None = None,
    revoked_on: date | None = None,
    revocation_reason: str = "",
) -> PayloadV1:
    """Return a version-1 payload (checked by :func:`payload_check`)."""
    payload: PayloadV1 = {
        "schema_version": SCHEMA_VERSION,
        "confirmation_id": str(confirmation_id),
        "person": {
            "id_hash": id_hash,
            "account_id": str(account_id) if account_id else None,
        },
        "result": {
            "target_group": target_group,
            "level": int(level),
            "date": result_date.isoformat(),
        },
        "certificate": (
            {"code": certificate_code, "url": certificate_url or ""}
            if certificate_code
            else None
        ),
        "revocation": (
            {"date": revoked_on.isoformat(), "reason": revocation_reason[:40]}
            if revoked_on
            else None
        ),
    }
    payload_check(payload)
    return payload


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _fail(what: str) -> OutboxPayloadInvalid:
    return OutboxPayloadInvalid(
        gettext("The outbox payload is not valid: %(what)s.") % {"what": what}
    )


def payload_check(payload: Mapping[str, Any]) -> None:
    """Raise :class:`OutboxPayloadInvalid` unless ``payload`` is a valid v1."""
    if payload.get("schema_version") != SCHEMA_VERSION:
        raise _fail("schema_version")
    if not _UUID.match(str(payload.get("confirmation_id", ""))):
        raise _fail("confirmation_id")
    person = payload.get("person")
    if not isinstance(person, Mapping):
        raise _fail("person")
    id_hash, account = person.get("id_hash"), person.get("account_id")
    if id_hash is None and account is None:
        raise _fail("person needs id_hash or account_id")
    if id_hash is not None and not _HASH.match(str(id_hash)):
        raise _fail("person.id_hash")
    if account is not None and not _UUID.match(str(account)):
        raise _fail("person.account_id")
    result = payload.get("result")
    if not isinstance(result, Mapping):
        raise _fail("result")
    level = result.get("level")
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 8:
        raise _fail("result.level")
    if not _DATE.match(str(result.get("date", ""))):
        raise _fail("result.date")
    if not str(result.get("target_group", "")):
        raise _fail("result.target_group")
    for part in ("certificate", "revocation"):
        if payload.get(part) is not None and not isinstance(payload[part], Mapping):
            raise _fail(part)
    for text in _strings(payload):
        # A hash or uuid is hex and may hold a digit run by chance.
        if not (_HASH.match(text) or _UUID.match(text)) and _RAW_ID.search(text):
            raise _fail("it holds what looks like an ID or phone number")
