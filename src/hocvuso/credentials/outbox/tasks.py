"""The outbox's background task: drain due events, then reschedule itself."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus, task
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger("hocvuso.outbox")


def _path() -> str:
    return f"{outbox_drain.func.__module__}.{outbox_drain.func.__qualname__}"


def outbox_drain_schedule(*, at: datetime | None = None) -> bool:
    """Enqueue a drain for ``at`` (now by default) unless one already waits.

    A drain already waiting to run by then makes this a no-op, so a burst of
    confirmations enqueues one task. Two drains at once are harmless: claims
    skip each other's rows.
    """
    waiting = DBTaskResult.objects.filter(
        task_path=_path(), status=TaskResultStatus.READY
    )
    # django-tasks-db stores "no run_after" as the largest date.
    by = at or timezone.now()
    if waiting.filter(Q(run_after=get_date_max()) | Q(run_after__lte=by)).exists():
        return False
    outbox_drain.using(run_after=at).enqueue()
    return True


@task(takes_context=True)
def outbox_drain(context: TaskContext) -> dict[str, int | bool]:
    """Deliver the due outbox events; schedule the next drain if some wait."""
    from hocvuso.credentials.outbox.services import outbox_drain as drain

    report = drain(token=str(context.task_result.id)[:64])
    if report.next_due is not None and not report.waiting_config:
        at = max(report.next_due, timezone.now() + timedelta(milliseconds=50))
        outbox_drain_schedule(at=at)
    return {
        "delivered": report.delivered,
        "retried": report.retried,
        "dead": report.dead,
        "waiting_config": report.waiting_config,
    }
