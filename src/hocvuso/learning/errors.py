from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hocvuso.learning.packs import Issue


class LearningError(Exception):
    """Base class of learning errors; the message can be shown to users."""


class PackInvalid(LearningError):
    """The content pack has problems; nothing was imported."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__(f"the pack has {len(self.issues)} problem(s)")


class LessonNotFound(LearningError):
    pass
