"""The periodic reminder task: runs hourly, reschedules itself."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

EVERY = timedelta(hours=1)


def _path() -> str:
    return f"{task_reminders.func.__module__}.{task_reminders.func.__qualname__}"


def task_reminders_schedule(*, delay: timedelta | None = None) -> bool:
    """Enqueue the reminder run unless one is already waiting."""
    backend = task_backends[task_reminders.backend]
    if not isinstance(backend, DatabaseBackend):
        return False
    if DBTaskResult.objects.filter(
        task_path=_path(), status=TaskResultStatus.READY
    ).exists():
        return False
    run_after = timezone.now() + delay if delay else None
    task_reminders.using(run_after=run_after).enqueue()
    return True


@task()
def task_reminders() -> int:
    """Send due-soon reminders (idempotent), then schedule the next run."""
    from hocvuso.programs.task_services import task_reminders_send

    written = task_reminders_send()
    task_reminders_schedule(delay=EVERY)
    return written
