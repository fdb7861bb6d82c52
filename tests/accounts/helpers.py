"""Helpers shared by the accounts tests."""

from __future__ import annotations

from tests.factories import PASSWORD

from hocvuso.framework.models import TargetGroup


def registration_form(**changes: str) -> dict[str, str]:
    """Return a valid self-registration form (a farmer in commune 30178)."""
    data = {
        "full_name": "Lê Văn Tư",
        "identifier": "0987654321",
        "password": PASSWORD,
        "password2": PASSWORD,
        "birth_year": "1975",
        "target_group": str(TargetGroup.objects.get(slug="farmers").pk),
        "commune_q": "",
        "commune": "30178",
        "national_id": "",
        "consent": "on",
        "action": "register",
    }
    data.update(changes)
    return data
