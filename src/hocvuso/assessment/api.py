"""Assessment API: start a sitting, answer, resume, read results.

The answer key and the items not yet administered never leave the server.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited
from ninja import Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from hocvuso.accounts.models import User
from hocvuso.assessment.errors import NoBlueprint
from hocvuso.assessment.models import Item, Result
from hocvuso.assessment.selectors import (
    blueprint_for_group,
    blueprint_list,
    learner_province,
    result_get,
)
from hocvuso.assessment.selectors import result_list as results_of
from hocvuso.assessment.services import (
    SessionState,
    answer_submit,
    session_start,
    session_state,
)
from hocvuso.assessment.supervision import supervision_open
from hocvuso.core.errors import NotFound

router = Router(auth=django_auth)


def _limit(request: HttpRequest, group: str, setting: str, default: str) -> None:
    """Raise ``Ratelimited`` (HTTP 429) when the user goes over the rate."""
    rate = str(getattr(settings, setting, default))
    if is_ratelimited(
        request, group=group, key="user", rate=rate, method="POST", increment=True
    ):
        raise Ratelimited()


class BlueprintOut(Schema):
    target_group: str
    name: str
    mode: str
    pass_level: str
    min_items: int
    max_items: int
    time_limit_minutes: int
    retake_cooldown_days: int
    retake_cooldown_after_pass_days: int


class OptionOut(Schema):
    id: str
    text: str


class MediaOut(Schema):
    src: str
    alt: str


class ItemOut(Schema):
    id: str
    competence: str
    kind: str
    scenario: str | None
    media: MediaOut | None = None
    stem: str
    options: list[OptionOut]


class SessionOut(Schema):
    id: str
    target_group: str
    status: str
    position: int
    max_items: int
    answered: int
    expires_at: datetime
    supervised: bool
    item: ItemOut | None
    result: str | None


class StartIn(Schema):
    target_group: str = Field(..., max_length=40)
    supervision_code: str = Field("", max_length=8)


class AnswerIn(Schema):
    attempt_id: uuid.UUID = Field(..., description="new per answer, same on retry")
    item_id: str = Field(..., max_length=64)
    option: str = Field(..., max_length=8)


class DomainOut(Schema):
    domain: str
    n: int
    correct: int
    theta: float
    se: float
    level: str | None


class ResultOut(Schema):
    id: str
    session: str
    target_group: str
    finished_at: datetime
    theta: float
    se: float
    level: str | None
    required_level: str
    passed: bool
    supervised: bool
    n_items: int
    stop_reason: str
    domains: list[DomainOut]


class SupervisionIn(Schema):
    place: str = Field("", max_length=200)
    minutes: int = Field(240, ge=15, le=720)


class SupervisionOut(Schema):
    code: str
    expires_at: datetime


def _item_out(item: Item) -> ItemOut:
    scenario = item.text("scenario") if item.content.get("scenario") else None
    return ItemOut(
        id=str(item.pk),
        competence=item.competence.code,
        kind=str(item.content.get("kind", "mcq")),
        scenario=scenario,
        media=MediaOut(**media) if (media := item.media()) else None,
        stem=item.text("stem"),
        options=[OptionOut(**o) for o in item.options()],
    )


def session_out(state: SessionState) -> SessionOut:
    s = state.session
    return SessionOut(
        id=str(s.pk),
        target_group=state.target_group,
        status=s.status,
        position=state.position,
        max_items=state.max_items,
        answered=s.n_answered,
        expires_at=s.expires_at,
        supervised=s.supervision_id is not None,
        item=_item_out(state.item) if state.item is not None else None,
        result=str(state.result.pk) if state.result else None,
    )


def result_out(r: Result) -> ResultOut:
    return ResultOut(
        id=str(r.pk),
        session=str(r.session_id),
        target_group=r.target_group.slug,
        finished_at=r.created_at,
        theta=round(r.theta, 3),
        se=round(r.se, 3),
        level=r.level.code if r.level else None,
        required_level=r.session.blueprint.pass_level.code,
        passed=r.passed,
        supervised=r.supervised,
        n_items=r.n_items,
        stop_reason=r.stop_reason,
        domains=[
            DomainOut(domain=code, **d)
            for code, d in sorted(r.profile.get("domains", {}).items())
        ],
    )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@router.get("/blueprints", response=list[BlueprintOut], auth=None)
def blueprints(request: HttpRequest) -> list[BlueprintOut]:
    """List the standard assessment of every target group.

    A signed-in learner sees their province's overrides in place of the
    national blueprints they replace.
    """
    user = request.user
    province = learner_province(user) if isinstance(user, User) else None
    return [
        BlueprintOut(
            target_group=bp.target_group.slug,
            name=bp.target_group.name,
            mode=bp.mode,
            pass_level=bp.pass_level.code,
            min_items=int(bp.config.get("min_items", 1)),
            max_items=int(bp.config.get("max_items", 30)),
            time_limit_minutes=bp.time_limit_minutes,
            retake_cooldown_days=bp.retake_cooldown_days,
            retake_cooldown_after_pass_days=bp.retake_cooldown_after_pass_days,
        )
        for bp in blueprint_list(province=province)
    ]


@router.post("/sessions", response={201: SessionOut})
def start(request: HttpRequest, payload: StartIn) -> Status[SessionOut]:
    """Start the group's assessment, or resume the sitting in progress."""
    _limit(request, "assessment.start", "HOCVUSO_START_RATE", "20/h")
    blueprint = blueprint_for_group(
        payload.target_group, province=learner_province(_user(request))
    )
    if blueprint is None:
        raise NoBlueprint(
            _("There is no assessment for the group '%(group)s'.")
            % {"group": payload.target_group}
        )
    session = session_start(
        actor=_user(request),
        blueprint=blueprint,
        supervision_code=payload.supervision_code,
    )
    state = session_state(actor=_user(request), session_id=session.pk)
    return Status(201, session_out(state))


@router.get("/sessions/{session_id}", response=SessionOut)
def session_detail(request: HttpRequest, session_id: str) -> SessionOut:
    """Return the current item of a sitting (to resume after a lost connection)."""
    return session_out(session_state(actor=_user(request), session_id=session_id))


@router.post("/sessions/{session_id}/answers", response=SessionOut)
def answer(request: HttpRequest, session_id: str, payload: AnswerIn) -> SessionOut:
    """Answer the current item; retrying with the same attempt_id is safe."""
    state = answer_submit(
        actor=_user(request),
        session_id=session_id,
        item_id=payload.item_id,
        option=payload.option,
        attempt_id=payload.attempt_id,
    )
    return session_out(state)


@router.get("/results", response=list[ResultOut])
def results(request: HttpRequest) -> list[ResultOut]:
    """Return the signed-in learner's results, newest first."""
    return [result_out(r) for r in results_of(user=_user(request))]


@router.get("/results/{result_id}", response=ResultOut)
def result_detail(request: HttpRequest, result_id: str) -> ResultOut:
    r = result_get(user=_user(request), result_id=result_id)
    if r is None:
        raise NotFound(_("There is no such result."))
    return result_out(r)


@router.post("/supervisions", response={201: SupervisionOut})
def supervision(request: HttpRequest, payload: SupervisionIn) -> Status[SupervisionOut]:
    """Open a supervised sitting (commune officers and helpers)."""
    sup = supervision_open(
        actor=_user(request), place=payload.place, minutes=payload.minutes
    )
    return Status(201, SupervisionOut(code=sup.code, expires_at=sup.expires_at))
