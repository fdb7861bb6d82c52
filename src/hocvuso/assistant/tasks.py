"""Background work of the assistant: rebuild the index, forget old conversations."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks_db import DatabaseBackend


@task()
def index_rebuild_task(pack: str | None = None) -> int:
    """Rebuild the index (one pack's passages, or all); return the passage count."""
    from hocvuso.assistant.store import index_build

    return index_build(pack=pack).passages


@task()
def conversations_purge_task() -> int:
    """Delete conversations past the keep period, then run again tomorrow."""
    from hocvuso.assistant.services import conversations_purge

    deleted = conversations_purge()
    purge_schedule(delay=timedelta(days=1))
    return deleted


def purge_schedule(*, delay: timedelta | None = None) -> bool:
    """Enqueue the daily purge unless one is already waiting (database backend)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    func = conversations_purge_task.func
    path = f"{func.__module__}.{func.__qualname__}"
    if not isinstance(task_backends[conversations_purge_task.backend], DatabaseBackend):
        return False
    if DBTaskResult.objects.filter(
        task_path=path, status=TaskResultStatus.READY
    ).exists():
        return False
    run_after = timezone.now() + delay if delay else None
    conversations_purge_task.using(run_after=run_after).enqueue()
    return True
