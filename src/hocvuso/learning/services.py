"""Writes for learning: recording progress (packs import courses and lessons)."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hocvuso.accounts.models import User
from hocvuso.core.indicators import indicator_data_changed_on_commit
from hocvuso.core.services import audit_record
from hocvuso.learning.errors import LessonNotFound
from hocvuso.learning.models import (
    Lesson,
    LessonProgress,
    ProgressEvent,
)

MAX_EVENT_SECONDS = 4 * 3600


@transaction.atomic
def progress_record(
    *,
    actor: User,
    lesson: Lesson,
    seconds: int = 0,
    completed: bool = False,
    event_id: uuid.UUID | None = None,
    self_check_score: int | None = None,
    assisted_by: User | None = None,
) -> LessonProgress:
    """Record time spent in and completion of a lesson; idempotent per event.

    A client sends a fresh ``event_id`` for each report and the same one when it
    retries: a repeated event changes nothing and returns the current progress.
    Completion never goes back to "not completed". ``assisted_by`` names the
    helper who guides ``actor`` (``accounts.guidance``): the write is audited
    under the helper's name.
    """
    if lesson.archived:
        raise LessonNotFound(gettext("This lesson has been archived."))
    now = timezone.now()
    progress, _ = LessonProgress.objects.select_for_update().get_or_create(
        user=actor, lesson=lesson, defaults={"last_seen_at": now}
    )
    if event_id is not None:
        _, new = ProgressEvent.objects.get_or_create(
            event_id=event_id,
            defaults={"progress": progress, "seconds": seconds, "completed": completed},
        )
        if not new:
            return progress
    progress.seconds_spent += max(0, min(int(seconds), MAX_EVENT_SECONDS))
    progress.last_seen_at = now
    if completed and progress.completed_at is None:
        progress.completed_at = now
        indicator_data_changed_on_commit("learning")
    if self_check_score is not None:
        progress.self_check_score = self_check_score
    progress.save()
    if assisted_by is not None:
        audit_record(
            actor=assisted_by,
            action="progress.assisted",
            obj=progress,
            after={
                "learner": str(actor.pk),
                "lesson": lesson.slug,
                "completed": progress.completed_at is not None,
                "seconds": progress.seconds_spent,
            },
        )
    return progress
