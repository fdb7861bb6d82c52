"""Parallel wrong passwords: no more than the limit are ever checked.

Real threads, each with its own database connection, on a committed account
(a transactional test: the rows must be visible across connections).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from tests.conftest import load_reference_data
from tests.factories import learner_in

from hocvuso.accounts.models import LimitEvent

PARALLEL = 25
LIMIT = 5


@pytest.fixture(scope="module", autouse=True)
def _reference_data_back(django_db_blocker: Any) -> Iterator[None]:
    """Reload units and framework for later tests: transactional ones flush."""
    yield
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_check_no_more_than_the_limit(
    clock: time_machine.Coordinates,
) -> None:
    load_reference_data()
    user = learner_in(30178)
    start = threading.Barrier(PARALLEL)

    def attempt(n: int) -> int:
        try:
            start.wait(timeout=60)
            response = Client(REMOTE_ADDR=f"198.51.100.{n}").post(
                "/accounts/login/", {"username": user.username, "password": "sai"}
            )
            return response.status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        statuses = list(pool.map(attempt, range(PARALLEL)))
    checked = statuses.count(200)  # a password was hashed and found wrong
    assert checked + statuses.count(429) == PARALLEL, statuses
    assert checked <= LIMIT, statuses
    # Every checked password is a counted failure; refused attempts left no row.
    account_rows = LimitEvent.objects.filter(scope=LimitEvent.Scope.SIGNIN_ACCOUNT)
    assert account_rows.count() == checked
