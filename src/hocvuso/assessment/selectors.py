from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from hocvuso.accounts.models import LearnerProfile, User
from hocvuso.assessment.models import Blueprint, Result, TestSession


def blueprint_list(*, province: int | None = None) -> QuerySet[Blueprint]:
    """Return one blueprint per target group, for learners of ``province``.

    A province's override (from its provincial pack) replaces the national
    blueprint of its group; without ``province`` only national ones.
    """
    qs = Blueprint.objects.select_related("target_group", "pass_level")
    national = Q(province__isnull=True)
    if province is None:
        qs = qs.filter(national)
    else:
        overridden = Blueprint.objects.filter(province_id=province).values(
            "target_group_id"
        )
        qs = qs.filter(
            Q(province_id=province) | (national & ~Q(target_group_id__in=overridden))
        )
    return qs.order_by("target_group__order")


def blueprint_for_group(slug: str, *, province: int | None = None) -> Blueprint | None:
    """Return the blueprint of a group for learners of ``province`` (see above)."""
    return blueprint_list(province=province).filter(target_group__slug=slug).first()


def learner_province(user: User) -> int | None:
    """Return the code of the learner's province (from their commune), if known."""
    return (
        LearnerProfile.objects.filter(user=user)
        .values_list("commune__province_id", flat=True)
        .first()
    )


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
