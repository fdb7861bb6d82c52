"""Background tasks: how apps enqueue them, report progress, and housekeeping.

A task takes ids (never model instances), fetches by id and calls one
idempotent service; it is enqueued with ``enqueue_on_commit`` so that a worker
never looks for rows a rolled-back transaction never wrote. See
docs/background-tasks.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypedDict, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django_tasks import TaskContext, TaskResult, TaskResultStatus, task, task_backends
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from typing_extensions import ParamSpec

P = ParamSpec("P")
T = TypeVar("T")

PROGRESS_TIMEOUT = 7 * 24 * 3600  # seconds a progress report is kept

#: Sent by ``hocvuso worker`` when it starts (not with ``--batch``): apps
#: schedule their periodic tasks (programs: the fact refresh) unless waiting.
worker_starting = Signal()


@dataclass
class PendingTask(Generic[T]):
    """A task to be enqueued when the transaction commits.

    ``result`` is None until then (and stays None after a rollback); after the
    ``atomic`` block it holds the task's result, whose ``id`` a page can poll.
    """

    task: Task[Any, T]
    args: tuple[Any, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    result: TaskResult[T] | None = None

    def enqueue(self) -> None:
        """Enqueue now (the on-commit callback)."""
        self.result = self.task.enqueue(*self.args, **self.kwargs)


def enqueue_on_commit(
    task: Task[P, T], *args: Any, using: str | None = None, **kwargs: Any
) -> PendingTask[T]:
    """Enqueue ``task(*args, **kwargs)`` once the current transaction commits.

    Outside a transaction the task is enqueued at once. Arguments must be JSON
    values (ids, strings, numbers), never model instances.
    """
    pending: PendingTask[T] = PendingTask(task=task, args=args, kwargs=kwargs)
    transaction.on_commit(pending.enqueue, using=using, robust=False)
    return pending


class Progress(TypedDict):
    """A task's last progress report."""

    done: int
    total: int
    message: str
    updated_at: str


def _progress_key(result_id: str) -> str:
    return f"hocvuso:task-progress:{result_id}"


def progress_report(
    context: TaskContext, *, done: int, total: int, message: str = ""
) -> None:
    """Record how far the running task is (call it from a task with context).

    Progress lives in the cache (the database or Redis, shared by every process):
    it is ephemeral, costs no migration, and the task's own row keeps the
    outcome (status, return value, error) for good.
    """
    report: Progress = {
        "done": done,
        "total": total,
        "message": message[:500],
        "updated_at": timezone.now().isoformat(),
    }
    cache.set(_progress_key(context.task_result.id), report, PROGRESS_TIMEOUT)


def progress_get(result_id: str) -> Progress | None:
    """Return the last progress report of a task, if any."""
    report: Progress | None = cache.get(_progress_key(str(result_id)))
    return report


def task_results_prune(*, days: int, now: Any = None) -> int:
    """Delete finished task rows older than ``days`` days; return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff)
    deleted, _ = DBTaskResult.objects.filter(pk__in=old.values("pk")).delete()
    return deleted


def _housekeeping_path() -> str:
    return f"{housekeeping.func.__module__}.{housekeeping.func.__qualname__}"


def housekeeping_schedule(*, delay: timedelta | None = None) -> bool:
    """Enqueue the daily housekeeping unless one is already waiting.

    Two workers starting at once may both enqueue it: harmless, it is idempotent.
    """
    backend = task_backends[housekeeping.backend]
    if settings.HOCVUSO_TASK_RESULTS_KEEP_DAYS <= 0 or not isinstance(
        backend, DatabaseBackend
    ):
        return False
    if DBTaskResult.objects.filter(
        task_path=_housekeeping_path(), status=TaskResultStatus.READY
    ).exists():
        return False
    run_after = timezone.now() + delay if delay else None
    housekeeping.using(run_after=run_after).enqueue()
    return True


@task()
def housekeeping() -> int:
    """Prune old finished task rows, then schedule the next run for tomorrow."""
    deleted = task_results_prune(days=settings.HOCVUSO_TASK_RESULTS_KEEP_DAYS)
    housekeeping_schedule(delay=timedelta(days=1))
    return deleted


def tasks_run_pending(*, queues: tuple[str, ...] = ("*",)) -> int:
    """Run every ready task in this process, then return how many ran.

    For tests and scripts: in a test, enqueue inside
    ``django_capture_on_commit_callbacks(execute=True)``, then call this. Unlike
    the worker's loop it never closes the connection (a test's transaction).
    """
    worker = Worker(
        queue_names=list(queues),
        interval=0,
        batch=True,
        backend_name=housekeeping.backend,
        startup_delay=False,
        max_tasks=None,
        worker_id=f"inline-{timezone.now():%H%M%S%f}",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        ready = DBTaskResult.objects.ready().filter(backend_name=worker.backend_name)
        if "*" not in queues:
            ready = ready.filter(queue_name__in=queues)
        with transaction.atomic():
            row = ready.get_locked()
            if row is None:
                return ran
            row.claim(worker.worker_id)
        worker.run_task(row)
        ran += 1
