"""Writes for assessment: start a sitting, submit answers, finish, supervise.

Every answer is stored with the client's ``attempt_id`` under a row lock on the
sitting, and the adaptive-test state is saved in the same transaction: a retry
returns the state the first submission produced, and a learner who loses the
connection (or a server that restarts) resumes at the same item.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import Role, User
from hocvuso.accounts.permissions import has_role
from hocvuso.assessment.bank import bank_for, items_for_group
from hocvuso.assessment.errors import (
    InvalidOption,
    NotAllowed,
    RetakeTooSoon,
    SessionClosed,
    SessionNotFound,
    SupervisionInvalid,
    WrongItem,
)
from hocvuso.assessment.models import (
    Blueprint,
    Item,
    Response,
    Result,
    SupervisionSession,
    TestSession,
)
from hocvuso.assessment.scale import level_cut, level_for_theta
from hocvuso.core.services import audit_record
from hocvuso.framework.models import Framework, Level
from hocvuso.framework.services import framework_lock
from hocvuso.psychometrics import CatConfig, CatSession, ItemBank, estimate_eap

_BANKS: OrderedDict[str, tuple[ItemBank, dict[str, Item]]] = OrderedDict()
_BANK_CACHE_SIZE = 32


@dataclass(frozen=True)
class SessionState:
    session: TestSession
    item: Item | None
    position: int
    max_items: int
    result: Result | None

    @property
    def finished(self) -> bool:
        return self.item is None


def _bank(item_ids: list[str]) -> tuple[ItemBank, dict[str, Item]]:
    """Return the bank of a sitting (cached per process; item rows immutable)."""
    key = ",".join(item_ids)
    cached = _BANKS.get(key)
    if cached is not None:
        _BANKS.move_to_end(key)
        return cached
    rows = Item.objects.select_related("competence", "level").in_bulk(item_ids)
    items = [rows[uuid.UUID(i)] for i in item_ids]
    value = (bank_for(items), {str(i.pk): i for i in items})
    _BANKS[key] = value
    while len(_BANKS) > _BANK_CACHE_SIZE:
        _BANKS.popitem(last=False)
    return value


def _restore(session: TestSession) -> tuple[CatSession, dict[str, Item]]:
    bank, items = _bank(session.bank_items)
    return CatSession.from_json(json.dumps(session.cat_state), bank), items


def _state(session: TestSession) -> SessionState:
    config = session.blueprint.config
    active = session.status == TestSession.Status.ACTIVE
    result = None if active else Result.objects.filter(session=session).first()
    return SessionState(
        session=session,
        item=session.current_item
        if session.status == TestSession.Status.ACTIVE
        else None,
        position=session.n_answered + 1,
        max_items=int(config.get("max_items", 30)),
        result=result,
    )


def supervision_open(
    *, actor: User, place: str = "", minutes: int = 240, now: datetime | None = None
) -> SupervisionSession:
    """Open a supervised sitting; learners enter its code to start their test."""
    if not has_role(actor, Role.COMMUNE_OFFICER, Role.COMMUNITY_HELPER):
        raise NotAllowed(_("Only commune officers and helpers can supervise tests."))
    now = now or timezone.now()
    commune = next(
        (r.commune for r in actor.roles.select_related("commune") if r.commune), None
    )
    for _attempt in range(5):
        code = f"{secrets.randbelow(10**6):06d}"
        if not SupervisionSession.objects.filter(code=code).exists():
            break
    sup = SupervisionSession.objects.create(
        code=code,
        opened_by=actor,
        commune=commune,
        place=place[:200],
        expires_at=now + timedelta(minutes=max(15, min(minutes, 720))),
    )
    audit_record(actor=actor, action="supervision.open", obj=sup)
    return sup


def _supervision(code: str, now: datetime) -> SupervisionSession | None:
    code = code.strip()
    if not code:
        return None
    sup = SupervisionSession.objects.filter(
        code=code, closed_at__isnull=True, expires_at__gt=now
    ).first()
    if sup is None:
        raise SupervisionInvalid(
            _("This supervision code is not valid or has expired.")
        )
    return sup


@transaction.atomic
def session_start(
    *,
    actor: User,
    blueprint: Blueprint,
    supervision_code: str = "",
    seed: int | None = None,
    now: datetime | None = None,
) -> TestSession:
    """Start a sitting of ``blueprint`` or return the one in progress."""
    now = now or timezone.now()
    running = (
        TestSession.objects.select_for_update(of=("self",))
        .filter(user=actor, blueprint=blueprint, status=TestSession.Status.ACTIVE)
        .first()
    )
    if running is not None:
        if running.expires_at > now:
            return running
        _finish(running, TestSession.Status.EXPIRED, now)
    last = (
        TestSession.objects.filter(user=actor, blueprint=blueprint)
        .exclude(status=TestSession.Status.ACTIVE)
        .order_by("-finished_at")
        .first()
    )
    if (
        last is not None
        and last.finished_at is not None
        and blueprint.retake_cooldown_days
    ):
        allowed = last.finished_at + timedelta(days=blueprint.retake_cooldown_days)
        if allowed > now:
            raise RetakeTooSoon(
                _("You can take this assessment again from %(date)s.")
                % {"date": timezone.localtime(allowed).strftime("%d/%m/%Y %H:%M")}
            )
    supervision = _supervision(supervision_code, now)
    item_ids = [
        str(pk)
        for pk in items_for_group(blueprint.target_group).values_list("pk", flat=True)
    ]
    bank, rows = _bank(item_ids)
    seed = secrets.randbits(62) if seed is None else seed
    cat = CatSession(bank, CatConfig.from_dict(blueprint.config), rng=seed)
    first = cat.next_item()
    try:
        with transaction.atomic():
            session = TestSession.objects.create(
                user=actor,
                blueprint=blueprint,
                seed=seed,
                bank_items=item_ids,
                cat_state=json.loads(cat.to_json()),
                current_item=rows[first] if first else None,
                started_at=now,
                expires_at=now + timedelta(minutes=blueprint.time_limit_minutes),
                supervision=supervision,
            )
    except IntegrityError:
        # Another request started it a moment ago: resume that one.
        return TestSession.objects.get(
            user=actor, blueprint=blueprint, status=TestSession.Status.ACTIVE
        )
    audit_record(
        actor=actor,
        action="assessment.start",
        obj=session,
        after={
            "blueprint": blueprint.target_group.slug,
            "supervised": bool(supervision),
        },
    )
    return session


def session_get(*, actor: User, session_id: uuid.UUID | str) -> TestSession:
    """Return the actor's own sitting or raise ``SessionNotFound``."""
    try:
        pk = uuid.UUID(str(session_id))
    except ValueError as exc:
        raise SessionNotFound(_("This test session does not exist.")) from exc
    session = (
        TestSession.objects.select_related(
            "blueprint__target_group", "current_item__competence"
        )
        .filter(pk=pk, user=actor)
        .first()
    )
    if session is None:
        raise SessionNotFound(_("This test session does not exist."))
    return session


