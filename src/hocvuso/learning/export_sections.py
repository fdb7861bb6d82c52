"""The learning app's section of "my data": progress in every lesson."""

from __future__ import annotations

from typing import Any

from hocvuso.accounts.data_export import export_section_register
from hocvuso.accounts.models import User
from hocvuso.learning.models import LessonProgress


def learning_progress(user: User) -> list[dict[str, Any]]:
    rows = LessonProgress.objects.filter(user=user).select_related("lesson__course")
    return [
        {
            "course": p.lesson.course.slug,
            "lesson": p.lesson.slug,
            "title": p.lesson.title,
            "first_seen_at": p.created_at.isoformat(),
            "last_seen_at": p.last_seen_at.isoformat(),
            "completed_at": p.completed_at.isoformat() if p.completed_at else None,
            "seconds_spent": p.seconds_spent,
            "self_check_score": p.self_check_score,
        }
        for p in rows.order_by("created_at")
    ]


def register() -> None:
    export_section_register("learning_progress", learning_progress)
