"""Delivery to a real reference receiver (a subprocess): at least once, one effect.

The drain runs in the test's process with a frozen clock (``time_machine``):
retries become due only when the test moves time on, so nothing waits for
backoff and nothing asserts on speed.
"""

from __future__ import annotations

import json
import random
import socket
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from tests.credentials.outbox_support import RAW_ID, ReceiverProc, confirmation_payload

from hocvuso.credentials.keys import issuer_key_current
from hocvuso.credentials.models import OutboxEvent
from hocvuso.credentials.outbox.adapters import JwsHttpAdapter
from hocvuso.credentials.outbox.services import (
    DrainReport,
    outbox_drain,
    outbox_enqueue,
    outbox_event_replay,
)

pytestmark = pytest.mark.django_db
Start = Callable[..., ReceiverProc]
CONFIRMED = OutboxEvent.Kind.RESULT_CONFIRMED
REVOKED = OutboxEvent.Kind.RESULT_REVOKED
State = OutboxEvent.State


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    start = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


def drain(url: str, *, timeout: float = 10.0, seed: int = 1) -> DrainReport:
    adapter = JwsHttpAdapter(url=url, timeout=timeout)
    return outbox_drain(token="test", adapter=adapter, rng=random.Random(seed))


def enqueue(n: int = 1) -> list[OutboxEvent]:
    return [
        outbox_enqueue(kind=CONFIRMED, key=f"c-{i}", payload=confirmation_payload())
        for i in range(n)
    ]


def states() -> list[str]:
    return list(OutboxEvent.objects.order_by("id").values_list("state", flat=True))


def test_delivery_is_a_signed_jws_with_the_key_and_kid(
    receiver: Start, clock: time_machine.Coordinates
) -> None:
    recv = receiver()
    (event,) = enqueue(1)
    report = drain(recv.url)
    assert report.delivered == 1
    event.refresh_from_db()
    assert (event.state, event.attempts) == (State.DELIVERED, 1)
    assert event.delivered_at is not None and event.last_error == ""
    ((_, key, kind, kid, data),) = recv.rows()
    assert (key, kind, kid) == ("c-0", CONFIRMED, issuer_key_current().kid)
    assert json.loads(data) == event.payload
    assert recv.stats()["stored"] == 1


def test_server_errors_are_retried_with_one_effect(
    receiver: Start, clock: time_machine.Coordinates
) -> None:
    recv = receiver("--fail-first", "3")
    enqueue(2)
    for _ in range(5):
        drain(recv.url)
        if states() == ["delivered", "delivered"]:
            break
        assert set(OutboxEvent.objects.values_list("last_error", flat=True)) <= {
            "HTTP 500",
            "",
        }
        clock.shift(3600)  # past any backoff
    assert states() == ["delivered", "delivered"]
    stats = recv.stats()
    assert stats["injected_failures"] == 3
    assert stats["distinct_keys"] == 2 and stats["stored"] == 2
    assert sum(OutboxEvent.objects.values_list("attempts", flat=True)) == 5


