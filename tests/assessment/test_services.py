"""Sittings: adaptive, idempotent, resumable, timed, supervised, audited."""

from __future__ import annotations

import importlib
import random
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.utils import timezone
from tests.assessment.helpers import answer
from tests.factories import learner_in, user_with_role
from tests.learning.packfactory import replace

from hocvuso.accounts.models import User
from hocvuso.assessment import services, sittingbank
from hocvuso.assessment.apps import check_rates
from hocvuso.assessment.errors import (
    InvalidOption,
    NotAllowed,
    RetakeTooSoon,
    SessionClosed,
    SessionNotFound,
    SupervisionInvalid,
    SupervisionUnavailable,
    TooManyAnswers,
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
from hocvuso.assessment.services import (
    SessionState,
    answer_submit,
    rate_parse,
    session_start,
    session_state,
)
from hocvuso.assessment.supervision import supervision_open
from hocvuso.core.models import AuditLog
from hocvuso.framework.models import Framework
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db


def finish(user: User, session: TestSession, right: bool = True) -> SessionState:
    state = session_state(actor=user, session_id=session.pk)
    while not state.finished:
        state = answer(user, session, right)
    return state


def test_items_get_provisional_parameters_from_their_level(bank: Path) -> None:
    item = Item.objects.get(slug="4-2-001")
    assert (item.level.code, item.irt_b, item.irt_a) == ("CB2", -1.5, 1.2)
    assert item.irt_provisional and item.is_current
    assert Item.objects.count() == 48


def test_full_sitting_respects_content_constraints(adults: Blueprint) -> None:
    user = learner_in(30178)
    session = session_start(actor=user, blueprint=adults, seed=7)
    state = finish(user, session)
    result = state.result
    assert result is not None and result.passed and result.level is not None
    assert 8 <= result.n_items <= 14
    domains = result.profile["domains"]
    assert domains["1"]["n"] >= 1 and 2 <= domains["4"]["n"] <= 5
    assert AuditLog.objects.filter(
        action="result.create", object_id=str(result.pk)
    ).exists()
    assert Framework.objects.get(slug="tt02-2025").locked


def test_wrong_answers_fail(adults: Blueprint) -> None:
    user = learner_in(30178)
    result = finish(
        user, session_start(actor=user, blueprint=adults, seed=1), False
    ).result
    assert result is not None and not result.passed and result.theta < -1.5


def test_retry_with_same_attempt_id_records_once(adults: Blueprint) -> None:
    user = learner_in(30178)
    session = session_start(actor=user, blueprint=adults, seed=3)
    item = session.current_item
    assert item is not None
    attempt = uuid.uuid4()
    first = answer_submit(
        actor=user,
        session_id=session.pk,
        item_id=str(item.pk),
        option="b",
        attempt_id=attempt,
    )
    again = answer_submit(
        actor=user,
        session_id=session.pk,
        item_id=str(item.pk),
        option="b",
        attempt_id=attempt,
    )
    assert first.item == again.item and first.item != item
    assert Response.objects.filter(session=session).count() == 1


def test_restart_resumes_same_item_and_sequence(adults: Blueprint) -> None:
    """Two learners with the same seed and answers get the same items, even when
    one of them is interrupted (state reloaded from the database)."""
    a, b = learner_in(30178), learner_in(30178)
    sa = session_start(actor=a, blueprint=adults, seed=11)
    sb = session_start(actor=b, blueprint=adults, seed=11)
    for _ in range(4):
        answer(a, sa)
        answer(b, sb)
        sittingbank.bank_cache_clear()  # as after a server restart
    sa.refresh_from_db()
    sb.refresh_from_db()
    assert sa.current_item == sb.current_item
    assert session_start(actor=a, blueprint=adults).pk == sa.pk  # resumed


def test_out_of_order_and_bad_answers_are_refused(adults: Blueprint) -> None:
    user = learner_in(30178)
    session = session_start(actor=user, blueprint=adults, seed=5)
    other = Item.objects.exclude(pk=session.current_item_id).first()
    assert other is not None
    with pytest.raises(WrongItem):
        answer_submit(
            actor=user,
            session_id=session.pk,
            item_id=str(other.pk),
            option="a",
            attempt_id=uuid.uuid4(),
        )
    with pytest.raises(InvalidOption):
        answer_submit(
            actor=user,
            session_id=session.pk,
            item_id=str(session.current_item_id),
            option="z",
            attempt_id=uuid.uuid4(),
        )
    stranger = learner_in(70)
    with pytest.raises(SessionNotFound):
        answer_submit(
            actor=stranger,
            session_id=session.pk,
            item_id=str(session.current_item_id),
            option="a",
            attempt_id=uuid.uuid4(),
        )
    with pytest.raises(SessionNotFound):
        session_state(actor=user, session_id="not-a-uuid")
    assert not Response.objects.exists()


def test_attempt_id_of_another_session_is_refused(
    adults: Blueprint, bank: Path
) -> None:
    a, b = learner_in(30178), learner_in(70)
    sa = session_start(actor=a, blueprint=adults, seed=2)
    sb = session_start(actor=b, blueprint=adults, seed=2)
    attempt = uuid.uuid4()
    answer_submit(
        actor=a,
        session_id=sa.pk,
        item_id=str(sa.current_item_id),
        option="b",
        attempt_id=attempt,
    )
    with pytest.raises(WrongItem):
        answer_submit(
            actor=b,
            session_id=sb.pk,
            item_id=str(sb.current_item_id),
            option="b",
            attempt_id=attempt,
        )
    sb.refresh_from_db()  # the whole answer was rolled back
    assert sb.n_answered == 0 and sb.attempt_ids == []
    assert not Response.objects.filter(session=sb).exists()


def test_a_submission_that_lost_a_race_reads_again(adults: Blueprint) -> None:
    """Two submissions read the same sitting; the second one to write loses the
    guarded update, reads again and is judged on the new state."""
    user = learner_in(30178)
    session = session_start(actor=user, blueprint=adults, seed=8)
    stale = TestSession.objects.get(pk=session.pk)
    first_item = str(session.current_item_id)
    winner = uuid.uuid4()
    won = answer_submit(
        actor=user,
        session_id=session.pk,
        item_id=first_item,
        option="a",
        attempt_id=winner,
    )
    with pytest.raises(services._Raced):
        services._answer_once(stale, first_item, "b", uuid.uuid4(), timezone.now())
    with pytest.raises(WrongItem):  # the question has changed meanwhile
        answer_submit(
            actor=user,
            session_id=session.pk,
            item_id=first_item,
            option="b",
            attempt_id=uuid.uuid4(),
        )
    again = answer_submit(  # the winner's retry gets the winner's state
        actor=user,
        session_id=session.pk,
        item_id=first_item,
        option="a",
        attempt_id=winner,
    )
    assert again.item == won.item and again.position == 2
    assert Response.objects.filter(session=session).count() == 1
    session.refresh_from_db()
    assert session.attempt_ids == [str(winner)] and session.n_answered == 1


def test_answers_are_limited_per_sitting_and_window(
    adults: Blueprint, settings: Any
) -> None:
    settings.HOCVUSO_ANSWER_RATE = "3/m"
    user = learner_in(30178)
    session = session_start(actor=user, blueprint=adults, seed=6)
    now = timezone.now()

    def submit(item_id: str, attempt: uuid.UUID, at: datetime) -> SessionState:
        session.refresh_from_db()
        option = session.current_item.key if session.current_item else "a"
        return answer_submit(
            actor=user,
            session_id=session.pk,
            item_id=item_id,
            option=option,
            attempt_id=attempt,
            now=at,
        )

    first = uuid.uuid4()
    submit(str(session.current_item_id), first, now)
    submit(str(session.current_item_id), first, now)  # a retry counts
    with pytest.raises(WrongItem):  # so does a refused answer
        submit("not-the-item", uuid.uuid4(), now)
    with pytest.raises(TooManyAnswers):
        submit(str(session.current_item_id), uuid.uuid4(), now + timedelta(seconds=5))
    session.refresh_from_db()
    assert session.n_answered == 1 and session.rate_window_count == 3
    later = now + timedelta(seconds=61)  # a new window
    state = submit(str(session.current_item_id), uuid.uuid4(), later)
    assert state.position == 3
    assert Response.objects.filter(session=session).count() == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("120/m", (120, 60)), ("30/10s", (30, 10)), (" 5/h", (5, 3600))],
)
def test_rate_parse(text: str, expected: tuple[int, int]) -> None:
    assert rate_parse(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "10/x", "/m", "10/", "-1/m", "1/0.5m"])
