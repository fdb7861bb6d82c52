"""The assessment app's section of "my data": sittings, answers, results."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from hocvuso.accounts.data_export import export_section_register
from hocvuso.accounts.models import User
from hocvuso.assessment.models import Response, Result, TestSession


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _result(r: Result | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "id": str(r.pk),
        "created_at": _iso(r.created_at),
        "target_group": r.target_group.slug,
        "level": r.level.code if r.level else None,
        "passed": r.passed,
        "supervised": r.supervised,
        "questions": r.n_items,
        "ability": r.theta,
        "standard_error": r.se,
        "by_area": r.profile,
    }


def sittings(user: User) -> list[dict[str, Any]]:
    sessions = (
        TestSession.objects.filter(user=user)
        .select_related(
            "blueprint__target_group",
            "assisted_by",
            "result__level",
            "result__target_group",
        )
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=Response.objects.select_related("item").order_by("position"),
            )
        )
        .order_by("started_at")
    )
    out = []
    for s in sessions:
        helper = s.assisted_by
        out.append(
            {
                "id": str(s.pk),
                "target_group": s.blueprint.target_group.slug,
                "status": s.status,
                "started_at": _iso(s.started_at),
                "finished_at": _iso(s.finished_at),
                "supervised": s.supervision_id is not None,
                "helped_by": (helper.full_name or helper.username) if helper else None,
                "answers": [
                    {
                        "position": a.position,
                        "question": a.item.slug,
                        "option": a.option,
                        "correct": a.correct,
                        "answered_at": _iso(a.answered_at),
                    }
                    for a in s.responses.all()
                ],
                "result": _result(getattr(s, "result", None)),
            }
        )
    return out


def register() -> None:
    export_section_register("assessment_sittings", sittings)
