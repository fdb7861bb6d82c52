"""Background refresh of the fact table (see ``programs.rollup``).

- :func:`rollup_refresh`: one incremental refresh, enqueued
  ``HOCVUSO_ROLLUP_DEBOUNCE`` seconds after counted data changed
  (:func:`rollup_schedule_soon`, called on ``indicator_data_changed``); while
  one is waiting, further changes add nothing (they are counted by it).
- :func:`rollup_periodic`: a refresh every ``HOCVUSO_ROLLUP_EVERY`` seconds,
  which schedules its next run; each worker schedules it at start unless one is
  already waiting.

Both are idempotent; the refresh lock makes a second one at the same time
return at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task, task_backends
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from hocvuso.programs.rollup import RefreshOutcome, facts_refresh


def _summary(outcome: RefreshOutcome) -> dict[str, object]:
    return {
        "kind": outcome.kind,
        "busy": outcome.busy,
        "rows": outcome.rows,
        "seconds": round(outcome.seconds, 3),
    }


@task()
def rollup_refresh() -> dict[str, object]:
    """Refresh the facts changed since the last run."""
    return _summary(facts_refresh())


@task()
def rollup_periodic() -> dict[str, object]:
    """Refresh the facts, then schedule the next periodic refresh."""
    try:
        return _summary(facts_refresh())
    finally:
        rollup_periodic_schedule(delay=timedelta(seconds=settings.HOCVUSO_ROLLUP_EVERY))


def _path(t: Task[Any, Any]) -> str:
    return f"{t.func.__module__}.{t.func.__qualname__}"


def _waiting(t: Task[Any, Any]) -> bool:
    return DBTaskResult.objects.filter(
        task_path=_path(t), status=TaskResultStatus.READY
    ).exists()


def _database_backend(t: Task[Any, Any]) -> bool:
    return isinstance(task_backends[t.backend], DatabaseBackend)


def rollup_schedule_soon() -> bool:
    """Enqueue a refresh in ``HOCVUSO_ROLLUP_DEBOUNCE`` s unless one is waiting."""
    if _database_backend(rollup_refresh) and _waiting(rollup_refresh):
        return False
    delay = settings.HOCVUSO_ROLLUP_DEBOUNCE
    run_after = timezone.now() + timedelta(seconds=delay) if delay > 0 else None
    if _database_backend(rollup_refresh):
        rollup_refresh.using(run_after=run_after).enqueue()
    else:
        rollup_refresh.enqueue()
    return True


def rollup_periodic_schedule(*, delay: timedelta | None = None) -> bool:
    """Enqueue the periodic refresh unless it is off or one is already waiting."""
    if settings.HOCVUSO_ROLLUP_EVERY <= 0 or not _database_backend(rollup_periodic):
        return False
    if _waiting(rollup_periodic):
        return False
    run_after = timezone.now() + delay if delay else None
    rollup_periodic.using(run_after=run_after).enqueue()
    return True