def test_rate_parse_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="not a rate"):
        rate_parse(text)


def test_malformed_answer_rate_is_reported_at_start_up(settings: Any) -> None:
    settings.HOCVUSO_ANSWER_RATE = "often"
    errors = check_rates()
    assert [e.id for e in errors] == ["hocvuso.assessment.E001"]
    settings.HOCVUSO_ANSWER_RATE = "60/m"
    assert check_rates() == []


def test_backfill_fills_attempt_ids_from_answers(adults: Blueprint) -> None:
    user = learner_in(30178)
    session = session_start(actor=user, blueprint=adults, seed=10)
    for _ in range(3):
        answer(user, session)
    expected = list(
        Response.objects.filter(session=session)
        .order_by("position")
        .values_list("attempt_id", flat=True)
    )
    TestSession.objects.filter(pk=session.pk).update(attempt_ids=[])
    backfill = importlib.import_module(
        "hocvuso.assessment.migrations.0003_backfill_attempt_ids"
    ).backfill
    backfill(django_apps, None)
    backfill(django_apps, None)  # rerunnable
    session.refresh_from_db()
    assert session.attempt_ids == [str(a) for a in expected]


def test_time_limit_ends_the_sitting(adults: Blueprint) -> None:
    user = learner_in(30178)
    session = session_start(actor=user, blueprint=adults, seed=4)
    answer(user, session)
    later = timezone.now() + timedelta(minutes=31)
    with pytest.raises(SessionClosed):
        answer_submit(
            actor=user,
            session_id=session.pk,
            item_id=str(session.current_item_id),
            option="b",
            attempt_id=uuid.uuid4(),
            now=later,
        )
    session.refresh_from_db()
    assert session.status == "expired"
    assert Result.objects.get(session=session).n_items == 1