def test_a_slow_receiver_times_out_and_the_retry_is_a_duplicate(
    receiver: Start, clock: time_machine.Coordinates
) -> None:
    recv = receiver("--slow-first", "1", "--slow-seconds", "3")
    (event,) = enqueue(1)
    first = drain(recv.url, timeout=0.5)
    event.refresh_from_db()
    assert first.retried == 1 and event.state == State.PENDING
    assert event.last_error == "timeout"
    clock.shift(3600)
    assert drain(recv.url, timeout=10).delivered == 1
    stats = recv.stats()
    assert (stats["distinct_keys"], stats["duplicates"]) == (1, 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_receiver_down_for_a_while_then_up(
    receiver: Start, clock: time_machine.Coordinates, tmp_path: object
) -> None:
    port = free_port()
    enqueue(3)
    url = f"http://127.0.0.1:{port}/outbox"
    for _ in range(3):  # nothing listens on that port
        report = drain(url)
        assert report.retried == 3 and report.delivered == 0
        clock.shift(3600)
    assert states() == ["pending"] * 3
    assert set(OutboxEvent.objects.values_list("last_error", flat=True)) == {
        "connection: ConnectionRefusedError"
    }
    recv = receiver("--port", str(port))
    assert recv.port == port
    assert drain(url).delivered == 3
    assert states() == ["delivered"] * 3
    assert recv.stats()["distinct_keys"] == 3


@override_settings(HOCVUSO_OUTBOX_MAX_ATTEMPTS=3)
def test_dead_letter_after_n_attempts(
    receiver: Start, clock: time_machine.Coordinates
) -> None:
    recv = receiver("--fail-first", "1000")
    (event,) = enqueue(1)
    for _ in range(3):
        drain(recv.url)
        clock.shift(3600)
    event.refresh_from_db()
    assert (event.state, event.attempts, event.last_error) == (
        State.DEAD,
        3,
        "HTTP 500",
    )
    assert drain(recv.url).delivered == 0, "a dead event waits for a person"
    assert recv.stats()["requests"] == 3


def test_a_bad_signature_is_dead_at_once(
    receiver: Start, clock: time_machine.Coordinates, jwks_file: object
) -> None:
    from pathlib import Path

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from hocvuso.credentials.keys import IssuerKey
    from hocvuso.credentials.outbox.jws import jwks_of

    other = IssuerKey(
        kid=issuer_key_current().kid, private_key=Ed25519PrivateKey.generate()
    )
    assert isinstance(jwks_file, Path)
    jwks_file.write_text(json.dumps(jwks_of([other])))
    recv = receiver()
    (event,) = enqueue(1)
    report = drain(recv.url)
    event.refresh_from_db()
    assert report.dead == 1
    assert (event.state, event.last_error) == (State.DEAD, "HTTP 401")
    assert recv.stats()["rejected"] == 1 and recv.rows() == []


def test_replay_delivers_again_with_the_same_key(
    receiver: Start, clock: time_machine.Coordinates
) -> None:
    recv = receiver()
    (event,) = enqueue(1)
    drain(recv.url)
    outbox_event_replay(actor=None, event=event)
    event.refresh_from_db()
    assert event.state == State.PENDING
    assert drain(recv.url).delivered == 1
    stats = recv.stats()
    assert (stats["distinct_keys"], stats["stored"], stats["duplicates"]) == (1, 1, 1)


def test_revocation_is_never_delivered_before_its_confirmation(
    receiver: Start, clock: time_machine.Coordinates
) -> None:
    recv = receiver("--fail-first", "1")
    confirmation_id = str(uuid.uuid4())
    with transaction.atomic():
        outbox_enqueue(
            kind=CONFIRMED,
            key=f"confirmed:{confirmation_id}",
            payload=confirmation_payload(confirmation_id=confirmation_id),
        )
        outbox_enqueue(
            kind=REVOKED,
            key=f"revoked:{confirmation_id}",
            payload=confirmation_payload(confirmation_id=confirmation_id, revoked=True),
        )
    drain(recv.url)  # the confirmation fails once: the revocation must wait
    confirmed, revoked = OutboxEvent.objects.order_by("id")
    assert confirmed.state == State.PENDING and confirmed.attempts == 1
    assert revoked.state == State.PENDING and revoked.attempts == 0
    clock.shift(3600)
    drain(recv.url)
    assert states() == ["delivered", "delivered"]
    assert [row[2] for row in recv.rows()] == [CONFIRMED, REVOKED]


def test_no_raw_national_id_in_payloads_deliveries_or_logs(
    receiver: Start,
    clock: time_machine.Coordinates,
    caplog: pytest.LogCaptureFixture,
) -> None:
    recv = receiver("--fail-first", "1")
    with caplog.at_level("DEBUG"):
        enqueue(2)
        drain(recv.url)
        clock.shift(3600)
        drain(recv.url)
    assert states() == ["delivered", "delivered"]
    assert caplog.records, "the drain logs what it does"
    stored = "".join(str(row) for row in recv.rows())
    everything = [caplog.text, stored, recv.log.read_text()]
    everything += [json.dumps(e.payload) for e in OutboxEvent.objects.all()]
    for text in everything:
        assert RAW_ID not in text
