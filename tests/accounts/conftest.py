"""A controlled clock for the sign-in and registration limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

# Half a second before a minute's edge: where fixed windows used to reset.
START = datetime(2026, 3, 2, 1, 0, 59, 500000, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """Stop time at ``START``; ``clock.shift(seconds)`` moves it on."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller
