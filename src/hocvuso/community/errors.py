"""Community errors; each maps to an HTTP status in the API and the pages."""

from __future__ import annotations

from hocvuso.core.errors import HocvusoError


class CommunityError(HocvusoError):
    """Base class for community errors with a message safe to show to users."""


class NotAllowed(CommunityError):
    """The actor may not do this."""

    status = 403


class NotFoundHere(CommunityError):
    """The team, invitation or visit does not exist or is not the actor's."""

    status = 404


class InvitationInvalid(CommunityError):
    """The invitation is unknown, expired, revoked or used up."""

    status = 410


class Invalid(CommunityError):
    """The data sent is not acceptable."""

    status = 422


class VisitInvalid(Invalid):
    """A visit's data is not acceptable (counts, dates, activities)."""


class VisitConflict(CommunityError):
    """A visit id already belongs to another volunteer's visit."""

    status = 409


class PhotoInvalid(CommunityError):
    """The photo is not an image, or is too large."""

    status = 422


class TooManyVisits(CommunityError):
    """A volunteer sent more visits in an hour than anyone can make."""

    status = 429
