"""Build an Open Badges 3.0 ``OpenBadgeCredential`` (a W3C VC 2.0) from plain data.

The recipient is named by a salted hash (``IdentityObject`` with
``identityType: "identifier"``, ``hashed: true``, ``identityHash:
"sha256$<hex of sha256(identifier + salt)>"``, as Open Badges 3.0 says), not
by personal data; an optional display name may be added. The framework
competences the achievement covers become ``alignment`` entries, the level
reached a ``Result`` pointing at the achievement's level scale
(``ResultDescription`` of ``RubricCriterionLevel``), and revocation a
``BitstringStatusListEntry``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hocvuso.credentials.vc.loader import CREDENTIALS_V2, OB_V3
from hocvuso.credentials.vc.proof import xsd_datetime

FRAMEWORK = "Circular 02/2025/TT-BGDĐT"


@dataclass(frozen=True)
class Competence:
    """One competence of the framework the achievement covers."""

    code: str  # e.g. "4.2"
    name: str
    url: str = ""
    framework: str = FRAMEWORK
    target_type: str = "ext:Competency"


@dataclass(frozen=True)
class Level:
    """One level of the achievement's scale (e.g. "Cơ bản")."""

    code: str
    name: str


@dataclass(frozen=True)
class StatusEntry:
    """Where the credential's revocation bit lives."""

    list_url: str
    index: int


@dataclass(frozen=True)
class Recipient:
    """The learner, as a salted hash of a stable identifier (never raw data)."""

    identifier: str  # e.g. the account's UUID
    salt: str
    display_name: str = ""

    @property
    def identity_hash(self) -> str:
        digest = hashlib.sha256((self.identifier + self.salt).encode()).hexdigest()
        return f"sha256${digest}"


@dataclass(frozen=True)
class BadgeInput:
    """Everything an ``OpenBadgeCredential`` says, as plain values."""

    credential_id: str  # a URL (or urn:uuid:…)
    issuer_id: str  # the issuer's DID
    issuer_name: str
    issuer_url: str
    achievement_id: str
    achievement_name: str  # Vietnamese
    achievement_description: str
    criteria_narrative: str
    recipient: Recipient
    valid_from: datetime
    achievement_name_en: str = ""
    achievement_description_en: str = ""
    competences: Sequence[Competence] = ()
    levels: Sequence[Level] = ()
    level_reached: str = ""  # a Level.code
    target_group: str = ""
    valid_until: datetime | None = None
    status: StatusEntry | None = None
    credential_name: str = ""
    tags: Sequence[str] = field(default_factory=tuple)


def _achievement(data: BadgeInput) -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "id": data.achievement_id,
        "type": ["Achievement"],
        "achievementType": "Competency",
        "name": data.achievement_name,
        "description": data.achievement_description,
        "criteria": {"narrative": data.criteria_narrative},
        "inLanguage": "vi",
    }
    if data.achievement_name_en:
        related: dict[str, Any] = {
            "id": f"{data.achievement_id}?lang=en",
            "type": ["Related"],
            "inLanguage": "en",
            "name": data.achievement_name_en,
        }
        if data.achievement_description_en:
            related["description"] = data.achievement_description_en
        achievement["related"] = [related]
    if data.competences:
        achievement["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": c.name,
                "targetCode": c.code,
                "targetFramework": c.framework,
                "targetType": c.target_type,
                **({"targetUrl": c.url} if c.url else {}),
            }
            for c in data.competences
        ]
    if data.levels:
        achievement["resultDescription"] = [
            {
                "id": f"{data.achievement_id}#levels",
                "type": ["ResultDescription"],
                "name": "Mức độ",
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": [
                    {
                        "id": f"{data.achievement_id}#level-{level.code}",
                        "type": ["RubricCriterionLevel"],
                        "name": level.name,
                    }
                    for level in data.levels
                ],
            }
        ]
    tags = [*data.tags, *([data.target_group] if data.target_group else [])]
    if tags:
        achievement["tag"] = tags
    return achievement


def badge_build(data: BadgeInput) -> dict[str, Any]:
    """Return the unsigned ``OpenBadgeCredential`` for ``data``."""
    recipient = data.recipient
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": recipient.identity_hash,
                "identityType": "identifier",
                "hashed": True,
                "salt": recipient.salt,
            }
        ],
        "achievement": _achievement(data),
    }
    if recipient.display_name:
        subject["name"] = recipient.display_name
    if data.level_reached and data.levels:
        subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": f"{data.achievement_id}#levels",
                "achievedLevel": f"{data.achievement_id}#level-{data.level_reached}",
            }
        ]
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, OB_V3],
        "id": data.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": data.credential_name or data.achievement_name,
        "issuer": {
            "id": data.issuer_id,
            "type": ["Profile"],
            "name": data.issuer_name,
            "url": data.issuer_url,
        },
        "validFrom": xsd_datetime(data.valid_from),
        "credentialSubject": subject,
    }
    if data.valid_until is not None:
        credential["validUntil"] = xsd_datetime(data.valid_until)
    if data.status is not None:
        credential["credentialStatus"] = {
            "id": f"{data.status.list_url}#{data.status.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(data.status.index),
            "statusListCredential": data.status.list_url,
        }
    return credential
