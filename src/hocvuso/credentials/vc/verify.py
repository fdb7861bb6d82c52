"""Verify a credential offline: contexts, terms, proof, key binding, dates, status.

The verification method must be listed in the issuer's DID document (passed
in, or the site's own when the DID is this site's; a ``did:key`` resolves
from itself) under ``assertionMethod``, and its controller must be the
credential's issuer: a key of someone else cannot sign "as" the issuer.
Every failed check adds one plain error; nothing is fetched from the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext

from hocvuso.core.errors import HocvusoError
from hocvuso.credentials.vc.did import (
    did_document,
    did_document_method,
    did_web,
    multikey_decode,
)
from hocvuso.credentials.vc.loader import document_loader, is_pinned
from hocvuso.credentials.vc.proof import proof_check, proof_of
from hocvuso.credentials.vc.sign import issuer_id_of
from hocvuso.credentials.vc.status import status_entry_revoked
from hocvuso.credentials.vc.terms import context_urls, terms_check


@dataclass
class VerifyResult:
    """The outcome: ``verified`` only when ``errors`` is empty."""

    verified: bool
    errors: list[str]
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "errors": self.errors,
            "warnings": self.warnings,
        }


class KeyRefused(Exception):
    """A check of the key or of the document failed (its message says which)."""


def _did_key_document(did: str) -> dict[str, Any]:
    key = did.removeprefix("did:key:")
    method = {
        "id": f"{did}#{key}",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": key,
    }
    return {
        "id": did,
        "verificationMethod": [method],
        "assertionMethod": [method["id"]],
    }


def _resolve(did: str, given: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if given is not None:
        if given.get("id") != did:
            raise KeyRefused(
                gettext("The DID document given is not the one of %(did)s.")
                % {"did": did}
            )
        return given
    if did.startswith("did:key:z6Mk"):
        return _did_key_document(did)
    if did == did_web():
        return did_document()
    raise KeyRefused(
        gettext("The DID %(did)s cannot be resolved offline: pass its DID document.")
        % {"did": did}
    )


def _absolute(ref: Any, did: str) -> Any:
    if isinstance(ref, Mapping):
        ref = ref.get("id")
    return f"{did}{ref}" if isinstance(ref, str) and ref.startswith("#") else ref


def key_for(
    document: Mapping[str, Any],
    method_id: str,
    did_doc: Mapping[str, Any] | None,
    *,
    bind_issuer: bool = True,
) -> bytes:
    """Return the raw public key of ``method_id`` after the key checks.

    The method must be in the DID document (``did_doc``, or resolved offline),
    listed under ``assertionMethod``, controlled by that DID and (with
    ``bind_issuer``) the DID must be the ``document``'s issuer.
    """
    if "#" not in method_id:
        raise KeyRefused(gettext("The proof names no verification method."))
    did = method_id.split("#", 1)[0]
    resolved = _resolve(did, did_doc)
    method = did_document_method(resolved, method_id)
    if method is None:
        raise KeyRefused(
            gettext("The key %(key)s is not in the issuer's DID document.")
            % {"key": method_id}
        )
    listed = [_absolute(r, did) for r in resolved.get("assertionMethod", [])]
    if method_id not in listed:
        raise KeyRefused(
            gettext("The key %(key)s may not sign credentials (no assertionMethod).")
            % {"key": method_id}
        )
    if method.get("controller") != resolved.get("id"):
        raise KeyRefused(gettext("The key is not controlled by its DID."))
    if bind_issuer and issuer_id_of(document) != method.get("controller"):
        raise KeyRefused(
            gettext("The key %(key)s does not belong to the issuer %(issuer)s.")
            % {"key": method_id, "issuer": issuer_id_of(document)}
        )
    if method.get("type") != "Multikey":
        raise KeyRefused(gettext("The key is not a Multikey."))
    try:
        return multikey_decode(str(method.get("publicKeyMultibase")))
    except ValueError as exc:
        raise KeyRefused(gettext("The key is not an Ed25519 Multikey.")) from exc


def _signing_key(
    document: Mapping[str, Any],
    did_doc: Mapping[str, Any] | None,
    *,
    bind_issuer: bool,
) -> bytes:
    """Return the public key that must have made the proof, after the key checks."""
    method_id = proof_of(document).get("verificationMethod")
    if not isinstance(method_id, str):
        raise KeyRefused(gettext("The proof names no verification method."))
    return key_for(document, method_id, did_doc, bind_issuer=bind_issuer)


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def dates_check(document: Mapping[str, Any], now: datetime) -> list[str]:
    errors = []
    start = _moment(document.get("validFrom"))
    if "validFrom" in document and start is None:
        errors.append(gettext("validFrom is not a date and time."))
    elif start is not None and now < start:
        errors.append(gettext("The credential is not valid yet."))
    if "validUntil" in document:
        end = _moment(document.get("validUntil"))
        if end is None:
            errors.append(gettext("validUntil is not a date and time."))
        elif now >= end:
            errors.append(gettext("The credential has expired."))
    return errors


def _check_signed(
    document: Mapping[str, Any],
    *,
    did_document: Mapping[str, Any] | None,
    extra_contexts: Mapping[str, Mapping[str, Any]] | None,
    bind_issuer: bool,
) -> list[str]:
    """Return the errors of contexts, terms, key and proof (empty when good)."""
    loader = document_loader(extra_contexts)
    try:
        for url in context_urls(document):
            if not is_pinned(url) and url not in (extra_contexts or {}):
                return [
                    gettext("The context %(url)s is not one hocvuso knows.")
                    % {"url": url}
                ]
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        terms_check(unsecured, loader)
        public_key = _signing_key(document, did_document, bind_issuer=bind_issuer)
        proof_check(document, public_key, loader)
    except (KeyRefused, HocvusoError) as exc:
        return [exc.message if isinstance(exc, HocvusoError) else str(exc)]
    except Exception as exc:  # pyld raises its own errors on malformed JSON-LD
        return [gettext("The document is not valid JSON-LD: %(e)s") % {"e": exc}]
    return []


def credential_verify(
    document: Any,
    *,
    now: datetime,
    did_document: Mapping[str, Any] | None = None,
    status_list: Mapping[str, Any] | None = None,
    extra_contexts: Mapping[str, Mapping[str, Any]] | None = None,
    bind_issuer: bool = True,
) -> VerifyResult:
    """Verify ``document`` offline at the moment ``now``.

    ``did_document`` is the issuer's (default: this site's own, for its DID);
    ``status_list`` the signed ``BitstringStatusListCredential`` its
    ``credentialStatus`` names (without it, revocation is not checked and a
    warning says so). ``extra_contexts`` and ``bind_issuer=False`` exist for
    test vectors of other issuers only.
    """
    if not isinstance(document, Mapping):
        return VerifyResult(False, [gettext("The credential is not a JSON object.")])
    errors = _check_signed(
        document,
        did_document=did_document,
        extra_contexts=extra_contexts,
        bind_issuer=bind_issuer,
    )
    errors += dates_check(document, now)
    warnings: list[str] = []
    entry = document.get("credentialStatus")
    if entry is not None and status_list is None:
        warnings.append(gettext("Revocation was not checked: no status list given."))
    elif isinstance(entry, Mapping) and status_list is not None:
        errors += status_check(document, entry, status_list, did_document, now)
    elif entry is not None:
        errors.append(gettext("The credential status is not one entry."))
    return VerifyResult(not errors, errors, warnings)


def status_check(
    document: Mapping[str, Any],
    entry: Mapping[str, Any],
    status_list: Mapping[str, Any],
    did_doc: Mapping[str, Any] | None,
    now: datetime,
) -> list[str]:
    """Return the errors of the revocation check of ``entry`` against the list."""
    if not isinstance(entry, Mapping):
        return [gettext("The credential status is not one entry.")]
    list_errors = _check_signed(
        status_list, did_document=did_doc, extra_contexts=None, bind_issuer=True
    )
    list_errors += dates_check(status_list, now)
    if issuer_id_of(status_list) != issuer_id_of(document):
        list_errors.append(gettext("The status list has another issuer."))
    if list_errors:
        return [
            gettext("The status list cannot be trusted: %(e)s")
            % {"e": "; ".join(list_errors)}
        ]
    try:
        revoked = status_entry_revoked(entry, status_list)
    except HocvusoError as exc:
        return [exc.message]
    return [gettext("The credential has been revoked.")] if revoked else []
