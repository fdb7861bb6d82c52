"""The outbox's writes: enqueue in the caller's transaction, backoff, admin."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult
from tests.credentials.outbox_support import RAW_ID, confirmation_payload
from tests.factories import UserFactory

from hocvuso.core.models import AuditLog
from hocvuso.credentials.errors import OutboxConflict, OutboxPayloadInvalid
from hocvuso.credentials.models import OutboxEvent
from hocvuso.credentials.outbox.payload import payload_check
from hocvuso.credentials.outbox.services import (
    outbox_backoff,
    outbox_drain,
    outbox_enqueue,
)

pytestmark = pytest.mark.django_db
CONFIRMED = OutboxEvent.Kind.RESULT_CONFIRMED
START = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def drain_tasks() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="outbox_drain").count()


def test_enqueue_twice_is_one_event_and_one_drain(
    django_capture_on_commit_callbacks: Any,
) -> None:
    payload = confirmation_payload()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first = outbox_enqueue(kind=CONFIRMED, key="c-1", payload=payload)
            again = outbox_enqueue(kind=CONFIRMED, key="c-1", payload=payload)
        with transaction.atomic():
            outbox_enqueue(kind=CONFIRMED, key="c-2", payload=confirmation_payload())
    assert first.pk == again.pk
    assert OutboxEvent.objects.count() == 2
    assert first.state == OutboxEvent.State.PENDING
    assert first.subject == payload["confirmation_id"]
    assert drain_tasks() == 1, "a drain already waiting is not enqueued again"


def test_same_key_for_another_kind_is_a_conflict() -> None:
    payload = confirmation_payload()
    outbox_enqueue(kind=CONFIRMED, key="c-1", payload=payload)
    with pytest.raises(OutboxConflict):
        outbox_enqueue(kind=OutboxEvent.Kind.RESULT_REVOKED, key="c-1", payload=payload)


def test_rolled_back_confirmation_leaves_no_event_and_no_task(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox_enqueue(kind=CONFIRMED, key="gone", payload=confirmation_payload())
        raise RuntimeError("the confirmation failed")
    assert not OutboxEvent.objects.exists()
    assert drain_tasks() == 0


@pytest.mark.parametrize(
    "where",
    ["certificate.code", "certificate.url", "revocation.reason", "target_group"],
)
def test_payload_with_a_raw_id_or_phone_is_refused(where: str) -> None:
    payload = dict(confirmation_payload(revoked=True))
    part, _, name = where.rpartition(".")
    holder = dict(payload[part] if part else payload["result"])  # type: ignore[literal-required]
    holder[name] = f"x {RAW_ID} y" if "code" not in where else "0912345678"
    payload[part or "result"] = holder
    with pytest.raises(OutboxPayloadInvalid):
        outbox_enqueue(kind=CONFIRMED, key="bad", payload=payload)
    assert not OutboxEvent.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"schema_version": 2},
        {"confirmation_id": "42"},
        {"person": {"id_hash": None, "account_id": None}},
        {"person": {"id_hash": RAW_ID, "account_id": None}},
        {"result": {"target_group": "citizen", "level": 9, "date": "2026-03-02"}},
    ],
)
def test_payload_schema_is_checked(change: dict[str, object]) -> None:
    payload = dict(confirmation_payload(), **change)
    with pytest.raises(OutboxPayloadInvalid):
        payload_check(payload)


@override_settings(HOCVUSO_OUTBOX_BACKOFF_BASE=10.0, HOCVUSO_OUTBOX_BACKOFF_CAP=300.0)
def test_backoff_is_full_jitter_capped_and_seeded() -> None:
    delays = [outbox_backoff(n, rng=random.Random(7)) for n in range(1, 12)]
    assert delays == [outbox_backoff(n, rng=random.Random(7)) for n in range(1, 12)]
    for n, delay in enumerate(delays, start=1):
        assert 0.0 <= delay <= min(300.0, 10.0 * 2 ** (n - 1))
    many = [outbox_backoff(12, rng=random.Random(seed)) for seed in range(200)]
    assert max(many) <= 300.0 and max(many) > 200.0 and min(many) < 100.0


@override_settings(HOCVUSO_OUTBOX_URL="")
def test_without_a_receiver_events_wait_visibly(
    clock: time_machine.Coordinates,
) -> None:
    outbox_enqueue(kind=CONFIRMED, key="c-1", payload=confirmation_payload())
    report = outbox_drain(token="t")
    assert report.waiting_config and report.delivered == 0
    event = OutboxEvent.objects.get()
    assert event.state == OutboxEvent.State.PENDING and event.attempts == 0

    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/credentials/outboxevent/")
    assert page.status_code == 200
    assert "HOCVUSO_OUTBOX_URL" in page.content.decode()


@override_settings(
    HOCVUSO_IDENTITY_ADAPTER="hocvuso.credentials.outbox.adapters.LogOnlyAdapter"
)
def test_log_only_adapter_counts_delivered_and_logs_no_payload(
    caplog: pytest.LogCaptureFixture,
) -> None:
    payload = confirmation_payload()
    outbox_enqueue(kind=CONFIRMED, key="c-log", payload=payload)
    with caplog.at_level("INFO", logger="hocvuso.outbox"):
        report = outbox_drain(token="t")
    assert report.delivered == 1
    assert OutboxEvent.objects.get().state == OutboxEvent.State.DELIVERED
    assert "c-log" in caplog.text
    assert str(payload["person"]["id_hash"]) not in caplog.text


@override_settings(
    HOCVUSO_IDENTITY_ADAPTER="hocvuso.credentials.outbox.adapters.LogOnlyAdapter"
)
def test_admin_lists_inspects_retries_and_replays_with_audit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    outbox_enqueue(kind=CONFIRMED, key="c-done", payload=confirmation_payload())
    outbox_drain(token="t")
    dead = outbox_enqueue(kind=CONFIRMED, key="c-dead", payload=confirmation_payload())
    OutboxEvent.objects.filter(pk=dead.pk).update(
        state=OutboxEvent.State.DEAD, attempts=15, last_error="HTTP 400"
    )
    done = OutboxEvent.objects.get(key="c-done")
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)

    listing = client.get("/admin/credentials/outboxevent/?state__exact=dead")
    assert "c-dead" in listing.content.decode()
    assert "c-done" not in listing.content.decode()
    detail = client.get(f"/admin/credentials/outboxevent/{dead.pk}/change/")
    assert "HTTP 400" in detail.content.decode()
    assert "confirmation_id" in detail.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        for action, pk in (("retry_now", dead.pk), ("replay", done.pk)):
            response = client.post(
                "/admin/credentials/outboxevent/",
                {"action": action, "_selected_action": [pk]},
            )
            assert response.status_code == 302
    dead.refresh_from_db()
    done.refresh_from_db()
    assert (dead.state, dead.attempts) == (OutboxEvent.State.PENDING, 0)
    assert done.state == OutboxEvent.State.PENDING
    actions = set(
        AuditLog.objects.filter(actor_id=admin.pk).values_list("action", flat=True)
    )
    assert actions == {"outbox.retry", "outbox.replay"}
    assert drain_tasks() >= 1
    report = outbox_drain(token="t2")
    assert report.delivered == 2
    assert set(OutboxEvent.objects.values_list("state", flat=True)) == {"delivered"}


def test_status_and_retry_commands(capsys: pytest.CaptureFixture[str]) -> None:
    event = outbox_enqueue(kind=CONFIRMED, key="c-1", payload=confirmation_payload())
    OutboxEvent.objects.filter(pk=event.pk).update(state=OutboxEvent.State.DEAD)
    call_command("outbox", "status")
    assert "dead=1" in capsys.readouterr().out
    call_command("outbox", "retry")
    assert "1 event(s)" in capsys.readouterr().out
    call_command("outbox", "status")
    assert "pending=1" in capsys.readouterr().out
    assert AuditLog.objects.filter(action="outbox.retry", actor_id=None).count() == 1


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(OutboxPayloadInvalid):
        outbox_enqueue(kind="result.deleted", key="x", payload=confirmation_payload())
    assert not OutboxEvent.objects.exists()


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    HOCVUSO_IDENTITY_ADAPTER="hocvuso.credentials.outbox.adapters.LogOnlyAdapter",
)
def test_with_the_immediate_backend_the_commit_delivers_at_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = outbox_enqueue(
            kind=CONFIRMED, key="now", payload=confirmation_payload()
        )
    event.refresh_from_db()
    assert event.state == OutboxEvent.State.DELIVERED
