"""Writes for assessment: start a sitting, submit answers, finish it.

Every answer is stored with the client's ``attempt_id`` under a row lock on the
sitting, and the adaptive-test state is saved in the same transaction: a retry
returns the state the first submission produced, and a learner who loses the
connection (or a server that restarts) resumes at the same item.

Supervised sittings live in ``supervision.py``, the bank a sitting runs on in
``sittingbank.py``.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hocvuso.accounts.guidance import grant_active
from hocvuso.accounts.models import User
from hocvuso.assessment.bank import (
    bank_for,
    exposure_parameters,
    form_item_ids,
    items_for_group,
)
from hocvuso.assessment.errors import (
    AttemptConflict,
    BankIncomplete,
    InvalidOption,
    NotAllowed,
    RetakeTooSoon,
    SessionClosed,
    SessionNotFound,
    SupervisionInvalid,
    TooManyAnswers,
    WrongItem,
)
from hocvuso.assessment.models import (
    Blueprint,
    Item,
    Response,
    Result,
    TestSession,
)
from hocvuso.assessment.scale import level_cut, level_for_theta
from hocvuso.assessment.signals import result_recorded
from hocvuso.assessment.sittingbank import (
    bank_cached,
    bank_snapshot,
    item_rows,
    session_restore,
)
from hocvuso.assessment.supervision import supervision_for_code
from hocvuso.core.indicators import indicator_data_changed_on_commit
from hocvuso.core.services import audit_record
from hocvuso.framework.models import Level
from hocvuso.framework.services import framework_lock
from hocvuso.psychometrics import (
    CatConfig,
    CatSession,
    ItemBank,
    estimate_eap,
    pass_decision,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionState:
    session: TestSession
    target_group: str
    item: Item | None
    position: int
    max_items: int
    result: Result | None

    @property
    def finished(self) -> bool:
        return self.item is None


def _scoring_key(item: Item) -> str:
    """Return the key an answer to ``item`` is scored with now.

    An item delivered before is never edited in place: an editor's fix makes a
    new version, while sittings in progress still show the version they drew.
    Their next answers are scored with the current version's key as long as
    the options are the same (a fix of the key or of wording); answers
    already recorded keep their score.
    """
    if item.is_current:
        return item.key
    current = (
        Item.objects.filter(slug=item.slug, is_current=True)
        .only("key", "content")
        .first()
    )
    if current is None or _option_ids(current) != _option_ids(item):
        return item.key
    return current.key


def _option_ids(item: Item) -> list[str]:
    return [str(o["id"]) for o in item.content["options"]]


def _current_item(session: TestSession) -> Item | None:
    """Return the sitting's current item row, reading it if not loaded."""
    if session.current_item_id is None:
        return None
    if TestSession._meta.get_field("current_item").is_cached(session):
        return session.current_item
    return item_rows([str(session.current_item_id)]).get(str(session.current_item_id))


def _state(session: TestSession) -> SessionState:
    """Return where ``session`` stands."""
    active = session.status == TestSession.Status.ACTIVE
    config = session.cat_state.get("config") or {}
    return SessionState(
        session=session,
        target_group=session.blueprint.target_group.slug,
        item=_current_item(session) if active else None,
        position=session.n_answered + 1,
        max_items=int(config.get("max_items", 30)) + len(session.field_tests),
        result=None if active else Result.objects.filter(session=session).first(),
    )


