"""Fixtures of the events tests: communes, officers, a published event."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from tests.factories import commune, learner_in, user_with_role

from hocvuso.accounts.models import Role, User
from hocvuso.community.events import EventData, event_create, event_publish
from hocvuso.community.models import Event, EventKind

HOME = 30178  # Xã Mỹ An Hưng, Đồng Tháp
OTHER = 4  # Phường Ba Đình, Hà Nội
NOW = datetime(2027, 3, 2, 1, 0, 5, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """Stop time at ``NOW``; ``clock.shift(seconds)`` moves it on."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer(db: None) -> User:
    return user_with_role(Role.COMMUNE_OFFICER, commune_code=HOME)


@pytest.fixture
def other_officer(db: None) -> User:
    return user_with_role(Role.COMMUNE_OFFICER, commune_code=OTHER)


def event_data(**overrides: object) -> EventData:
    start = datetime(2027, 3, 2, 1, 30, tzinfo=UTC)
    values: dict[str, object] = {
        "kind": EventKind.CLASS,
        "title": "Lớp dùng điện thoại thông minh",
        "venue": "Nhà văn hoá ấp 3",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "capacity": 2,
    }
    values.update(overrides)
    return EventData(**values)  # type: ignore[arg-type]


@pytest.fixture
def event(officer: User, clock: time_machine.Coordinates) -> Event:
    created = event_create(actor=officer, commune=commune(HOME), data=event_data())
    return event_publish(actor=officer, event=created)


@pytest.fixture
def learners(db: None) -> list[User]:
    return [learner_in(HOME) for _ in range(4)]
