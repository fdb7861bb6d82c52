"""Sign hocvuso's credentials with the issuer's current did:web key."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils.translation import gettext

from hocvuso.credentials.keys import IssuerKey, issuer_key_current
from hocvuso.credentials.vc.did import did_web, verification_method_id
from hocvuso.credentials.vc.errors import CredentialError
from hocvuso.credentials.vc.loader import is_pinned
from hocvuso.credentials.vc.proof import proof_sign
from hocvuso.credentials.vc.terms import context_urls


def issuer_id_of(document: Mapping[str, Any]) -> str | None:
    """Return the credential's issuer id (``issuer`` is a string or an object)."""
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def credential_sign(
    document: Mapping[str, Any],
    *,
    created: datetime,
    key: IssuerKey | None = None,
    did: str | None = None,
) -> dict[str, Any]:
    """Return ``document`` signed by ``key`` (default: the current issuer key).

    The issuer must be the site's DID (the key is bound to the issuer), every
    context must be pinned, and no term may be undefined
    (:class:`~hocvuso.credentials.vc.errors.UndefinedTerm` otherwise).
    """
    did = did or did_web()
    if issuer_id_of(document) != did:
        raise CredentialError(
            gettext("The credential's issuer must be %(did)s.") % {"did": did}
        )
    for url in context_urls(document):
        if not is_pinned(url):
            raise CredentialError(
                gettext("The context %(url)s is not one hocvuso knows.") % {"url": url}
            )
    key = key or issuer_key_current()
    return proof_sign(
        document,
        key=key,
        verification_method=verification_method_id(key.kid, did),
        created=created,
    )
