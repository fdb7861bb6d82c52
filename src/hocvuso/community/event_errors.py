"""Errors of events, registration and attendance; messages shown to users."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hocvuso.core.errors import HocvusoError


class EventError(HocvusoError):
    """Base class: the request about an event cannot be carried out."""


class EventNotAllowed(EventError):
    """The actor may not see or change this event."""

    status = 403

    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("This event belongs to another commune or team."))


class EventNotFound(EventError):
    status = 404

    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("This event does not exist."))


class EventInvalid(EventError):
    """The event's data break a rule (times, places, team)."""

    status = 422


class EventClosed(EventError):
    """The event is cancelled, not yet published or already over."""

    status = 409


class CheckinTokenInvalid(EventError):
    """The QR code scanned is too old or was not made by this site."""

    status = 400


class AttendanceCodeUnknown(EventError):
    status = 404

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or _("No one has this attendance code. Check the code and type it again.")
        )
