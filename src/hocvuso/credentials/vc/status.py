"""W3C Bitstring Status List: the revocation list credential and its decoder.

A list is a bitstring of ``length`` bits (131,072 at least, so that one
credential hides among many), bit ``i`` being the ``i``-th from the left of
the first byte onward; 1 means revoked. ``encodedList`` is ``u`` (multibase
base64url, no padding) + base64url of the GZIP-compressed bitstring.

The served list (``/credentials/status/<list_id>``) takes its revoked indices
from the provider named by the setting ``HOCVUSO_REVOCATION_PROVIDER`` (a
dotted path to ``(list_id: str) -> Iterable[int] | None``; None means no such
list). The default, :func:`revoked_none`, knows no list: the Certificate app
points the setting at its selector.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from hocvuso.credentials.keys import IssuerKey
from hocvuso.credentials.vc.did import did_web
from hocvuso.credentials.vc.errors import CredentialError
from hocvuso.credentials.vc.loader import CREDENTIALS_V2
from hocvuso.credentials.vc.proof import xsd_datetime
from hocvuso.credentials.vc.sign import credential_sign

MIN_LENGTH = 131072
RevokedProvider = Callable[[str], Iterable[int] | None]


def revoked_none(list_id: str) -> Iterable[int] | None:
    """Know no status list (the default until certificates are wired in)."""
    return None


def revocation_provider() -> RevokedProvider:
    """Return the function giving a list's revoked indices (the setting's)."""
    path = getattr(
        settings,
        "HOCVUSO_REVOCATION_PROVIDER",
        "hocvuso.credentials.vc.status.revoked_none",
    )
    provider: RevokedProvider = import_string(path)
    return provider


def status_list_length() -> int:
    """Return the bits of one status list (``HOCVUSO_STATUS_LIST_SIZE``)."""
    size = max(MIN_LENGTH, int(getattr(settings, "HOCVUSO_STATUS_LIST_SIZE", 0)))
    return size + (-size % 8)


def bitstring_encode(revoked: Iterable[int], *, length: int = MIN_LENGTH) -> str:
    """Return the ``encodedList`` of a list with the ``revoked`` bits set."""
    if length < MIN_LENGTH or length % 8:
        raise ValueError(f"length must be a multiple of 8, at least {MIN_LENGTH}")
    bits = bytearray(length // 8)
    for index in revoked:
        if not 0 <= index < length:
            raise ValueError(f"index {index} is outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def bitstring_decode(encoded: str) -> bytes:
    """Return the bitstring of an ``encodedList``; raise ``ValueError`` if garbled."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    body = encoded[1:]
    try:
        packed = base64.b64decode(
            body + "=" * (-len(body) % 4), altchars=b"-_", validate=True
        )
        bits = gzip.decompress(packed)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError("encodedList is not a gzip bitstring") from exc
    if not bits:
        raise ValueError("encodedList is empty")
    return bits


def bit_is_set(bitstring: bytes, index: int) -> bool:
    """Tell whether bit ``index`` (from the left) is 1; raise if out of range."""
    if not 0 <= index < len(bitstring) * 8:
        raise ValueError(f"index {index} is outside the list")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    list_url: str,
    revoked_indices: Iterable[int],
    *,
    key: IssuerKey | None = None,
    now: datetime,
    length: int = MIN_LENGTH,
    did: str | None = None,
) -> dict[str, Any]:
    """Return the signed ``BitstringStatusListCredential`` at ``list_url``."""
    did = did or did_web()
    document = {
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": xsd_datetime(now),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bitstring_encode(revoked_indices, length=length),
        },
    }
    return credential_sign(document, created=now, key=key, did=did)


def status_entry_revoked(
    entry: Mapping[str, Any], status_list: Mapping[str, Any]
) -> bool:
    """Tell whether ``entry`` (a ``BitstringStatusListEntry``) is set in the list.

    Raise :class:`CredentialError` if the list is not the one the entry names
    or either is malformed. The list's own proof is checked by the verifier.
    """
    if entry.get("type") != "BitstringStatusListEntry":
        raise CredentialError(gettext("The credential status type is not supported."))
    if status_list.get("id") != entry.get("statusListCredential"):
        raise CredentialError(
            gettext("The status list given is not the credential's status list.")
        )
    subject = status_list.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("statusPurpose") != entry.get(
        "statusPurpose"
    ):
        raise CredentialError(gettext("The status list has another purpose."))
    try:
        index = int(str(entry.get("statusListIndex")))
        return bit_is_set(bitstring_decode(str(subject.get("encodedList"))), index)
    except ValueError as exc:
        raise CredentialError(
            gettext("The status list or the status index is garbled.")
        ) from exc
