"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C vc-di-eddsa).

To sign: take the proof options (``type``, ``cryptosuite``, ``created``,
``verificationMethod``, ``proofPurpose``) with the document's ``@context``,
canonicalise them and the document (without ``proof``) with RDFC-1.0
(pyld's ``URDNA2015``, which RDFC-1.0 standardised; pyld's default is the
older ``URGNA2012``, so the algorithm is always named), hash each with
SHA-256, sign ``proofConfigHash + documentHash`` with Ed25519, and store the
signature as multibase base58btc (``z…``) in ``proofValue``. Both documents
must pass :func:`hocvuso.credentials.vc.terms.terms_check` first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils.translation import gettext
from pyld import jsonld

from hocvuso.credentials.vc.errors import CredentialError
from hocvuso.credentials.vc.loader import Loader, document_loader
from hocvuso.credentials.vc.terms import context_urls, terms_check

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class Signer(Protocol):
    """Anything with an Ed25519 ``sign`` (an :class:`IssuerKey`)."""

    def sign(self, data: bytes) -> bytes: ...


def xsd_datetime(moment: datetime) -> str:
    """Return ``moment`` as an XML Schema dateTime in UTC, to the second."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonize(document: Mapping[str, Any], loader: Loader) -> str:
    """Return the RDFC-1.0 canonical N-Quads of ``document``."""
    text: str = jsonld.normalize(
        dict(document),
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": loader,
        },
    )
    return text


def hash_data(
    document: Mapping[str, Any], proof_config: Mapping[str, Any], loader: Loader
) -> bytes:
    """Return ``SHA-256(canon(proof config)) + SHA-256(canon(document))``."""
    for part in (document, proof_config):
        terms_check(part, loader)
    config_hash = hashlib.sha256(canonize(proof_config, loader).encode()).digest()
    doc_hash = hashlib.sha256(canonize(document, loader).encode()).digest()
    return config_hash + doc_hash


def proof_sign(
    document: Mapping[str, Any],
    *,
    key: Signer,
    verification_method: str,
    created: datetime,
    loader: Loader | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` with an ``eddsa-rdfc-2022`` proof added."""
    loader = loader or document_loader()
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    config = {**options, "@context": context_urls(unsecured)}
    signature = key.sign(hash_data(unsecured, config, loader))
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode()}
    return {**unsecured, "proof": proof}


def proof_of(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the document's single proof; raise :class:`CredentialError` if none."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, Mapping):
        raise CredentialError(gettext("The credential has no single proof."))
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise CredentialError(
            gettext("The proof is not a %(suite)s Data Integrity proof.")
            % {"suite": CRYPTOSUITE}
        )
    if proof.get("proofPurpose") != "assertionMethod":
        raise CredentialError(gettext("The proof is not made for assertions."))
    return proof


def proof_check(
    document: Mapping[str, Any], public_key: bytes, loader: Loader | None = None
) -> None:
    """Raise :class:`CredentialError` unless the proof was made with ``public_key``."""
    loader = loader or document_loader()
    proof = proof_of(document)
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise CredentialError(gettext("The proof value is not base58btc."))
    try:
        signature = base58.b58decode(value[1:])
    except ValueError as exc:
        raise CredentialError(gettext("The proof value is not base58btc.")) from exc
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in config:
        # vc-di-eddsa: the document's contexts must start with the proof's.
        wanted = context_urls(config)
        if context_urls(unsecured)[: len(wanted)] != wanted:
            raise CredentialError(gettext("The proof's contexts do not match."))
        unsecured["@context"] = wanted
    else:
        config["@context"] = context_urls(unsecured)
    data = hash_data(unsecured, config, loader)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError) as exc:
        raise CredentialError(
            gettext("The signature does not match: the credential was changed.")
        ) from exc
