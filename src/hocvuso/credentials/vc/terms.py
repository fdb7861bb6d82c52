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
like keywords but are not (which expansion also drops) are refused too, and
so are relative IRIs as ids or types: turning the document into RDF for the
signature drops every statement about or towards them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext
from pyld import jsonld

from hocvuso.credentials.vc.errors import ContextNotPinned, UndefinedTerm
from hocvuso.credentials.vc.loader import Loader

SENTINEL = "urn:hocvuso:undefined-term:"
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# pyld resolves a relative IRI against this base when the document has none
# (jsonld.js keeps it relative and drops it): either way it is not what the
# author wrote, so it is refused.
PYLD_BASE = getattr(jsonld, "DEFAULT_BASE_IRI", "http://example.org/base/")

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


def _keys_outside_context(node: Any, *, top: bool = True) -> Iterable[str]:
    """Yield every key below the top-level ``@context``; refuse nested contexts."""
    if isinstance(node, list):
        for item in node:
            yield from _keys_outside_context(item, top=False)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                if top:
                    continue
                raise ContextNotPinned(
                    gettext(
                        "The document has an inline @context; only URLs are allowed."
                    )
                )
            yield key
            yield from _keys_outside_context(value, top=False)


def _sentinel_terms(node: Any, found: set[str], relative: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _sentinel_terms(item, found, relative)
        return
    if not isinstance(node, dict):
        return
    is_value = "@value" in node
    for key, value in node.items():
        if key.startswith(SENTINEL):
            found.add(key.removeprefix(SENTINEL))
        if key in ("@type", "@id"):
            for iri in value if isinstance(value, list) else [value]:
                if not isinstance(iri, str):
                    continue
                if iri.startswith(SENTINEL):
                    found.add(iri.removeprefix(SENTINEL))
                elif iri.startswith(PYLD_BASE):
                    relative.add(iri.removeprefix(PYLD_BASE))
                elif not (is_value or iri.startswith("_:") or ABSOLUTE_IRI.match(iri)):
                    relative.add(iri)
        elif key != "@value":
            _sentinel_terms(value, found, relative)


def _expand_probe(document: Mapping[str, Any], loader: Loader) -> Any:
    probe = dict(document)
    probe["@context"] = [{"@vocab": SENTINEL}, *context_urls(document)]
    return jsonld.expand(probe, {"documentLoader": loader})


def _scan(document: Mapping[str, Any], loader: Loader) -> tuple[set[str], set[str]]:
    """Return the undefined terms and the relative IRIs of ``document``."""
    found = {
        key
        for key in _keys_outside_context(document)
        if key.startswith("@") and key not in KEYWORDS
    }
    relative: set[str] = set()
    _sentinel_terms(_expand_probe(document, loader), found, relative)
    return found, relative


def undefined_terms(document: Mapping[str, Any], loader: Loader) -> list[str]:
    """Return the terms (and type names) of ``document`` that no context defines."""
    return sorted(_scan(document, loader)[0])


def relative_iris(document: Mapping[str, Any], loader: Loader) -> list[str]:
    """Return the relative IRIs used as ids or types (RDF would drop them)."""
    return sorted(_scan(document, loader)[1])


def terms_check(document: Mapping[str, Any], loader: Loader) -> None:
    """Raise :class:`UndefinedTerm` naming each undefined term or relative IRI."""
    found, relative = _scan(document, loader)
    if found:
        raise UndefinedTerm(
            gettext("Terms not defined by any context: %(terms)s.")
            % {"terms": ", ".join(sorted(found))}
        )
    if relative:
        raise UndefinedTerm(
            gettext("Relative IRIs cannot be signed: %(iris)s.")
            % {"iris": ", ".join(sorted(relative))}
        )