@transaction.atomic
def session_start(
    *,
    actor: User,
    blueprint: Blueprint,
    supervision_code: str = "",
    seed: int | None = None,
    now: datetime | None = None,
    assisted_by: User | None = None,
) -> TestSession:
    """Start a sitting of ``blueprint`` or return the one in progress.

    ``assisted_by`` is a helper guiding ``actor`` (``accounts.guidance``): it
    needs the helper's open guidance grant and a supervision code, and the
    sitting records the helper.
    """
    now = now or timezone.now()
    if assisted_by is not None:
        if grant_active(helper=assisted_by, learner=actor) is None:
            raise NotAllowed(_("You may not start a test for this person."))
        if not supervision_code.strip():
            raise SupervisionInvalid(
                _("A test taken with a helper must be supervised: enter the code.")
            )
    running = (
        TestSession.objects.select_for_update(of=("self",))
        .filter(user=actor, blueprint=blueprint, status=TestSession.Status.ACTIVE)
        .first()
    )
    if running is not None:
        if running.expires_at > now:
            return running
        _finish(running, TestSession.Status.EXPIRED, now)
    supervision = supervision_for_code(supervision_code, now)
    if supervision is None:
        _cooldown_check(actor, blueprint, now)
    if blueprint.mode == Blueprint.Mode.FIXED:
        form = form_item_ids(blueprint)
        by_id = item_rows(form)
        items = [by_id[i] for i in form]
    else:
        items = list(items_for_group(blueprint.target_group))
    item_ids = [str(i.pk) for i in items]
    rows = {str(i.pk): i for i in items}
    seed = secrets.randbits(62) if seed is None else seed
    try:
        if blueprint.mode == Blueprint.Mode.FIXED and len(item_ids) != len(
            blueprint.form
        ):
            raise ValueError("an item of the fixed form is no longer current")
        bank = bank_cached(bank_for(items))
        exposure = exposure_parameters(blueprint, items)
        if "eligibility" in exposure:
            # Drawn once at the start and kept in the state: restoring needs
            # only the bank's parameters.
            bank_start = bank.with_eligibility(exposure["eligibility"])
        elif "sh_k" in exposure:
            bank_start = bank.with_sh_k(exposure["sh_k"])
        else:
            bank_start = bank
        config = CatConfig.from_dict(blueprint.config)
        if config.exposure in ("eligibility", "sympson_hetter") and not exposure:
            # Not calibrated yet (``calibrate-exposure``): a random pick among
            # the best items keeps the first questions from being the same
            # for everyone meanwhile.
            config = replace(config, exposure="randomesque")
        cat = CatSession(bank_start, config, rng=seed)
    except ValueError as exc:
        # E.g. a content minimum the current items cannot meet, or no items.
        logger.error(
            "assessment of %s cannot start (%d items): %s",
            blueprint.target_group.slug,
            len(item_ids),
            exc,
        )
        raise BankIncomplete(
            _(
                "This assessment is not available yet: its question bank is "
                "incomplete. Please tell the organisers."
            )
        ) from exc
    first = cat.next_item()
    snapshot = bank_snapshot(bank)
    field_tests = _field_test_plan(blueprint, config, seed)
    try:
        with transaction.atomic():
            session = TestSession.objects.create(
                user=actor,
                blueprint=blueprint,
                seed=seed,
                bank_items=item_ids,
                bank=snapshot,
                cat_state=cat.to_dict(),
                field_tests=field_tests,
                language="en" if (get_language() or "vi").startswith("en") else "vi",
                current_item=rows[first] if first else None,
                started_at=now,
                expires_at=now + timedelta(minutes=blueprint.time_limit_minutes),
                supervision=supervision,
                assisted_by=assisted_by,
            )
    except IntegrityError:
        # Another request started it a moment ago: resume that one.
        return TestSession.objects.get(
            user=actor, blueprint=blueprint, status=TestSession.Status.ACTIVE
        )
    audit_record(
        actor=assisted_by or actor,
        action="assessment.start.assisted" if assisted_by else "assessment.start",
        obj=session,
        after={
            "blueprint": blueprint.target_group.slug,
            "supervised": bool(supervision),
        }
        | ({"learner": str(actor.pk)} if assisted_by else {}),
    )
    return session


