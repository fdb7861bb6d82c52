from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hocvuso.core.errors import HocvusoError

if TYPE_CHECKING:
    from hocvuso.learning.packs import Issue


class LearningError(HocvusoError):
    """Base class of learning errors; the message can be shown to users."""


class PackInvalid(LearningError):
    """The content pack has problems; nothing was imported."""

    status = 422

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__(f"the pack has {len(self.issues)} problem(s)")


class LessonNotFound(LearningError):
    """The lesson does not exist or is archived."""

    status = 404
