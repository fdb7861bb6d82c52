"""The OpenID Connect provider hocvuso signs people in with, from the settings.

Read at each request (never at import time), so that an operator's
environment, or a test's ``override_settings``, decides. Sign-in with a
provider is off while ``HOCVUSO_OIDC_ISSUER`` is empty.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from hocvuso.accounts.identifiers import (
    is_national_id,
    national_id_hash,
    normalise_phone,
)
from hocvuso.accounts.models import IdentityLevel

logger = logging.getLogger(__name__)
_YEAR = re.compile(r"^(\d{4})(?:-\d{2}-\d{2})?$")


@dataclass(frozen=True)
class OidcConfig:
    """How to talk to the provider and read what it says about a person."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    claim_name: str
    claim_phone: str
    claim_national_id: str
    claim_birth_year: str
    level_claim: str
    level_map: tuple[tuple[str, int], ...]
    name: str
    button_label: str
    leeway: int
    timeout: float

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"

    @property
    def scope(self) -> str:
        return " ".join(self.scopes)

    def level_of(self, value: object) -> int:
        """Return the identity level a level claim's value stands for (0 if none).

        With a mapping, only the values it names count; without one the claim
        is a number (``2``, ``"2"``), capped to the levels hocvuso knows.
        """
        values = value if isinstance(value, list) else [value]
        best = IdentityLevel.NONE.value
        for item in values:
            if isinstance(item, bool) or item is None:
                continue
            text = str(item).strip()
            if self.level_map:
                level = dict(self.level_map).get(text, 0)
            elif text.isdigit():
                level = min(int(text), IdentityLevel.LEVEL_2.value)
            else:
                level = 0
            best = max(best, level)
        return best


def parse_level_map(raw: str) -> tuple[tuple[str, int], ...]:
    """Parse ``value=level,value=level`` (levels 0 to 2); ``ValueError`` if bad."""
    pairs: list[tuple[str, int]] = []
    valid = {level.value for level in IdentityLevel}
    for part in raw.split(","):
        if not part.strip():
            continue
        value, sep, level = part.rpartition("=")
        if not sep or not value.strip() or not level.strip().isdigit():
            raise ValueError(
                f"HOCVUSO_OIDC_LEVEL_MAP: {part.strip()!r} is not value=level"
            )
        number = int(level)
        if number not in valid:
            raise ValueError(f"HOCVUSO_OIDC_LEVEL_MAP: level {number} is not 0, 1 or 2")
        pairs.append((value.strip(), number))
    return tuple(pairs)


def oidc_config() -> OidcConfig | None:
    """Return the configured provider, or None when sign-in with one is off.

    A malformed level mapping turns it off too (logged; ``hocvuso check``
    reports it): better no button than every page failing.
    """
    issuer = str(settings.HOCVUSO_OIDC_ISSUER).strip()
    if not issuer:
        return None
    try:
        level_map = parse_level_map(str(settings.HOCVUSO_OIDC_LEVEL_MAP))
    except ValueError as exc:
        logger.error("OIDC sign-in is off: %s", exc)
        return None
    scopes = [s for s in str(settings.HOCVUSO_OIDC_SCOPES).split() if s]
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    return OidcConfig(
        issuer=issuer,
        client_id=str(settings.HOCVUSO_OIDC_CLIENT_ID),
        client_secret=str(settings.HOCVUSO_OIDC_CLIENT_SECRET),
        scopes=tuple(scopes),
        claim_name=str(settings.HOCVUSO_OIDC_CLAIM_NAME),
        claim_phone=str(settings.HOCVUSO_OIDC_CLAIM_PHONE),
        claim_national_id=str(settings.HOCVUSO_OIDC_CLAIM_NATIONAL_ID),
        claim_birth_year=str(settings.HOCVUSO_OIDC_CLAIM_BIRTH_YEAR),
        level_claim=str(settings.HOCVUSO_OIDC_LEVEL_CLAIM),
        level_map=level_map,
        name=str(settings.HOCVUSO_OIDC_NAME),
        button_label=str(settings.HOCVUSO_OIDC_BUTTON_LABEL),
        leeway=int(settings.HOCVUSO_OIDC_LEEWAY),
        timeout=float(settings.HOCVUSO_OIDC_TIMEOUT),
    )


@dataclass(frozen=True)
class OidcPerson:
    """What hocvuso keeps of a provider's claims about one person.

    The citizen ID number itself is never held: only its keyed hash and last
    4 digits (as registration stores them), so the pending sign-in kept in
    the session holds no more than the account will.
    """

    issuer: str
    subject: str
    level: int
    full_name: str = ""
    phone: str | None = None
    national_id_hash: str = ""
    national_id_last4: str = ""
    birth_year: int | None = None

    def __repr__(self) -> str:
        # Never print the phone number (logs, error reports).
        return f"OidcPerson(issuer={self.issuer!r}, subject={self.subject!r})"


def _text(claims: Mapping[str, object], name: str) -> str:
    value = claims.get(name) if name else None
    return value.strip() if isinstance(value, str) else ""


def person_from_claims(config: OidcConfig, claims: Mapping[str, object]) -> OidcPerson:
    """Map a provider's claims to an :class:`OidcPerson` (``ValueError`` if no sub).

    Claims that are missing or malformed (a phone number that is not a
    Vietnamese mobile, an ID number that is not 12 digits) are left empty.
    """
    subject = _text(claims, "sub")
    if not subject:
        raise ValueError("the provider sent no subject")
    national_id = _text(claims, config.claim_national_id)
    year_text = _text(claims, config.claim_birth_year)
    raw_year = claims.get(config.claim_birth_year) if config.claim_birth_year else None
    if isinstance(raw_year, int) and not isinstance(raw_year, bool):
        year_text = str(raw_year)
    match = _YEAR.match(year_text)
    valid_id = is_national_id(national_id)
    return OidcPerson(
        issuer=config.issuer,
        subject=subject,
        level=config.level_of(claims.get(config.level_claim)),
        full_name=" ".join(_text(claims, config.claim_name).split())[:150],
        phone=normalise_phone(_text(claims, config.claim_phone)) or None,
        national_id_hash=national_id_hash(national_id) if valid_id else "",
        national_id_last4=national_id[-4:] if valid_id else "",
        birth_year=int(match.group(1)) if match else None,
    )
