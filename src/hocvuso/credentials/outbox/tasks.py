"""The outbox's background task: drain due events, then reschedule itself."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus, task, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger("hocvuso.outbox")


def _path() -> str:
    return f"{outbox_drain.func.__module__}.{outbox_drain.func.__qualname__}"


def outbox_drain_schedule(*, at: datetime | None = None, failures: int = 0) -> bool:
    """Enqueue a drain for ``at`` (now by default) unless one already waits.

    A drain already waiting to run by then makes this a no-op, so a burst of
    confirmations enqueues one task. Two drains at once are harmless: claims
    skip each other's rows. ``failures`` counts the drains before it that
    delivered nothing (see :func:`outbox_drain`).
    """
    if not isinstance(task_backends[outbox_drain.backend], DatabaseBackend):
        # The "immediate" backend runs a task at once and cannot defer one:
        # drain now; retries wait for the next enqueue or `hocvuso outbox drain`.
        if at is None:
            outbox_drain.enqueue(failures)
        return at is None
    waiting = DBTaskResult.objects.filter(
        task_path=_path(), status=TaskResultStatus.READY
    )
    # django-tasks-db stores "no run_after" as the largest date.
    by = at or timezone.now()
    if waiting.filter(Q(run_after=get_date_max()) | Q(run_after__lte=by)).exists():
        return False
    outbox_drain.using(run_after=at).enqueue(failures)
    return True


@task(takes_context=True)
def outbox_drain(context: TaskContext, failures: int = 0) -> dict[str, int | bool]:
    """Deliver the due outbox events; schedule the next drain if some wait.

    A drain that delivered nothing although events were due (the receiver is
    down or failing) waits a backoff of its own before the next one, growing
    with ``failures``: while the receiver is down, one batch probes it per
    interval instead of every waiting event failing in turn.
    """
    from hocvuso.credentials.outbox.services import outbox_backoff
    from hocvuso.credentials.outbox.services import outbox_drain as drain

    rng = random.Random()
    report = drain(token=str(context.task_result.id)[:64], rng=rng)
    if report.next_due is not None and not report.waiting_config:
        now = timezone.now()
        if report.rounds and not report.delivered:
            failures += 1
            pause = outbox_backoff(failures, rng=rng)
            at = max(report.next_due, now + timedelta(seconds=pause))
        else:
            failures = 0
            at = max(report.next_due, now + timedelta(milliseconds=50))
        outbox_drain_schedule(at=at, failures=failures)
    return {
        "delivered": report.delivered,
        "retried": report.retried,
        "dead": report.dead,
        "waiting_config": report.waiting_config,
    }
