from __future__ import annotations

from hocvuso.core.errors import HocvusoError


class LearningError(HocvusoError):
    """Base class of learning errors; the message can be shown to users."""


class LessonNotFound(LearningError):
    """The lesson does not exist or is archived."""

    status = 404
