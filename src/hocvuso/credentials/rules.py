"""When a result counts as confirmed, and the evidence that shows it.

A result is confirmed when (a) its sitting was supervised, (b) the learner's
identity was verified — an account at identity level 2 (VNeID) or the
supervisor's in-person check of the citizen ID card for that sitting — and
(c) it meets the level the learner's group requires. See docs/credentials.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from hocvuso.accounts.models import IdentityLevel
from hocvuso.assessment.models import Result
from hocvuso.credentials.models import EVIDENCE_SCHEMA_VERSION, IdentityEvidence


@dataclass(frozen=True)
class Assessment:
    """The outcome of checking a result against the rules."""

    evidence: dict[str, Any] | None
    missing: list[str] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return self.evidence is not None


def result_assess(result: Result) -> Assessment:
    """Return the evidence that confirms ``result``, or what is missing.

    ``result`` needs ``session__supervision`` and ``user`` loaded (see
    :func:`hocvuso.credentials.selectors.result_for_rules`).
    """
    session = result.session
    sup = session.supervision
    user = result.user
    missing: list[str] = []
    if not result.supervised or sup is None:
        missing.append(_("The test was not taken in a supervised sitting."))
    identity: dict[str, Any] | None = None
    if user.identity_level >= IdentityLevel.LEVEL_2:
        identity = {
            "kind": IdentityEvidence.VNEID.value,
            "level": int(user.identity_level),
            "checked_by": None,
            "checked_at": None,
        }
    elif session.id_card_checked_at is not None:
        identity = {
            "kind": IdentityEvidence.ID_CARD.value,
            "level": int(user.identity_level),
            "checked_by": str(session.id_card_checked_by_id),
            "checked_at": session.id_card_checked_at.isoformat(),
        }
    else:
        missing.append(_("The learner's identity has not been verified."))
    if not result.passed:
        missing.append(_("The result does not reach the level the group requires."))
    if missing or sup is None or identity is None:
        return Assessment(evidence=None, missing=missing)
    return Assessment(
        evidence={
            "schema_version": EVIDENCE_SCHEMA_VERSION,
            "supervision": {
                "id": str(sup.pk),
                "code": sup.code,
                "commune": sup.commune_id,
            },
            "supervisor": str(sup.opened_by_id),
            "identity": identity,
            "result": {
                "level": result.level.code if result.level else None,
                "passed": result.passed,
            },
        }
    )
