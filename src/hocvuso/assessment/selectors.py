from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from hocvuso.accounts.models import LearnerProfile, User
from hocvuso.assessment.models import Blueprint, Item, Result, TestSession


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


def key_may_be_shown(item: Item) -> bool:
    """Return whether a review may show ``item``'s question and key.

    Only items no longer asked (retired: not the current version, or no
    longer in any pack) or released by the editors: showing the keys of items
    in service would leak the bank to the next sittings (see the key-exposure
    study in docs/assessment.md).
    """
    return item.released or not item.is_current


def result_review(*, result: Result) -> dict[str, Any]:
    """Return the feedback after a test: per competence, concepts, safe keys.

    Shape: ``{"competences": [{"code", "name", "right", "n", "concepts":
    [str]}], "questions": [{"stem", "chosen", "answer", "correct",
    "explanation"}]}``. Concepts are the explanations of the competence's
    items the learner got wrong (they explain the idea without naming an
    option); questions and keys only for items :func:`key_may_be_shown`.
    Field-test answers are left out.
    """
    responses = list(
        result.session.responses.filter(scored=True)
        .select_related("item__competence")
        .order_by("position")
    )
    by_comp: dict[str, dict[str, Any]] = {}
    questions: list[dict[str, Any]] = []
    for resp in responses:
        item = resp.item
        comp = by_comp.setdefault(
            item.competence.code,
            {
                "code": item.competence.code,
                "name": item.competence.name,
                "right": 0,
                "n": 0,
                "concepts": [],
            },
        )
        comp["n"] += 1
        comp["right"] += int(resp.correct)
        explanation = item.text("explanation")
        if not resp.correct and explanation and explanation not in comp["concepts"]:
            comp["concepts"].append(explanation)
        if key_may_be_shown(item):
            options = {o["id"]: o["text"] for o in item.options()}
            questions.append(
                {
                    "stem": item.text("stem"),
                    "chosen": options.get(resp.option, resp.option),
                    "answer": options.get(item.key, item.key),
                    "correct": resp.correct,
                    "explanation": explanation,
                }
            )
    return {
        "competences": [by_comp[c] for c in sorted(by_comp)],
        "questions": questions,
    }
