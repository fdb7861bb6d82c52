"""Writes of the outbox: enqueue, drain (claim, deliver, record), retry, replay.

Crash safety. A drain claims a batch of due events in one short transaction
(``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never take
the same rows; SQLite has a single writer), marking them ``delivering`` with
its token and a claim that ends ``HOCVUSO_OUTBOX_LEASE`` seconds later. It
then delivers them outside any transaction and records each outcome with an
update conditioned on its token. A drain killed in between leaves its events
``delivering``: the same task run again (the worker's recovery requeues it
under the same id) takes its own events back at once, and any drain takes them
after the claim ends. Such an event is delivered again, which is why delivery
is at least once and the receiver keys its effect on ``Idempotency-Key``.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.models import Exists, F, Min, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from hocvuso.core.services import audit_record
from hocvuso.credentials.errors import OutboxConflict, OutboxPayloadInvalid
from hocvuso.credentials.outbox.adapters import (
    DeliveryOutcome,
    IdentityAdapter,
    Outcome,
    adapter_get,
)
from hocvuso.credentials.outbox.models import OutboxEvent
from hocvuso.credentials.outbox.payload import payload_check

logger = logging.getLogger("hocvuso.outbox")

State = OutboxEvent.State
Actor = AbstractBaseUser | AnonymousUser | None


def outbox_enqueue(
    *, kind: str, key: str, payload: Mapping[str, Any], subject: str | None = None
) -> OutboxEvent:
    """Record an event to deliver, inside the caller's transaction.

    Call it in the transaction that confirms (or revokes) the result: the event
    exists exactly when that commits, and delivery is scheduled on commit. The
    same ``key`` enqueued again returns the first event (idempotent); with a
    different kind it raises :class:`OutboxConflict`. ``subject`` (default:
    the payload's ``confirmation_id``) orders delivery: an event waits for the
    earlier events of its subject.
    """
    if kind not in OutboxEvent.Kind.values:
        raise OutboxPayloadInvalid(gettext("Unknown outbox event kind."))
    payload_check(payload)
    with transaction.atomic():
        event, created = OutboxEvent.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "subject": subject or str(payload["confirmation_id"]),
                "payload": dict(payload),
                "next_attempt_at": timezone.now(),
            },
        )
        if not created and event.kind != kind:
            raise OutboxConflict(
                gettext("This idempotency key belongs to another event.")
            )
        if created:
            from hocvuso.credentials.outbox.tasks import outbox_drain_schedule

            transaction.on_commit(outbox_drain_schedule)
    return event


def outbox_backoff(attempts: int, *, rng: random.Random) -> float:
    """Return the delay (s) before the next try: full jitter, capped.

    ``uniform(0, min(cap, base * 2 ** (attempts - 1)))`` (AWS Architecture
    Blog, "Exponential Backoff and Jitter", 2015).
    """
    base = float(settings.HOCVUSO_OUTBOX_BACKOFF_BASE)
    cap = float(settings.HOCVUSO_OUTBOX_BACKOFF_CAP)
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    return rng.uniform(0.0, ceiling) if ceiling > 0 else 0.0


def _due(now: datetime) -> QuerySet[OutboxEvent]:
    earlier_open = OutboxEvent.objects.filter(
        subject=OuterRef("subject"), id__lt=OuterRef("id")
    ).exclude(state=State.DELIVERED)
    return (
        OutboxEvent.objects.filter(
            state__in=[State.PENDING, State.DELIVERING], next_attempt_at__lte=now
        )
        .exclude(Exists(earlier_open))
        .order_by("next_attempt_at", "id")
    )


def outbox_claim(*, token: str, limit: int, now: datetime | None = None) -> list[int]:
    """Claim up to ``limit`` due events for ``token``; return their ids."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.HOCVUSO_OUTBOX_LEASE)
    with transaction.atomic():
        rows = _due(now)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        ids = list(rows.values_list("id", flat=True)[:limit])
        if ids:
            OutboxEvent.objects.filter(id__in=ids).update(
                state=State.DELIVERING,
                claimed_by=token,
                next_attempt_at=now + lease,
                attempts=F("attempts") + 1,
            )
    return ids


def outbox_reclaim(*, token: str) -> int:
    """Make the events an earlier run of ``token`` held due again at once."""
    return OutboxEvent.objects.filter(state=State.DELIVERING, claimed_by=token).update(
        next_attempt_at=timezone.now()
    )


@dataclass
class DrainReport:
    """What one drain did."""

    delivered: int = 0
    retried: int = 0
    dead: int = 0
    rounds: int = 0
    waiting_config: bool = False
    next_due: datetime | None = None
    errors: dict[str, int] = field(default_factory=dict)


def _record_delivered(
    ids: list[int], *, token: str, now: datetime, report: DrainReport
) -> None:
    if ids:
        report.delivered += OutboxEvent.objects.filter(
            id__in=ids, state=State.DELIVERING, claimed_by=token
        ).update(state=State.DELIVERED, delivered_at=now, last_error="", claimed_by="")


def _record(
    event: OutboxEvent,
    result: DeliveryOutcome,
    *,
    token: str,
    now: datetime,
    rng: random.Random,
    report: DrainReport,
) -> None:
    mine = OutboxEvent.objects.filter(
        id=event.pk, state=State.DELIVERING, claimed_by=token
    )
    attempts = event.attempts  # counted when claimed (a crash counts too)
    reason = result.reason[:300]
    report.errors[reason] = report.errors.get(reason, 0) + 1
    if (
        result.outcome is Outcome.PERMANENT
        or attempts >= settings.HOCVUSO_OUTBOX_MAX_ATTEMPTS
    ):
        mine.update(state=State.DEAD, last_error=reason, claimed_by="")
        report.dead += 1
        logger.warning("Outbox event %s dead after %d: %s", event.key, attempts, reason)
        return
    delay = outbox_backoff(attempts, rng=rng)
    logger.info(
        "Outbox event %s: attempt %d failed (%s); next in %.1f s",
        event.key,
        attempts,
        reason,
        delay,
    )
    mine.update(
        state=State.PENDING,
        last_error=reason,
        claimed_by="",
        next_attempt_at=now + timedelta(seconds=delay),
    )
    report.retried += 1


def outbox_drain(
    *,
    token: str,
    adapter: IdentityAdapter | None = None,
    rng: random.Random | None = None,
    clock: Callable[[], datetime] = timezone.now,
    max_rounds: int | None = None,
    batch: int | None = None,
) -> DrainReport:
    """Deliver every due event, batch by batch, until none is due.

    ``token`` names this drain's claims (the task's id: a rerun of the same
    task takes back what its killed predecessor held). Deliveries run in up to
    ``HOCVUSO_OUTBOX_CONCURRENCY`` threads; only this thread uses the
    database. ``next_due`` tells when the earliest waiting event is due.
    """
    adapter = adapter or adapter_get()
    rng = rng or random.Random()
    report = DrainReport()
    if not adapter.configured():
        report.waiting_config = True
        return report
    outbox_reclaim(token=token)
    size = batch or settings.HOCVUSO_OUTBOX_BATCH
    with ThreadPoolExecutor(
        max_workers=max(1, settings.HOCVUSO_OUTBOX_CONCURRENCY),
        thread_name_prefix="outbox",
    ) as pool:
        while max_rounds is None or report.rounds < max_rounds:
            ids = outbox_claim(token=token, limit=size, now=clock())
            if not ids:
                break
            report.rounds += 1
            events = list(OutboxEvent.objects.filter(id__in=ids).order_by("id"))
            outcomes = list(pool.map(_deliver_safely(adapter), events))
            now = clock()
            delivered_before = report.delivered
            with transaction.atomic():
                _record_delivered(
                    [
                        e.pk
                        for e, o in zip(events, outcomes, strict=True)
                        if o.outcome is Outcome.DELIVERED
                    ],
                    token=token,
                    now=now,
                    report=report,
                )
                for event, outcome in zip(events, outcomes, strict=True):
                    if outcome.outcome is not Outcome.DELIVERED:
                        _record(
                            event, outcome, token=token, now=now, rng=rng, report=report
                        )
            if report.delivered == delivered_before:
                # Nothing got through: leave the retries to their backoff (the
                # task reschedules itself at ``next_due``), do not hammer.
                break
    report.next_due = outbox_next_due()
    if report.rounds:
        logger.info(
            "Outbox drain %s: %d delivered, %d to retry, %d dead",
            token,
            report.delivered,
            report.retried,
            report.dead,
        )
    return report


def _deliver_safely(
    adapter: IdentityAdapter,
) -> Callable[[OutboxEvent], DeliveryOutcome]:
    def deliver(event: OutboxEvent) -> DeliveryOutcome:
        try:
            return adapter.deliver(event)
        except Exception as exc:  # an adapter bug must not lose the batch
            logger.exception("Outbox adapter failed on %s", event.key)
            return DeliveryOutcome.retry(f"adapter error: {type(exc).__name__}")

    return deliver


def outbox_next_due() -> datetime | None:
    """Return when the earliest waiting (or claimed) event is due, if any."""
    value: datetime | None = OutboxEvent.objects.filter(
        state__in=[State.PENDING, State.DELIVERING]
    ).aggregate(at=Min("next_attempt_at"))["at"]
    return value


def _snapshot(event: OutboxEvent) -> dict[str, Any]:
    return {"state": event.state, "attempts": event.attempts}


@transaction.atomic
def outbox_event_retry(*, actor: Actor, event: OutboxEvent) -> OutboxEvent:
    """Make a waiting or dead event due now (attempts start again); audited."""
    event = OutboxEvent.objects.select_for_update().get(pk=event.pk)
    before = _snapshot(event)
    if event.state in (State.PENDING, State.DEAD):
        if event.state == State.DEAD:
            event.attempts = 0
        event.state = State.PENDING
        event.next_attempt_at = timezone.now()
        event.save(update_fields=["state", "attempts", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="outbox.retry",
            obj=event,
            before=before,
            after=_snapshot(event),
        )
        _schedule_on_commit()
    return event


@transaction.atomic
def outbox_event_replay(*, actor: Actor, event: OutboxEvent) -> OutboxEvent:
    """Deliver a delivered event again with the same idempotency key; audited."""
    event = OutboxEvent.objects.select_for_update().get(pk=event.pk)
    before = _snapshot(event)
    if event.state == State.DELIVERED:
        event.state = State.PENDING
        event.attempts = 0
        event.next_attempt_at = timezone.now()
        event.save(update_fields=["state", "attempts", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="outbox.replay",
            obj=event,
            before=before,
            after=_snapshot(event),
        )
        _schedule_on_commit()
    return event


def outbox_retry_dead(*, actor: Actor, ids: Sequence[int] | None = None) -> int:
    """Retry every dead event (or those of ``ids``); return how many."""
    rows = OutboxEvent.objects.filter(state=State.DEAD)
    if ids is not None:
        rows = rows.filter(id__in=ids)
    count = 0
    for event in rows.order_by("id").iterator():
        outbox_event_retry(actor=actor, event=event)
        count += 1
    return count


def _schedule_on_commit() -> None:
    from hocvuso.credentials.outbox.tasks import outbox_drain_schedule

    transaction.on_commit(outbox_drain_schedule)


__all__ = [
    "DrainReport",
    "outbox_backoff",
    "outbox_claim",
    "outbox_drain",
    "outbox_enqueue",
    "outbox_event_replay",
    "outbox_event_retry",
    "outbox_next_due",
    "outbox_retry_dead",
]
