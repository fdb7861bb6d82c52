"""The base of every app's errors, and the message of each HTTP error status.

Services raise subclasses of :class:`HocvusoError` with a message already
translated into the active language (``gettext``); the API maps every one of
them to ``{"detail": message}`` with the class's ``status`` in one handler
(``hocvuso.api.urls``), and the pages show the message.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

_STATUS_MESSAGES = {
    400: _("The request is not valid."),
    401: _("You need to sign in."),
    403: _("You are not allowed to do this."),
    404: _("Not found."),
    405: _("This method is not allowed here."),
    409: _("This conflicts with the current state; reload and try again."),
    413: _("The request is too large."),
    422: _("The data sent is not valid."),
    429: _("You are going too fast. Please try again in a few minutes."),
    503: _("The service is not available right now. Please try again later."),
}


def status_message(status: int) -> str:
    """Return the message for an HTTP error status, in the active language."""
    message = _STATUS_MESSAGES.get(status)
    if message is not None:
        return str(message)
    if status >= 500:
        return gettext("Something went wrong on our side. Please try again later.")
    return str(_STATUS_MESSAGES[400])


class HocvusoError(Exception):
    """Base of the errors services raise; ``message`` can be shown to users.

    ``status`` is the HTTP status the API answers with (always 4xx, or 503 when
    operators must act). Without a message, the status's message is used.
    """

    status = 400

    def __init__(self, message: str = "") -> None:
        message = message or status_message(self.status)
        super().__init__(message)
        self.message = message


class NotFound(HocvusoError):
    """The object asked for does not exist (or is not the actor's)."""

    status = 404
