"""The JSON-LD contexts hocvuso ships, and a document loader serving only them.

The files in ``contexts/`` are byte-identical copies of the published contexts
(taken from the npm packages named in ``contexts/manifest.json``); the
manifest pins each file's SHA-256 and :func:`pinned_contexts` refuses a file
whose bytes changed. :func:`document_loader` never touches the network: a URL
that is not pinned (and not an extra document a caller passes, such as a DID
document) raises :class:`ContextNotPinned`.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from django.utils.translation import gettext

from hocvuso.credentials.vc.errors import ContextNotPinned, ContextTampered

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

Loader = Callable[[str, Mapping[str, Any] | None], dict[str, Any]]


def _folder() -> Any:
    return resources.files("hocvuso.credentials.vc").joinpath("contexts")


def manifest() -> list[dict[str, str]]:
    """Return the manifest entries: ``url``, ``file``, ``source``, ``sha256``."""
    data = json.loads(_folder().joinpath("manifest.json").read_text("utf-8"))
    return list(data["contexts"])


def context_bytes(url: str) -> bytes:
    """Return the pinned bytes of the context at ``url``, checked against the hash."""
    for entry in manifest():
        if entry["url"] == url:
            raw: bytes = _folder().joinpath(entry["file"]).read_bytes()
            if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
                raise ContextTampered(
                    gettext("The shipped context %(file)s has been changed.")
                    % {"file": entry["file"]}
                )
            return raw
    raise ContextNotPinned(
        gettext("The context %(url)s is not one hocvuso knows.") % {"url": url}
    )


@functools.cache
def pinned_contexts() -> dict[str, dict[str, Any]]:
    """Return every pinned context, parsed, by URL (checked once per process)."""
    return {e["url"]: json.loads(context_bytes(e["url"])) for e in manifest()}


def is_pinned(url: str) -> bool:
    """Tell whether ``url`` is the URL of a pinned context."""
    return url in pinned_contexts()


def document_loader(
    extra: Mapping[str, Mapping[str, Any]] | None = None,
) -> Loader:
    """Return a pyld document loader for the pinned contexts and ``extra`` docs.

    ``extra`` maps further URLs (a DID document, a test's context) to their
    parsed documents. Anything else raises; nothing is ever fetched.
    """
    known = dict(extra or {})

    def load(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        document = known.get(url)
        if document is None:
            document = pinned_contexts().get(url)
        if document is None:
            raise ContextNotPinned(
                gettext("The context %(url)s is not one hocvuso knows.") % {"url": url}
            )
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": copy.deepcopy(dict(document)),
        }

    return load
