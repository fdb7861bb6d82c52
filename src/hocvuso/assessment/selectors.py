from __future__ import annotations

import uuid

from django.db.models import QuerySet

from hocvuso.accounts.models import User
from hocvuso.assessment.models import Blueprint, Result, TestSession


def blueprint_list() -> QuerySet[Blueprint]:
    return Blueprint.objects.select_related("target_group", "pass_level").order_by(
        "target_group__order"
    )


def blueprint_for_group(slug: str) -> Blueprint | None:
    return blueprint_list().filter(target_group__slug=slug).first()


def result_list(*, user: User) -> QuerySet[Result]:
    """Return the user's results, newest first, with what the pages show."""
    return Result.objects.filter(user=user).select_related(
        "target_group__required_level",
        "level",
        "session__blueprint__pass_level",
        "session__assisted_by",
    )


def result_get(*, user: User, result_id: str) -> Result | None:
    try:
        pk = uuid.UUID(str(result_id))
    except ValueError:
        return None
    return result_list(user=user).filter(pk=pk).first()


def active_sessions(*, user: User) -> QuerySet[TestSession]:
    return TestSession.objects.filter(
        user=user, status=TestSession.Status.ACTIVE
    ).select_related("blueprint__target_group")
