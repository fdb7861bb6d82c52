from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from hocvuso.credentials.vc.errors import ContextNotPinned, UndefinedTerm
from hocvuso.credentials.vc.loader import document_loader
from hocvuso.credentials.vc.sign import credential_sign
from hocvuso.credentials.vc.terms import relative_iris, terms_check, undefined_terms

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def test_the_badge_uses_only_defined_terms(unsigned: dict[str, Any]) -> None:
    assert undefined_terms(unsigned, document_loader()) == []


@pytest.mark.parametrize(
    ("change", "term"),
    [
        (lambda d: d.update(nationalId="001234567890"), "nationalId"),
        (lambda d: d["credentialSubject"].update(phone="0912345678"), "phone"),
        (lambda d: d["credentialSubject"]["achievement"].update(score=9), "score"),
        (lambda d: d["type"].append("DiplomaCredential"), "DiplomaCredential"),
        (lambda d: d["issuer"].update({"@foo": "x"}), "@foo"),
        (
            lambda d: d["credentialSubject"]["achievement"]["alignment"][0].update(
                weight=1
            ),
            "weight",
        ),
    ],
)
def test_an_undefined_term_is_named_and_refused(
    unsigned: dict[str, Any], change: Any, term: str
) -> None:
    doc = copy.deepcopy(unsigned)
    change(doc)
    assert term in undefined_terms(doc, document_loader())
    with pytest.raises(UndefinedTerm, match=term):
        terms_check(doc, document_loader())
    with pytest.raises(UndefinedTerm, match=term):
        credential_sign(doc, created=NOW)


def test_a_term_the_profile_scope_defines_is_not_flagged(
    unsigned: dict[str, Any],
) -> None:
    # "phone" is defined inside the issuer's Profile, not in the subject.
    doc = copy.deepcopy(unsigned)
    doc["issuer"]["phone"] = "02438000000"
    assert undefined_terms(doc, document_loader()) == []


def test_inline_contexts_are_refused(unsigned: dict[str, Any]) -> None:
    doc = copy.deepcopy(unsigned)
    doc["@context"].append({"@vocab": "https://example.org/#"})
    with pytest.raises(ContextNotPinned, match="inline"):
        terms_check(doc, document_loader())


@pytest.mark.parametrize(
    ("change", "iri"),
    [
        (lambda d: d.update(id="K7Q2-9XPA"), "K7Q2-9XPA"),
        (lambda d: d["issuer"].update(id="hocvuso"), "hocvuso"),
        (
            lambda d: d["credentialSubject"]["achievement"].update(id="co-ban"),
            "co-ban",
        ),
    ],
)
def test_a_relative_iri_is_refused(
    unsigned: dict[str, Any], change: Any, iri: str
) -> None:
    doc = copy.deepcopy(unsigned)
    change(doc)
    assert relative_iris(doc, document_loader()) == [iri]
    with pytest.raises(UndefinedTerm, match=f"Relative IRIs cannot be signed: {iri}"):
        terms_check(doc, document_loader())


def test_the_badge_has_no_relative_iri(unsigned: dict[str, Any]) -> None:
    assert relative_iris(unsigned, document_loader()) == []


def test_a_nested_context_is_refused(unsigned: dict[str, Any]) -> None:
    # It could reset @vocab and so hide an undefined term from the check.
    doc = copy.deepcopy(unsigned)
    doc["credentialSubject"]["@context"] = {"@vocab": None}
    doc["credentialSubject"]["grade"] = "A+"
    with pytest.raises(ContextNotPinned, match="inline"):
        terms_check(doc, document_loader())
