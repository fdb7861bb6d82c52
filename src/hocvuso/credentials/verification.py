"""What the public verification page says about a code (no personal details).

Shape of the payload (also the JSON answer, ``schema_version`` 1)::

    {"schema_version": 1, "code": str,
     "status": "valid" | "revoked" | "unknown",
     "certificate": null | {
        "name": str,            # masked: "Nguyễn T. Á."
        "target_group": str, "level": {"code": str, "name": str},
        "issued_on": "YYYY-MM-DD", "issuer": str,
        "version": int, "reissued_on": "YYYY-MM-DD" | null,
        "revoked_on": "YYYY-MM-DD" | null}}

No identity number, birth date, phone or full name ever appears.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from hocvuso.credentials.models import Certificate
from hocvuso.credentials.selectors import certificate_view, code_normalise, name_mask


def _day(value: Any) -> str | None:
    return timezone.localdate(value).isoformat() if value else None


def verification_payload(certificate: Certificate | None, code: str) -> dict[str, Any]:
    """Return the verification answer for ``code`` (``certificate`` it names)."""
    shown = code_normalise(code)[:32]
    if certificate is None:
        return {
            "schema_version": 1,
            "code": shown,
            "status": "unknown",
            "certificate": None,
        }
    view = certificate_view(certificate)
    return {
        "schema_version": 1,
        "code": certificate.code,
        "status": "revoked" if certificate.is_revoked else "valid",
        "certificate": {
            "name": name_mask(view.name),
            "target_group": view.target_group,
            "level": {"code": view.level_code, "name": view.level_name},
            "issued_on": _day(view.issued_on),
            "issuer": view.issuer,
            "version": view.version,
            "reissued_on": _day(view.reissued_on),
            "revoked_on": _day(certificate.revoked_at),
        },
    }
