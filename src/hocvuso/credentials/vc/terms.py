"""Refuse JSON-LD documents with terms that no context defines.

pyld has no "safe mode": expansion silently drops a property (or a type)
that its contexts do not define, so a signature would not cover it while a
reader still sees it. The check here, like the ``undefined-terms`` context of
the VC 2.0 work, expands the document once more with a first context that only
sets ``@vocab`` to a sentinel namespace: every term that would have been
dropped now expands into that namespace instead, and the walk over the
expanded result names it. (First, not last: a context that itself sets
``@vocab``, such as the W3C examples context, defines every term on purpose
and overrides the sentinel.) Documents must name their contexts by URL (no
inline context can reset ``@vocab`` or redefine a term), and keys that look
like keywords but are not (which expansion also drops) are refused too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext
from pyld import jsonld

from hocvuso.credentials.vc.errors import ContextNotPinned, UndefinedTerm
from hocvuso.credentials.vc.loader import Loader

SENTINEL = "urn:hocvuso:undefined-term:"

KEYWORDS = frozenset(
    {
        "@base", "@container", "@context", "@direction", "@graph", "@id",
        "@import", "@included", "@index", "@json", "@language", "@list",
        "@nest", "@none", "@prefix", "@propagate", "@protected", "@reverse",
        "@set", "@type", "@value", "@version", "@vocab",
    }
)  # fmt: skip


def context_urls(document: Mapping[str, Any]) -> list[str]:
    """Return the document's ``@context`` as a list of URLs; refuse inline ones."""
    raw = document.get("@context")
    urls = [raw] if isinstance(raw, str) else raw
    if not isinstance(urls, list) or not urls:
        raise ContextNotPinned(gettext("The document has no @context list."))
    for url in urls:
        if not isinstance(url, str):
            raise ContextNotPinned(
                gettext("The document has an inline @context; only URLs are allowed.")
            )
    return list(urls)


def _keys_outside_context(node: Any) -> Iterable[str]:
    if isinstance(node, list):
        for item in node:
            yield from _keys_outside_context(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                continue
            yield key
            yield from _keys_outside_context(value)


def _sentinel_terms(node: Any, found: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _sentinel_terms(item, found)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key.startswith(SENTINEL):
            found.add(key.removeprefix(SENTINEL))
        if key in ("@type", "@id"):
            for iri in value if isinstance(value, list) else [value]:
                if isinstance(iri, str) and iri.startswith(SENTINEL):
                    found.add(iri.removeprefix(SENTINEL))
        elif key != "@value":
            _sentinel_terms(value, found)


def undefined_terms(document: Mapping[str, Any], loader: Loader) -> list[str]:
    """Return the terms (and type names) of ``document`` that no context defines."""
    found = {
        key
        for key in _keys_outside_context(document)
        if key.startswith("@") and key not in KEYWORDS
    }
    probe = dict(document)
    probe["@context"] = [{"@vocab": SENTINEL}, *context_urls(document)]
    expanded = jsonld.expand(probe, {"documentLoader": loader})
    _sentinel_terms(expanded, found)
    return sorted(found)


def terms_check(document: Mapping[str, Any], loader: Loader) -> None:
    """Raise :class:`UndefinedTerm` naming each term no context defines."""
    missing = undefined_terms(document, loader)
    if missing:
        raise UndefinedTerm(
            gettext("Terms not defined by any context: %(terms)s.")
            % {"terms": ", ".join(missing)}
        )
