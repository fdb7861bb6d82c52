"""The credentials app's section of "my data": certificates."""

from __future__ import annotations

from typing import Any

from hocvuso.accounts.data_export import export_section_register
from hocvuso.accounts.models import User
from hocvuso.credentials.models import Certificate


def certificates(user: User) -> list[dict[str, Any]]:
    rows = Certificate.objects.filter(confirmation__result__user=user).order_by(
        "issued_at"
    )
    return [
        {
            "code": c.code,
            "version": c.version,
            "name_on_certificate": c.name_on_certificate,
            "language": c.language,
            "issued_at": c.issued_at.isoformat(),
            "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
            "revoked_reason": c.revoked_reason or None,
            "result": str(c.confirmation.result_id),
        }
        for c in rows.select_related("confirmation")
    ]


def register() -> None:
    export_section_register("certificates", certificates)
