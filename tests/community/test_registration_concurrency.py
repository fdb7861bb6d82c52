"""Parallel registrations never overbook; a cancellation promotes exactly one.

Real threads with their own database connections on committed rows (a
transactional test), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from tests.community.conftest import HOME
from tests.conftest import load_reference_data
from tests.factories import commune, learner_in, user_with_role

from hocvuso.accounts.models import Role
from hocvuso.community.events import EventData, event_create, event_publish
from hocvuso.community.models import EventKind, EventRegistration, RegistrationStatus
from hocvuso.community.registrations import registration_cancel, registration_create

PARALLEL = 12
CAPACITY = 5


@pytest.fixture(scope="module", autouse=True)
def _reference_data_back(django_db_blocker: Any) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_fill_places_exactly() -> None:
    load_reference_data()
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=HOME)
    start = datetime(2030, 3, 2, 1, 30, tzinfo=UTC)  # any day still ahead
    event = event_publish(
        actor=officer,
        event=event_create(
            actor=officer,
            commune=commune(HOME),
            data=EventData(
                kind=EventKind.CLASS,
                title="Lớp học",
                venue="Nhà văn hoá",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                capacity=CAPACITY,
            ),
        ),
    )
    people = [learner_in(HOME) for _ in range(PARALLEL)]
    barrier = threading.Barrier(PARALLEL)

    def register(n: int) -> str:
        try:
            barrier.wait(timeout=60)
            # Twice each: a retried request must not take a second place.
            registration_create(actor=people[n], event_id=event.pk)
            return registration_create(actor=people[n], event_id=event.pk).status
        finally:
            connection.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(register, range(PARALLEL)))
    assert statuses.count("registered") == CAPACITY
    assert statuses.count("waiting") == PARALLEL - CAPACITY
    assert EventRegistration.objects.filter(event=event).count() == PARALLEL

    holders = [
        r.user
        for r in EventRegistration.objects.filter(
            event=event, status=RegistrationStatus.REGISTERED
        ).select_related("user")
    ]
    cancellers = holders[:3]
    barrier2 = threading.Barrier(len(cancellers))

    def cancel(n: int) -> None:
        try:
            barrier2.wait(timeout=60)
            registration_cancel(actor=cancellers[n], event_id=event.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(cancellers)) as pool:
        list(pool.map(cancel, range(len(cancellers))))
    rows = EventRegistration.objects.filter(event=event)
    assert rows.filter(status=RegistrationStatus.REGISTERED).count() == CAPACITY
    assert rows.filter(status=RegistrationStatus.WAITING).count() == (
        PARALLEL - CAPACITY - len(cancellers)
    )
    assert rows.filter(promoted_at__isnull=False).count() == len(cancellers)
