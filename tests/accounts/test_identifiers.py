from __future__ import annotations

import pytest

from hocvuso.accounts.identifiers import (
    Kind,
    national_id_hash,
    normalise_phone,
    parse_identifier,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84 912 345 678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("0212345678", None),
        ("091234567", None),
        ("abc", None),
    ],
)
def test_normalise_phone(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


def test_parse_identifier_kinds() -> None:
    assert parse_identifier(" 001099012345 ").kind is Kind.NATIONAL_ID
    assert parse_identifier("0912345678").kind is Kind.PHONE
    assert parse_identifier("Lan@Example.VN") == parse_identifier("lan@example.vn")
    assert parse_identifier("admin").kind is Kind.USERNAME


def test_national_id_hash_is_keyed_and_stable(settings: object) -> None:
    first = national_id_hash("001099012345")
    assert first == national_id_hash("001099012345")
    assert "001099012345" not in first and len(first) == 64
    settings.HOCVUSO_ID_HASH_KEY = "another-key"  # type: ignore[attr-defined]
    assert national_id_hash("001099012345") != first