@transaction.atomic
def session_state(*, actor: User, session_id: uuid.UUID | str) -> SessionState:
    """Return where a sitting stands, ending it first if its time is up."""
    session = session_get(actor=actor, session_id=session_id)
    if (
        session.status == TestSession.Status.ACTIVE
        and session.expires_at <= timezone.now()
    ):
        session = TestSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        if session.status == TestSession.Status.ACTIVE:
            _finish(session, TestSession.Status.EXPIRED, timezone.now())
    return _state(session)


def answer_submit(
    *,
    actor: User,
    session_id: uuid.UUID | str,
    item_id: str,
    option: str,
    attempt_id: uuid.UUID,
    now: datetime | None = None,
) -> SessionState:
    """Record the answer to the current item and choose the next one.

    Idempotent: a second call with the same ``attempt_id`` records nothing and
    returns the current state. Raises ``WrongItem`` for an answer to another
    item than the current one, ``InvalidOption`` for an unknown option,
    ``SessionClosed`` when the sitting is over (a sitting whose time ran out is
    scored first, and that is kept).
    """
    now = now or timezone.now()
    try:
        pk = uuid.UUID(str(session_id))
    except ValueError as exc:
        raise SessionNotFound(_("This test session does not exist.")) from exc
    with transaction.atomic():
        # Lock only the sitting row: a bare FOR UPDATE would also lock the
        # blueprint, group and level rows every sitting of the group shares.
        session = (
            TestSession.objects.select_for_update(of=("self",))
            .select_related("blueprint__target_group", "blueprint__pass_level")
            .filter(pk=pk, user=actor)
            .first()
        )
        if session is None:
            raise SessionNotFound(_("This test session does not exist."))
        previous = Response.objects.filter(attempt_id=attempt_id).first()
        if previous is not None:
            if previous.session_id != session.pk:
                raise WrongItem(_("This answer belongs to another test session."))
            return _state(session)
        if session.status != TestSession.Status.ACTIVE:
            raise SessionClosed(_("This test session is already finished."))
        timed_out = session.expires_at <= now
        if timed_out:
            _finish(session, TestSession.Status.EXPIRED, now)
        else:
            state = _record(session, item_id, option, attempt_id, now)
    if timed_out:
        raise SessionClosed(_("Time is up: the answers given so far were scored."))
    return state


