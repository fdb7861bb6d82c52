"""The home page: a signed-in learner's next steps on one screen.

It lives in ``credentials`` because this is the lowest layer that sees the
three things a learner needs next: the lesson to continue (``learning``), the
group's assessment and latest result (``assessment``) and, once passed, the
certificate (``credentials``). Visitors who are not signed in get the
welcome page of ``core``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hocvuso.accounts.guidance import acting_learner
from hocvuso.accounts.models import User
from hocvuso.accounts.selectors import user_profile_get
from hocvuso.assessment.models import Blueprint, Result, TestSession
from hocvuso.assessment.selectors import (
    active_sessions,
    blueprint_for_group,
    result_list,
)
from hocvuso.credentials.models import Certificate
from hocvuso.credentials.selectors import certificate_list
from hocvuso.framework.models import TargetGroup
from hocvuso.learning.models import Course, Lesson
from hocvuso.learning.selectors import continue_lesson, course_list


@dataclass(frozen=True)
class LearnerHome:
    """What the learner's home shows, decided here rather than in the template."""

    group: TargetGroup | None
    continue_lesson: Lesson | None
    first_course: Course | None
    blueprint: Blueprint | None
    active: TestSession | None
    latest: Result | None
    passed: Result | None
    certificate: Certificate | None


def learner_home_get(*, user: User) -> LearnerHome:
    """Return the learner's next steps: lesson, assessment, certificate."""
    profile = user_profile_get(user=user)
    group = profile.target_group if profile else None
    lesson = continue_lesson(user=user)
    first_course = None
    if lesson is None:
        courses = list(course_list(group=group.slug if group else ""))
        # A course made for the group comes before those for everyone.
        own = [c for c in courses if not c.for_all_groups]
        first_course = (own or courses or [None])[0]
    blueprint = blueprint_for_group(group.slug) if group else None
    results = list(result_list(user=user)[:20])
    mine = [r for r in results if group is None or r.target_group_id == group.pk]
    return LearnerHome(
        group=group,
        continue_lesson=lesson,
        first_course=first_course,
        blueprint=blueprint,
        active=active_sessions(user=user).first(),
        latest=mine[0] if mine else None,
        passed=next((r for r in mine if r.passed), None),
        certificate=certificate_list(user=user).filter(revoked_at__isnull=True).first(),
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Show the welcome page, or the signed-in learner's next steps."""
    learner = acting_learner(request)
    if learner is None:
        return render(request, "core/home.html")
    return render(
        request,
        "credentials/learner_home.html",
        {"learner": learner, "home": learner_home_get(user=learner)},
    )
