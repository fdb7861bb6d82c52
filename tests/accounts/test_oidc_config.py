"""Reading the provider's settings and mapping its claims."""

from __future__ import annotations

import pytest
from django.test import override_settings

from hocvuso.accounts.apps import check_oidc
from hocvuso.accounts.identifiers import national_id_hash
from hocvuso.accounts.oidc_config import (
    oidc_config,
    parse_level_map,
    person_from_claims,
)

ON = {
    "HOCVUSO_OIDC_ISSUER": "https://sso.example.vn",
    "HOCVUSO_OIDC_CLIENT_ID": "hocvuso",
    "HOCVUSO_OIDC_SCOPES": "profile phone",
    "HOCVUSO_OIDC_LEVEL_CLAIM": "acr",
    "HOCVUSO_OIDC_LEVEL_MAP": "urn:vneid:level2=2,urn:vneid:level1=1",
}


def test_off_without_an_issuer() -> None:
    with override_settings(HOCVUSO_OIDC_ISSUER=""):
        assert oidc_config() is None


def test_openid_is_always_asked_and_discovery_is_under_the_issuer() -> None:
    with override_settings(**ON):
        config = oidc_config()
    assert config is not None
    assert config.scopes == ("openid", "profile", "phone")
    assert config.metadata_url == (
        "https://sso.example.vn/.well-known/openid-configuration"
    )


def test_level_map_parses_and_refuses_nonsense() -> None:
    assert parse_level_map(" a=2, urn:x:y=1 ,") == (("a", 2), ("urn:x:y", 1))
    assert parse_level_map("") == ()
    for bad in ("a", "a=3", "=1", "a=x"):
        with pytest.raises(ValueError):
            parse_level_map(bad)


def test_levels_from_a_mapping_or_a_number() -> None:
    with override_settings(**ON):
        mapped = oidc_config()
    with override_settings(**(ON | {"HOCVUSO_OIDC_LEVEL_MAP": ""})):
        numeric = oidc_config()
    assert mapped is not None and numeric is not None
    assert mapped.level_of("urn:vneid:level2") == 2
    assert mapped.level_of("urn:vneid:level1") == 1
    assert mapped.level_of("urn:other") == 0
    assert mapped.level_of(None) == 0
    assert mapped.level_of(["urn:vneid:level1", "urn:vneid:level2"]) == 2
    assert numeric.level_of(2) == 2
    assert numeric.level_of("1") == 1
    assert numeric.level_of(5) == 2  # capped at the highest level known
    assert numeric.level_of(True) == 0
    assert numeric.level_of("high") == 0


def test_claims_map_to_a_person_with_the_citizen_id_hashed() -> None:
    with override_settings(**ON):
        config = oidc_config()
    assert config is not None
    person = person_from_claims(
        config,
        {
            "sub": "abc",
            "name": "  Nguyễn   Thị Lan ",
            "phone_number": "+84 912 000 111",
            "national_id": "001168000111",
            "birthdate": "1968-04-12",
            "acr": "urn:vneid:level2",
        },
    )
    assert person.subject == "abc" and person.level == 2
    assert person.full_name == "Nguyễn Thị Lan"
    assert person.phone == "0912000111"
    assert person.national_id_hash == national_id_hash("001168000111")
    assert person.national_id_last4 == "0111"
    assert person.birth_year == 1968
    assert "0912000111" not in repr(person)
    assert "001168000111" not in repr(person)


def test_malformed_or_missing_claims_are_left_empty() -> None:
    with override_settings(**ON):
        config = oidc_config()
    assert config is not None
    person = person_from_claims(
        config,
        {"sub": "x", "phone_number": "12345", "national_id": "123", "birthdate": 1975},
    )
    assert person.phone is None
    assert person.national_id_hash == "" and person.national_id_last4 == ""
    assert person.birth_year == 1975
    assert person.level == 0
    with pytest.raises(ValueError):
        person_from_claims(config, {"name": "no subject"})


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"HOCVUSO_OIDC_LEVEL_MAP": "level2"}, ["hocvuso.accounts.E004"]),
        ({"HOCVUSO_OIDC_CLIENT_ID": ""}, ["hocvuso.accounts.E005"]),
        ({"HOCVUSO_OIDC_ISSUER": "http://sso.example.vn"}, ["hocvuso.accounts.E006"]),
        ({"HOCVUSO_OIDC_ISSUER": "http://127.0.0.1:9000"}, []),
        ({"HOCVUSO_OIDC_ISSUER": ""}, []),
    ],
)
def test_start_up_check(changes: dict[str, str], expected: list[str]) -> None:
    with override_settings(**(ON | changes)):
        assert [e.id for e in check_oidc()] == expected


def test_a_malformed_level_map_turns_sign_in_off_instead_of_failing() -> None:
    with override_settings(**(ON | {"HOCVUSO_OIDC_LEVEL_MAP": "level2"})):
        assert oidc_config() is None
