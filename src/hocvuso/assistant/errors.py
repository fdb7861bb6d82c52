"""The assistant's errors (each with an HTTP status and a message for people)."""

from __future__ import annotations

from django.utils.translation import gettext

from hocvuso.core.errors import HocvusoError


class QuestionInvalid(HocvusoError):
    """The question is empty or too long."""

    status = 400

    def __init__(self) -> None:
        super().__init__(gettext("Write a question of 2 to 300 letters."))


class AskingTooOften(HocvusoError):
    """Too many questions from one person (or address) in a short time."""

    status = 429

    def __init__(self) -> None:
        super().__init__(
            gettext(
                "You have asked many questions in a short time. "
                "Wait a minute and ask again."
            )
        )


class AnswerNotFound(HocvusoError):
    """The answer reported does not exist (any more)."""

    status = 404

    def __init__(self) -> None:
        super().__init__(gettext("This answer no longer exists."))
