from __future__ import annotations


class LearningError(Exception):
    """Base class of learning errors; the message can be shown to users."""


class LessonNotFound(LearningError):
    pass