def _record(
    session: TestSession,
    item_id: str,
    option: str,
    attempt_id: uuid.UUID,
    now: datetime,
) -> SessionState:
    if str(session.current_item_id) != str(item_id):
        raise WrongItem(_("This is not the current question; reload the page."))
    cat, items = _restore(session)
    item = items[str(session.current_item_id)]
    if option not in {o["id"] for o in item.content["options"]}:
        raise InvalidOption(_("Choose one of the answers shown."))
    correct = option == item.key
    cat.record(str(item.pk), int(correct))
    nxt = None if cat.should_stop() else cat.next_item()
    Response.objects.create(
        attempt_id=attempt_id,
        session=session,
        item=item,
        position=session.n_answered + 1,
        option=option,
        correct=correct,
        next_item=items[nxt] if nxt else None,
    )
    session.n_answered += 1
    session.cat_state = json.loads(cat.to_json())
    session.current_item = items[nxt] if nxt else None
    if nxt is None:
        _finish(session, TestSession.Status.COMPLETED, now, cat=cat)
    else:
        session.save(
            update_fields=["n_answered", "cat_state", "current_item", "updated_at"]
        )
    return _state(session)


def _profile(
    responses: list[Response], theta: float, framework: Framework
) -> dict[str, Any]:
    """Return ability per domain and answers per competence (profile v1).

    Domain abilities use the overall ability as the prior mean, so a domain
    with few answers stays near it instead of near the population mean; a
    level is given only from 4 answers, and competences get an ability only
    from 4 answers.
    """
    levels = dict(
        Level.objects.filter(framework=framework).values_list("number", "code")
    )
    by_domain: dict[str, list[Response]] = {}
    by_comp: dict[str, list[Response]] = {}
    for r in responses:
        by_domain.setdefault(r.item.domain_code, []).append(r)
        by_comp.setdefault(r.item.competence.code, []).append(r)

    def ability(rs: list[Response]) -> dict[str, Any]:
        est = estimate_eap(
            [int(r.correct) for r in rs],
            [r.item.irt_a for r in rs],
            [r.item.irt_b for r in rs],
            [r.item.irt_c for r in rs],
            prior_mean=theta,
        )
        return {
            "n": len(rs),
            "correct": sum(r.correct for r in rs),
            "theta": round(est.theta, 3),
            "se": round(est.se, 3),
            "level": level_for_theta(est.theta, levels) if len(rs) >= 4 else None,
        }

    domains = {code: ability(rs) for code, rs in sorted(by_domain.items())}
    competences = {
        code: ability(rs)
        if len(rs) >= 4
        else {"n": len(rs), "correct": sum(r.correct for r in rs)}
        for code, rs in sorted(by_comp.items())
    }
    return {"schema_version": 1, "domains": domains, "competences": competences}


def _finish(
    session: TestSession,
    status: str,
    now: datetime,
    *,
    cat: CatSession | None = None,
) -> Result:
    """Close the sitting and store its result (caller holds the row lock)."""
    if cat is None:
        cat, _items = _restore(session)
    blueprint = session.blueprint
    responses = list(
        session.responses.select_related("item__competence").order_by("position")
    )
    est = cat.estimate
    framework = blueprint.pass_level.framework
    levels = dict(
        Level.objects.filter(framework=framework).values_list("number", "code")
    )
    level_code = level_for_theta(est.theta, levels)
    session.status = status
    session.finished_at = now
    session.current_item = None
    session.save()
    result = Result.objects.create(
        session=session,
        user=session.user,
        target_group=blueprint.target_group,
        framework=framework,
        theta=float(est.theta),
        se=float(est.se),
        level=Level.objects.filter(framework=framework, code=level_code).first(),
        passed=bool(responses)
        and bool(est.theta >= level_cut(blueprint.pass_level.number)),
        supervised=session.supervision_id is not None,
        n_items=len(responses),
        stop_reason=(cat.stop_reason or status) if status == "completed" else status,
        profile=_profile(responses, float(est.theta), framework),
    )
    framework_lock(framework=framework)
    audit_record(
        actor=session.user,
        action="result.create",
        obj=result,
        after={
            "theta": round(result.theta, 3),
            "level": level_code,
            "passed": result.passed,
            "supervised": result.supervised,
            "status": status,
        },
    )
    return result
