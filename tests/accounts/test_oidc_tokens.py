"""ID tokens are refused unless signature, issuer, audience, expiry, nonce hold.

Tokens are signed here with a key of the test, published to the client as the
provider's JWKS would be; the client is authlib's, as in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from joserfc import jwt
from joserfc.jwk import RSAKey

from hocvuso.accounts.errors import OidcTokenInvalid
from hocvuso.accounts.oidc_client import id_token_claims

ISSUER = "https://sso.example.vn"
CLIENT_ID = "hocvuso"
NONCE = "n-0S6_WzA2Mj"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)


@pytest.fixture
def app() -> DjangoOAuth2App:
    client = OAuth().register(
        name="test", client_id=CLIENT_ID, client_secret="s", client_kwargs={}
    )
    client.server_metadata = {
        "issuer": ISSUER,
        "jwks": {"keys": [KEY.as_dict(private=False)]},
        "id_token_signing_alg_values_supported": ["RS256"],
    }
    return client


# Tokens are made and checked at this instant (authlib reads time.time()).
NOW = 1_772_416_800  # 2026-03-02 02:00 UTC


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def claims(**changes: Any) -> dict[str, Any]:
    now = NOW
    data: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "lan",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": NONCE,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def token(payload: dict[str, Any], key: RSAKey = KEY) -> dict[str, str]:
    return {
        "id_token": jwt.encode({"alg": "RS256", "kid": "k1"}, payload, key),
        "access_token": "at",
    }


def check(app: DjangoOAuth2App, tok: dict[str, str], nonce: str = NONCE) -> Any:
    return id_token_claims(app, tok, nonce=nonce, leeway=60)


def test_a_good_token_gives_its_claims(app: DjangoOAuth2App) -> None:
    assert check(app, token(claims()))["sub"] == "lan"


def test_a_tampered_token_is_refused(app: DjangoOAuth2App) -> None:
    head, _body, sig = token(claims())["id_token"].split(".")
    other = jwt.encode({"alg": "RS256", "kid": "k1"}, claims(sub="binh"), KEY)
    forged = ".".join([head, other.split(".")[1], sig])
    with pytest.raises(OidcTokenInvalid):
        check(app, {"id_token": forged, "access_token": "at"})


def test_a_token_signed_by_another_key_is_refused(app: DjangoOAuth2App) -> None:
    with pytest.raises(OidcTokenInvalid):
        check(app, token(claims(), key=OTHER_KEY))


def test_an_unsigned_token_is_refused(app: DjangoOAuth2App) -> None:
    head = "eyJhbGciOiJub25lIn0"  # {"alg":"none"}
    body = token(claims())["id_token"].split(".")[1]
    with pytest.raises(OidcTokenInvalid):
        check(app, {"id_token": f"{head}.{body}.", "access_token": "at"})


def test_an_expired_token_is_refused(app: DjangoOAuth2App) -> None:
    now = NOW
    with pytest.raises(OidcTokenInvalid):
        check(app, token(claims(iat=now - 7200, exp=now - 3600)))


def test_a_token_of_another_sign_in_is_refused(app: DjangoOAuth2App) -> None:
    with pytest.raises(OidcTokenInvalid):
        check(app, token(claims()), nonce="another-nonce")
    with pytest.raises(OidcTokenInvalid):
        check(app, token(claims(nonce=None)))


def test_a_token_for_another_site_or_from_another_issuer_is_refused(
    app: DjangoOAuth2App,
) -> None:
    with pytest.raises(OidcTokenInvalid):
        check(app, token(claims(aud="another-client")))
    with pytest.raises(OidcTokenInvalid):
        check(app, token(claims(iss="https://evil.example")))


def test_no_id_token_is_refused(app: DjangoOAuth2App) -> None:
    with pytest.raises(OidcTokenInvalid):
        check(app, {"access_token": "at"})
