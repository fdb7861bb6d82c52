"""Why a page sent someone to sign in, said on the sign-in page.

A learner who scans the QR code of a supervised sitting while signed out
lands on the sign-in page; without a word they take it for an error. The
reason is read from the page they were going to (``next``), never from
anything else they sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class SigninReason:
    title: str
    text: str
    code: str = ""


def signin_reason(next_url: str) -> SigninReason | None:
    """Return the reason to show for a sign-in that will continue to ``next_url``."""
    if not next_url:
        return None
    parts = urlsplit(next_url)
    if parts.netloc or not parts.path.startswith(reverse("assessment:home")):
        return None
    code = "".join(parse_qs(parts.query).get("code", [""])[:1]).strip()
    if code.isdigit() and len(code) <= 8:
        return SigninReason(
            title=_("You scanned the code of a supervised test"),
            text=_(
                "Sign in first, so that the test and its result are saved in your "
                "name and can lead to your certificate. Then the test opens with "
                "the sitting's code already filled in. No account yet? Register "
                "(it takes two minutes) or ask the person supervising to register "
                "you."
            ),
            code=code,
        )
    return SigninReason(
        title=_("Sign in to take a test"),
        text=_("Tests and their results are saved in your name, so sign in first."),
    )