def test_one_active_sitting_and_retake_cooldown(adults: Blueprint) -> None:
    user = learner_in(30178)
    first = session_start(actor=user, blueprint=adults, seed=1)
    assert session_start(actor=user, blueprint=adults).pk == first.pk
    finish(user, first, right=False)
    with pytest.raises(RetakeTooSoon):
        session_start(actor=user, blueprint=adults)
    later = timezone.now() + timedelta(days=8)
    assert session_start(actor=user, blueprint=adults, now=later).pk != first.pk


def test_the_cooldown_after_a_pass_is_its_own_setting(adults: Blueprint) -> None:
    user = learner_in(30178)
    first = session_start(actor=user, blueprint=adults, seed=1)
    finish(user, first, right=True)
    assert Result.objects.get(session=first).passed
    second = session_start(actor=user, blueprint=adults)  # 0 days after a pass
    assert second.pk != first.pk
    finish(user, second, right=True)
    adults.retake_cooldown_after_pass_days = 30
    adults.save()
    with pytest.raises(RetakeTooSoon):
        session_start(actor=user, blueprint=adults)


def test_a_practice_at_home_never_holds_back_a_supervised_sitting(
    adults: Blueprint,
) -> None:
    user = learner_in(30178)
    practice = session_start(actor=user, blueprint=adults, seed=1)
    finish(user, practice, right=False)
    with pytest.raises(RetakeTooSoon):
        session_start(actor=user, blueprint=adults)
    officer = user_with_role("commune_officer", commune_code=30178)
    sup = supervision_open(actor=officer, place="UBND xã")
    supervised = session_start(actor=user, blueprint=adults, supervision_code=sup.code)
    assert supervised.supervision == sup


def test_supervised_sitting(adults: Blueprint) -> None:
    officer = user_with_role("commune_officer", commune_code=30178)
    sup = supervision_open(actor=officer, place="UBND xã")
    user = learner_in(30178)
    with pytest.raises(SupervisionInvalid):
        session_start(actor=user, blueprint=adults, supervision_code="000000x")
    session = session_start(actor=user, blueprint=adults, supervision_code=sup.code)
    assert finish(user, session).result.supervised  # type: ignore[union-attr]
    with pytest.raises(NotAllowed):
        supervision_open(actor=user)


def test_delivered_item_is_versioned_not_edited(bank: Path, adults: Blueprint) -> None:
    user = learner_in(30178)
    session = session_start(actor=user, blueprint=adults, seed=9)
    delivered = session.current_item
    assert delivered is not None
    answer(user, session)
    items = bank / "items/safety.yaml"
    replace(items, f"Câu {delivered.slug}?", f"Câu {delivered.slug} (sửa)?")
    replace(items, "Câu 6-2-007?", "Câu 6-2-007 (sửa)?")
    pack_import(source=PackSource.open(bank), actor=None)
    versions = list(Item.objects.filter(slug=delivered.slug).order_by("version"))
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert "(sửa)" not in versions[0].text("stem")
    untouched = Item.objects.get(slug="6-2-007")  # never delivered: edited in place
    if untouched.pk != delivered.pk:
        assert untouched.version == 1 and "(sửa)" in untouched.text("stem")
    assert AuditLog.objects.filter(action="item.version").count() == 1


def _codes(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.randrange(10**6):06d}" for _ in range(n)]


def test_supervision_code_taken_is_drawn_again(adults: Blueprint) -> None:
    officer = user_with_role("commune_officer", commune_code=30178)
    first, second = _codes(11, 2)
    taken = supervision_open(actor=officer, rng=random.Random(11))
    assert taken.code == first
    again = supervision_open(actor=officer, rng=random.Random(11))
    assert again.code == second
    assert AuditLog.objects.filter(action="supervision.open").count() == 2


def test_supervision_codes_exhausted_raise_and_write_nothing(
    adults: Blueprint,
) -> None:
    officer = user_with_role("commune_officer", commune_code=30178)
    for _n in range(5):
        supervision_open(actor=officer, rng=random.Random(5))
    assert SupervisionSession.objects.count() == len(set(_codes(5, 5)))
    audits = AuditLog.objects.filter(action="supervision.open").count()
    with pytest.raises(SupervisionUnavailable) as info:
        supervision_open(actor=officer, rng=random.Random(5))
    assert info.value.status == 503 and info.value.message
    assert SupervisionSession.objects.count() == len(set(_codes(5, 5)))
    assert AuditLog.objects.filter(action="supervision.open").count() == audits