def _field_test_plan(
    blueprint: Blueprint, config: CatConfig, seed: int
) -> list[dict[str, Any]]:
    """Return the sitting's field-test slots: random items at random positions.

    Positions lie in ``4 .. min_items`` (never among the first 3 questions,
    and always reached, since the test cannot stop before ``min_items``
    scored answers); the items are drawn from the group's field-test items.
    """
    slots = int(blueprint.field_test_slots)
    if blueprint.mode != Blueprint.Mode.ADAPTIVE or slots <= 0:
        return []
    pool = [
        str(pk)
        for pk in items_for_group(blueprint.target_group, field_test=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    ]
    positions = list(range(4, config.min_items + 1))
    n = min(slots, len(pool), len(positions))
    if n == 0:
        return []
    rng = np.random.default_rng([seed, 14])
    chosen = rng.choice(len(pool), size=n, replace=False)
    where = np.sort(rng.choice(positions, size=n, replace=False))
    return [
        {"position": int(p), "item": pool[int(k)]}
        for p, k in zip(where, chosen, strict=True)
    ]


def _field_test_at(session: TestSession, position: int) -> str | None:
    """Return the field-test item of ``position`` (1-based), if any."""
    for slot in session.field_tests:
        if int(slot["position"]) == position:
            return str(slot["item"])
    return None


def _cooldown_check(actor: User, blueprint: Blueprint, now: datetime) -> None:
    """Hold back an unsupervised retake for the blueprint's days (pass or fail)."""
    last = (
        TestSession.objects.filter(user=actor, blueprint=blueprint)
        .exclude(status=TestSession.Status.ACTIVE)
        .select_related("result")
        .order_by("-finished_at")
        .first()
    )
    if last is None or last.finished_at is None:
        return
    result = getattr(last, "result", None)
    days = (
        blueprint.retake_cooldown_after_pass_days
        if result is not None and result.passed
        else blueprint.retake_cooldown_days
    )
    allowed = last.finished_at + timedelta(days=days)
    if days and allowed > now:
        raise RetakeTooSoon(
            _("You can take this assessment again from %(date)s.")
            % {"date": timezone.localtime(allowed).strftime("%d/%m/%Y %H:%M")}
        )


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
        session = (
            TestSession.objects.select_for_update(of=("self",))
            .select_related("blueprint__target_group")
            .get(pk=session.pk)
        )
        if session.status == TestSession.Status.ACTIVE:
            _finish(session, TestSession.Status.EXPIRED, timezone.now())
    return _state(session)


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_parse(text: str) -> tuple[int, int]:
    """Return (count, seconds) of a rate such as "120/m" or "30/10s".

    Raises ``ValueError`` for anything else.
    """
    count, sep, period = text.strip().partition("/")
    unit, n = period[-1:], period[:-1] or "1"
    if not (sep and count.isdigit() and n.isdigit() and unit in _PERIODS):
        raise ValueError(f"not a rate (count/period, e.g. 120/m): {text!r}")
    return int(count), int(n) * _PERIODS[unit]


def _answer_rate() -> tuple[int, int]:
    return rate_parse(str(getattr(settings, "HOCVUSO_ANSWER_RATE", "120/m")))


def _rate_check(session: TestSession, now: datetime) -> None:
    """Count one submission in the sitting's window; raise when over the rate.

    The counter lives on the sitting's row and is written with the answer, so
    the limit costs no query of its own. A submission over the limit writes
    nothing. Under a race two submissions may count once: the limit is a
    guard against scripts, not an exact meter.
    """
    limit, seconds = _answer_rate()
    start = session.rate_window_start
    if start is None or (now - start).total_seconds() >= seconds:
        session.rate_window_start = now
        session.rate_window_count = 0
    if session.rate_window_count >= limit:
        raise TooManyAnswers(
            _("You are answering too fast. Wait a moment and try again.")
        )
    session.rate_window_count += 1


class _Raced(Exception):
    """Another submission changed the sitting between our read and our write."""


_ANSWER_ATTEMPTS = 5


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
    item than the current one (or an attempt id another sitting used),
    ``InvalidOption`` for an unknown option, ``SessionClosed`` when the sitting
    is over (a sitting whose time ran out is scored first, and that is kept),
    ``TooManyAnswers`` over ``HOCVUSO_ANSWER_RATE`` submissions (retries
    included) per sitting.

    Concurrency is optimistic: the sitting is read without a lock, the next
    item is chosen, and one short transaction writes the sitting only if its
    answer count is still the one read (then inserts the answer). A
    submission that lost a race reads again: a retry of the winning attempt
    then returns its state, any other answer finds the question changed.
    Write transactions stay a few statements long, which keeps SQLite's
    single writer and PostgreSQL's row lock free for the other learners.
    """
    now = now or timezone.now()
    try:
        pk = uuid.UUID(str(session_id))
    except ValueError as exc:
        raise SessionNotFound(_("This test session does not exist.")) from exc
    for _attempt in range(_ANSWER_ATTEMPTS):
        try:
            # The current item is read with the sitting (one query, and as it
            # is now: an editor's key fix applies to this answer).
            session = TestSession.objects.select_related(
                "blueprint__target_group",
                "current_item__competence",
                "current_item__level",
            ).get(pk=pk, user=actor)
        except TestSession.DoesNotExist as exc:
            raise SessionNotFound(_("This test session does not exist.")) from exc
        session.user = actor  # known: saves a query when the sitting ends
        try:
            return _answer_once(session, item_id, option, attempt_id, now)
        except _Raced:
            continue
    raise WrongItem(_("This is not the current question; reload the page."))


def _answer_once(
    session: TestSession,
    item_id: str,
    option: str,
    attempt_id: uuid.UUID,
    now: datetime,
) -> SessionState:
    _rate_check(session, now)
    if str(attempt_id) in session.attempt_ids:
        _rate_save(session)
        return _state(session)
    try:
        if session.status != TestSession.Status.ACTIVE:
            raise SessionClosed(_("This test session is already finished."))
        if session.expires_at <= now:
            return _expire(session, now)
        current = str(session.current_item_id)
        if session.current_item_id is None or current != str(item_id):
            raise WrongItem(_("This is not the current question; reload the page."))
        cat = session_restore(session)
        item = session.current_item
        if item is None:  # the id was checked above: only a vanished row
            raise WrongItem(_("This is not the current question; reload the page."))
        if option not in {o["id"] for o in item.content["options"]}:
            raise InvalidOption(_("Choose one of the answers shown."))
    except (SessionClosed, WrongItem, InvalidOption):
        _rate_save(session)  # nothing recorded, but it counts toward the rate
        raise
    correct = option == _scoring_key(item)
    read = session.n_answered
    # A field-test item is stored for calibration only: the adaptive test
    # neither sees the answer nor counts it (its pending item waits).
    scored = _field_test_at(session, read + 1) != current
    if scored:
        cat.record(str(item.pk), int(correct))
    nxt = None if cat.should_stop() else cat.next_item()
    if nxt is not None:
        nxt = _field_test_at(session, read + 2) or nxt
    session.n_answered = read + 1
    session.attempt_ids = [*session.attempt_ids, str(attempt_id)]
    session.cat_state = cat.to_dict()
    session.current_item = item_rows([nxt])[nxt] if nxt else None
    session.updated_at = now
    fields = [
        "n_answered",
        "attempt_ids",
        "cat_state",
        "current_item",
        "rate_window_start",
        "rate_window_count",
        "updated_at",
    ]
    with transaction.atomic():
        won = TestSession.objects.filter(
            pk=session.pk, n_answered=read, status=TestSession.Status.ACTIVE
        ).update(**{f: getattr(session, f) for f in fields})
        if not won:
            raise _Raced
        try:
            # An attempt id that another sitting used fails the primary key.
            # No savepoint is needed: the error ends the transaction, and the
            # sitting's update above is rolled back with it.
            Response.objects.create(
                attempt_id=attempt_id,
                session=session,
                item=item,
                position=read + 1,
                option=option,
                correct=correct,
                scored=scored,
                next_item=session.current_item,
            )
        except IntegrityError as exc:
            raise AttemptConflict(
                _("This answer belongs to another test session.")
            ) from exc
        if nxt is None:
            _finish(session, TestSession.Status.COMPLETED, now, cat=cat)
    return _state(session)


def _rate_save(session: TestSession) -> None:
    TestSession.objects.filter(pk=session.pk).update(
        rate_window_start=session.rate_window_start,
        rate_window_count=session.rate_window_count,
    )


def _expire(session: TestSession, now: datetime) -> SessionState:
    """Score a sitting whose time ran out (kept), then raise ``SessionClosed``."""
    with transaction.atomic():
        locked = TestSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
        if locked.status == TestSession.Status.ACTIVE:
            _finish(locked, TestSession.Status.EXPIRED, now)
    raise SessionClosed(_("Time is up: the answers given so far were scored."))


def _profile(
    answered: list[tuple[Item, bool]],
    bank: ItemBank,
    theta: float,
    levels: dict[int, str],
) -> dict[str, Any]:
    """Return ability per domain and answers per competence (profile v1).

    Item parameters are those of ``bank``, the ones the sitting ran on.

    Domain abilities use the overall ability as the prior mean, so a domain
    with few answers stays near it instead of near the population mean; a
    level is given only from 4 answers, and competences get an ability only
    from 4 answers.
    """
    by_domain: dict[str, list[tuple[Item, bool]]] = {}
    by_comp: dict[str, list[tuple[Item, bool]]] = {}
    for item, correct in answered:
        by_domain.setdefault(item.domain_code, []).append((item, correct))
        by_comp.setdefault(item.competence.code, []).append((item, correct))

    def ability(rs: list[tuple[Item, bool]]) -> dict[str, Any]:
        at = [bank.index(str(i.pk)) for i, _c in rs]
        est = estimate_eap(
            [int(c) for _i, c in rs],
            [float(bank.a[k]) for k in at],
            [float(bank.b[k]) for k in at],
            [float(bank.c[k]) for k in at],
            prior_mean=theta,
        )
        return {
            "n": len(rs),
            "correct": sum(c for _i, c in rs),
            "theta": round(est.theta, 3),
            "se": round(est.se, 3),
            "level": level_for_theta(est.theta, levels) if len(rs) >= 4 else None,
        }

    domains = {code: ability(rs) for code, rs in sorted(by_domain.items())}
    competences = {
        code: ability(rs)
        if len(rs) >= 4
        else {"n": len(rs), "correct": sum(c for _i, c in rs)}
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
    """Close the sitting and store its result.

    The caller holds the sitting's row lock, or has just won the guarded
    update of :func:`_answer_once` in the same transaction. The answers are
    read from the adaptive-test state, which is written in the same
    transaction as every answer row.
    """
    if cat is None:
        cat = session_restore(session)
    items = item_rows(cat.administered)
    blueprint = Blueprint.objects.select_related(
        "target_group", "pass_level__framework"
    ).get(pk=session.blueprint_id)
    framework = blueprint.pass_level.framework
    levels = {lv.number: lv for lv in Level.objects.filter(framework=framework)}
    codes = {n: lv.code for n, lv in levels.items()}
    answered = [
        (items[i], bool(r))
        for i, r in zip(cat.administered, cat.responses, strict=True)
    ]
    est = cat.estimate
    level_code = level_for_theta(est.theta, codes)
    bank = cat.bank
    at = [bank.index(i) for i in cat.administered]
    decision = pass_decision(
        list(cat.responses),
        bank.a[at],
        bank.b[at],
        bank.c[at],
        cut=level_cut(blueprint.pass_level.number),
        min_correct=max(1, int(blueprint.min_correct)),
    )
    session.status = status
    session.finished_at = now
    session.current_item = None
    session.updated_at = now
    session.save(update_fields=["status", "finished_at", "current_item", "updated_at"])
    result = Result.objects.create(
        session=session,
        user=session.user,
        target_group=blueprint.target_group,
        framework=framework,
        theta=float(est.theta),
        se=float(est.se),
        level=next((lv for lv in levels.values() if lv.code == level_code), None),
        # A pass rests on evidence: the WLE at the cut and enough correct
        # answers (EAP's prior alone could lift an all-wrong short form).
        passed=bool(answered) and decision.passed,
        supervised=session.supervision_id is not None,
        n_items=len(answered),
        stop_reason=(cat.stop_reason or status) if status == "completed" else status,
        profile=_profile(answered, cat.bank, float(est.theta), codes)
        | {"decision": {"wle": round(decision.wle.theta, 3), "rule": decision.reason}},
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
    result_id = str(result.pk)
    transaction.on_commit(
        lambda: result_recorded.send(sender=Result, result_id=result_id)
    )
    indicator_data_changed_on_commit("assessment")
    return result
