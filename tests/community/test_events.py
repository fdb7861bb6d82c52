"""Events: creation rules, permissions by commune and team, the festival preset."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from tests.community.conftest import HOME, OTHER, event_data
from tests.factories import commune, user_with_role

from hocvuso.accounts.models import Role, User
from hocvuso.community.event_errors import EventClosed, EventInvalid, EventNotAllowed
from hocvuso.community.events import (
    event_cancel,
    event_create,
    event_publish,
    event_update,
    festival_programme_create,
)
from hocvuso.community.models import (
    Event,
    EventStatus,
    MemberRole,
    Team,
    TeamMember,
)
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_officer_creates_a_draft_with_an_audit_row(
    officer: User, clock: time_machine.Coordinates
) -> None:
    event = event_create(actor=officer, commune=commune(HOME), data=event_data())
    assert event.status == EventStatus.DRAFT
    assert event.commune_id == HOME
    assert AuditLog.objects.filter(
        action="event.create", object_id=str(event.pk)
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"capacity": 0}, "ít nhất là 1"),
        ({"capacity": -5}, "ít nhất là 1"),
        ({"title": "  "}, "tên"),
        ({"venue": ""}, "ở đâu"),
    ],
)
def test_bad_event_data_is_refused_in_vietnamese(
    officer: User,
    clock: time_machine.Coordinates,
    overrides: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(EventInvalid) as exc:
        event_create(actor=officer, commune=commune(HOME), data=event_data(**overrides))
    assert message in exc.value.message
    assert not Event.objects.exists()


def test_an_event_ending_before_it_starts_is_refused(
    officer: User, clock: time_machine.Coordinates
) -> None:
    data = event_data()
    bad = event_data(ends_at=data.starts_at - timedelta(minutes=1))
    with pytest.raises(EventInvalid, match="kết thúc sau"):
        event_create(actor=officer, commune=commune(HOME), data=bad)
    assert not Event.objects.exists()


def test_another_communes_officer_cannot_create_change_or_cancel(
    event: Event, other_officer: User
) -> None:
    with pytest.raises(EventNotAllowed):
        event_create(actor=other_officer, commune=commune(HOME), data=event_data())
    with pytest.raises(EventNotAllowed):
        event_update(actor=other_officer, event=event, data=event_data(title="Khác"))
    with pytest.raises(EventNotAllowed):
        event_cancel(actor=other_officer, event=event, notice="Hủy")
    event.refresh_from_db()
    assert event.title == "Lớp dùng điện thoại thông minh"
    assert event.status == EventStatus.PUBLISHED


def test_a_learner_cannot_create_events(clock: time_machine.Coordinates) -> None:
    learner = user_with_role(Role.LEARNER, commune_code=HOME)
    with pytest.raises(EventNotAllowed):
        event_create(actor=learner, commune=commune(HOME), data=event_data())


def test_a_team_leader_runs_their_teams_events_only(
    officer: User, clock: time_machine.Coordinates
) -> None:
    team = Team.objects.create(commune=commune(HOME), name="Tổ công nghệ số ấp 3")
    leader = user_with_role(Role.LEARNER, commune_code=HOME)
    TeamMember.objects.create(
        team=team, user=leader, role=MemberRole.LEADER, joined_at=timezone.now()
    )
    own = event_create(
        actor=leader, commune=commune(HOME), data=event_data(organiser_team=team)
    )
    event_publish(actor=leader, event=own)
    officers_event = event_create(
        actor=officer, commune=commune(HOME), data=event_data()
    )
    with pytest.raises(EventNotAllowed):
        event_publish(actor=leader, event=officers_event)
    with pytest.raises(EventNotAllowed):  # without their team as organiser
        event_create(actor=leader, commune=commune(HOME), data=event_data())


def test_a_team_of_another_commune_cannot_organise(
    officer: User, clock: time_machine.Coordinates
) -> None:
    team = Team.objects.create(commune=commune(OTHER), name="Đoàn thanh niên")
    with pytest.raises(EventNotAllowed):
        event_create(
            actor=officer, commune=commune(HOME), data=event_data(organiser_team=team)
        )


def test_cancel_needs_a_notice_and_then_blocks_changes(
    event: Event, officer: User
) -> None:
    with pytest.raises(EventInvalid):
        event_cancel(actor=officer, event=event, notice="  ")
    event_cancel(actor=officer, event=event, notice="Mưa bão, dời sang tuần sau.")
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert event.cancel_notice == "Mưa bão, dời sang tuần sau."
    with pytest.raises(EventClosed):
        event_update(actor=officer, event=event, data=event_data())
    with pytest.raises(EventClosed):
        event_publish(actor=officer, event=event)
    # Cancelling twice is a no-op.
    event_cancel(actor=officer, event=event, notice="Khác")
    event.refresh_from_db()
    assert event.cancel_notice == "Mưa bão, dời sang tuần sau."


def test_a_past_event_cannot_be_published(
    officer: User, clock: time_machine.Coordinates
) -> None:
    data = event_data()
    event = event_create(
        actor=officer,
        commune=commune(HOME),
        data=event_data(
            starts_at=data.starts_at - timedelta(days=3),
            ends_at=data.ends_at - timedelta(days=3),
        ),
    )
    with pytest.raises(EventClosed):
        event_publish(actor=officer, event=event)


def test_festival_preset_creates_the_programme_once(
    officer: User, clock: time_machine.Coordinates
) -> None:
    events = festival_programme_create(actor=officer, commune=commune(HOME), year=2027)
    assert len(events) == 6
    titles = {e.title for e in events}
    assert "Hỗ trợ kích hoạt tài khoản định danh điện tử VNeID mức 2" in titles
    assert "Thanh toán không dùng tiền mặt và mã VietQR cho tiểu thương" in titles
    for e in events:
        assert e.status == EventStatus.DRAFT
        local = timezone.localtime(e.starts_at)
        assert (local.year, local.month, local.day) == (2027, 10, 10)
        assert e.venue == "Hội trường Ủy ban nhân dân xã Mỹ An Hưng"
    # Edited since: a second run neither duplicates nor overwrites.
    Event.objects.filter(pk=events[0].pk).update(title="Khai mạc (đã sửa)")
    again = festival_programme_create(actor=officer, commune=commune(HOME), year=2027)
    assert [e.pk for e in again] == [e.pk for e in events]
    assert Event.objects.count() == 6
    assert Event.objects.get(pk=events[0].pk).title == "Khai mạc (đã sửa)"
    festival_programme_create(actor=officer, commune=commune(HOME), year=2028)
    assert Event.objects.count() == 12
    assert AuditLog.objects.filter(action="event.festival_create").count() == 2


def test_festival_preset_is_scoped_to_the_officers_commune(
    other_officer: User, clock: time_machine.Coordinates
) -> None:
    with pytest.raises(EventNotAllowed):
        festival_programme_create(actor=other_officer, commune=commune(HOME), year=2027)
    assert not Event.objects.exists()


def test_capacity_cannot_drop_below_the_places_taken(
    event: Event, officer: User, learners: list[User]
) -> None:
    from hocvuso.community.registrations import registration_create

    for learner in learners[:2]:
        registration_create(actor=learner, event_id=event.pk)
    with pytest.raises(EventInvalid, match="2"):
        event_update(actor=officer, event=event, data=event_data(capacity=1))
    event.refresh_from_db()
    assert event.capacity == 2
