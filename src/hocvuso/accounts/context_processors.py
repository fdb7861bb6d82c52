"""Template context for guided sessions: the banner on every page."""

from __future__ import annotations

from django.http import HttpRequest

from hocvuso.accounts.guidance import ENDED_KEY, acting_for


def guidance(request: HttpRequest) -> dict[str, object]:
    """Expose ``GUIDING`` (the learner a helper guides) and ``GUIDING_ENDED``."""
    if not hasattr(request, "user") or not hasattr(request, "session"):
        return {"GUIDING": None, "GUIDING_ENDED": False}
    acting = acting_for(request)
    ended = request.session.pop(ENDED_KEY, "") if ENDED_KEY in request.session else ""
    return {
        "GUIDING": acting.learner if acting is not None and acting.guided else None,
        "GUIDING_ENDED": bool(ended),
    }
