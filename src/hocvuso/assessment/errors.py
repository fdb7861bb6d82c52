"""Assessment errors; each maps to an HTTP status in the API and the pages."""

from __future__ import annotations

from hocvuso.core.errors import HocvusoError


class AssessmentError(HocvusoError):
    """Base of assessment errors."""


class NoBlueprint(AssessmentError):
    status = 404


class SessionNotFound(AssessmentError):
    status = 404


class SessionClosed(AssessmentError):
    status = 409


class WrongItem(AssessmentError):
    status = 409


class AttemptConflict(WrongItem):
    """The client's attempt id was already used by another sitting."""


class InvalidOption(AssessmentError):
    status = 422


class RetakeTooSoon(AssessmentError):
    status = 429


class TooManyAnswers(AssessmentError):
    status = 429


class SupervisionInvalid(AssessmentError):
    status = 400


class BankIncomplete(AssessmentError):
    """The group's current items cannot meet its blueprint (operators must act)."""

    status = 503


class NotAllowed(AssessmentError):
    status = 403


class SupervisionUnavailable(AssessmentError):
    """No free supervision code was found: the caller may try again."""

    status = 503
