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
from pydantic import Field

from hocvuso.accounts.api_auth import session_or_token
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

router = Router(auth=session_or_token)


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


@router.get(
    "/blueprints",
    response=list[BlueprintOut],
    auth=None,
    summary="List the assessments",
)
def blueprints(request: HttpRequest) -> list[BlueprintOut]:
    """The standard assessment of each target group: number of questions, time limit
    and the level to reach. No sign-in needed; a signed-in learner sees their
    province's overrides in place of the national assessments they replace.

    Example: `GET /api/assessment/blueprints`
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


@router.post(
    "/sessions", response={201: SessionOut}, summary="Start (or resume) an assessment"
)
def start(request: HttpRequest, payload: StartIn) -> Status[SessionOut]:
    """Starts the target group's assessment for the learner and answers with its first
    question; if a sitting is already in progress, that one is resumed. At a
    supervised sitting, send its six-digit `supervision_code`. Needs a sign-in
    (session with `X-CSRFToken`, or a token with `write`).

    Example: `POST /api/assessment/sessions` with `{"target_group": "adults",
    "supervision_code": "123456"}` → 201
    """
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


@router.get(
    "/sessions/{session_id}",
    response=SessionOut,
    summary="Get the current question of a sitting",
)
def session_detail(request: HttpRequest, session_id: str) -> SessionOut:
    """Where a sitting stands: its current question and options, how many are answered,
    when it ends, or that it is finished. Use it to resume after a lost connection.
    Needs a sign-in (session, or a token with `read`).

    Example: `GET /api/assessment/sessions/7d0c…`
    """
    return session_out(session_state(actor=_user(request), session_id=session_id))


@router.post(
    "/sessions/{session_id}/answers",
    response=SessionOut,
    summary="Answer the current question",
)
def answer(request: HttpRequest, session_id: str, payload: AnswerIn) -> SessionOut:
    """Sends the chosen option for the current question and answers with the next one
    (or the end). Each answer carries the `attempt_id` the question came with:
    sending it again changes nothing, so a retry is safe. Needs a sign-in (session
    with `X-CSRFToken`, or a token with `write`).

    Example: `POST /api/assessment/sessions/7d0c…/answers` with `{"attempt_id": "…",
    "item_id": "…", "option": "b"}`
    """
    state = answer_submit(
        actor=_user(request),
        session_id=session_id,
        item_id=payload.item_id,
        option=payload.option,
        attempt_id=payload.attempt_id,
    )
    return session_out(state)


@router.get("/results", response=list[ResultOut], summary="My results")
def results(request: HttpRequest) -> list[ResultOut]:
    """The learner's assessment results, newest first: level reached, passed or not,
    per domain, supervised or not. Needs a sign-in (session, or a token with
    `read`).

    Example: `GET /api/assessment/results`
    """
    return [result_out(r) for r in results_of(user=_user(request))]


@router.get("/results/{result_id}", response=ResultOut, summary="Get one of my results")
def result_detail(request: HttpRequest, result_id: str) -> ResultOut:
    """One result of the learner by its id; 404 for a result that is not theirs. Needs
    a sign-in (session, or a token with `read`).

    Example: `GET /api/assessment/results/5f2a…`
    """
    r = result_get(user=_user(request), result_id=result_id)
    if r is None:
        raise NotFound(_("There is no such result."))
    return result_out(r)


@router.post(
    "/supervisions", response={201: SupervisionOut}, summary="Open a supervised sitting"
)
def supervision(request: HttpRequest, payload: SupervisionIn) -> Status[SupervisionOut]:
    """For commune officers and community helpers: opens a sitting at a place for
    `minutes` (15–720) and answers with its six-digit code, which learners enter to
    take their test there. Needs a sign-in (session with `X-CSRFToken`, or a token
    with `write`).

    Example: `POST /api/assessment/supervisions` with `{"place": "Nhà văn hóa ấp 3",
    "minutes": 120}` → 201 `{"code": "482913", …}`
    """
    sup = supervision_open(
        actor=_user(request), place=payload.place, minutes=payload.minutes
    )
    return Status(201, SupervisionOut(code=sup.code, expires_at=sup.expires_at))
