"""The background worker: django-tasks' database worker plus crash recovery.

django-tasks-db marks a task RUNNING when a worker claims it and nothing ever
looks at that row again if the worker dies (SIGKILL, out of memory, power
loss): the task would stay RUNNING for ever. Here every worker keeps a
``WorkerHeartbeat`` row, written before it claims anything and refreshed by a
thread while tasks run, and every worker, at start and at each heartbeat, puts
back in the queue the RUNNING tasks whose worker is gone:

- on the same machine (same host name, boot and process namespace), a worker is
  gone as soon as its process is (its id no longer names a live process started
  at the recorded time);
- elsewhere, when its heartbeat is older than ``HOCVUSO_WORKER_LEASE`` seconds;
- a worker id without any heartbeat row stopped (or was presumed dead) already.

A task requeued that way runs again from the start, so tasks must be idempotent
(see docs/background-tasks.md). One that lost its worker
``HOCVUSO_TASK_MAX_ATTEMPTS`` times is marked failed instead (``WorkerLost``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from hocvuso.core.models import WorkerHeartbeat

logger = logging.getLogger("hocvuso.worker")


class WorkerLost(Exception):
    """Record that a task's worker died too often while running it."""


@dataclass(frozen=True)
class RecoveryReport:
    """What one recovery pass did."""

    requeued: tuple[str, ...]
    failed: tuple[str, ...]
    workers_removed: tuple[str, ...]


@cache
def host_identity() -> str:
    """Return a name for this machine, boot and process namespace."""
    parts = [socket.gethostname()]
    with contextlib.suppress(OSError):
        parts.append(Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8])
    with contextlib.suppress(OSError):
        parts.append(os.readlink("/proc/self/ns/pid").removeprefix("pid:"))
    return "/".join(parts)[:200]


def process_start(pid: int) -> str | None:
    """Return the start time of a live process, "" where unknown, None if dead."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        stat = ""
    if stat:
        # The command name (field 2) is in parentheses and may hold spaces.
        fields = stat.rsplit(")", 1)[-1].split()
        if fields[0] in ("Z", "X"):  # a zombie has finished running
            return None
        return fields[19]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return ""


def worker_id_new() -> str:
    """Return a fresh worker id naming the host and process."""
    host = socket.gethostname()[:40]
    return f"{host}-{os.getpid()}-{get_random_string(8)}"[:64]


def _is_alive(beat: WorkerHeartbeat, *, now: datetime, lease: timedelta) -> bool:
    if beat.host == host_identity():
        start = process_start(beat.pid)
        if start is None:
            return False
        if start and beat.process_start:
            return start == beat.process_start
    return beat.last_seen >= now - lease


def tasks_recover(
    *, now: datetime | None = None, lease: float | None = None
) -> RecoveryReport:
    """Requeue the RUNNING tasks of dead workers and forget those workers.

    Safe to run from several workers at once: each requeue is a conditional
    update of a row still RUNNING with the same start time, so a task another
    worker claimed again in between is left alone.
    """
    now = now or timezone.now()
    lease_td = timedelta(
        seconds=settings.HOCVUSO_WORKER_LEASE if lease is None else lease
    )
    # Running rows first, then heartbeats: a worker writes its heartbeat before
    # it claims a task, so any claim seen here has its heartbeat visible below.
    running = list(
        DBTaskResult.objects.running().only("id", "worker_ids", "started_at")
    )
    beats = list(WorkerHeartbeat.objects.all())
    dead = {b.worker_id for b in beats if not _is_alive(b, now=now, lease=lease_td)}
    alive = {b.worker_id for b in beats} - dead
    requeued: list[str] = []
    failed: list[str] = []
    for row in running:
        owner = row.worker_ids[-1] if row.worker_ids else ""
        if owner in alive:
            continue
        still_running = DBTaskResult.objects.filter(
            id=row.id, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        if len(row.worker_ids) >= settings.HOCVUSO_TASK_MAX_ATTEMPTS:
            message = (
                f"{WorkerLost.__module__}.{WorkerLost.__qualname__}: the worker "
                f"running this task died {len(row.worker_ids)} times "
                f"(last: {owner or '?'}); not run again.\n"
            )
            done = still_running.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.WorkerLost",
                traceback=message,
            )
            if done:
                failed.append(str(row.id))
                logger.error("Task %s failed: its worker died too often", row.id)
        elif still_running.update(status=TaskResultStatus.READY, started_at=None):
            requeued.append(str(row.id))
            logger.warning("Task %s requeued: its worker %s is gone", row.id, owner)
    if dead:
        WorkerHeartbeat.objects.filter(worker_id__in=dead).delete()
    return RecoveryReport(tuple(requeued), tuple(failed), tuple(sorted(dead)))


def workers_alive(*, now: datetime | None = None) -> list[WorkerHeartbeat]:
    """Return the workers that look alive now."""
    now = now or timezone.now()
    lease = timedelta(seconds=settings.HOCVUSO_WORKER_LEASE)
    return [
        b for b in WorkerHeartbeat.objects.all() if _is_alive(b, now=now, lease=lease)
    ]


def worker_register(*, worker_id: str, queues: Iterable[str]) -> WorkerHeartbeat:
    """Write this process's heartbeat row."""
    now = timezone.now()
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": host_identity(),
            "pid": os.getpid(),
            "process_start": process_start(os.getpid()) or "",
            "queues": ",".join(queues)[:200],
            "started_at": now,
            "last_seen": now,
        },
    )
    return beat


@transaction.atomic
def worker_unregister(*, worker_id: str) -> int:
    """Requeue the tasks this worker still holds and delete its heartbeat."""
    # JSON "contains" lookups do not exist on SQLite; running rows are few.
    requeued = 0
    for row in DBTaskResult.objects.running().only("id", "worker_ids"):
        if row.worker_ids and row.worker_ids[-1] == worker_id:
            requeued += DBTaskResult.objects.filter(
                id=row.id, status=TaskResultStatus.RUNNING
            ).update(status=TaskResultStatus.READY, started_at=None)
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
    return requeued


class Heartbeat(threading.Thread):
    """Refresh the worker's heartbeat and recover dead workers' tasks."""

    def __init__(
        self, *, worker_id: str, queues: Iterable[str], every: float, lease: float
    ) -> None:
        super().__init__(name="hocvuso-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.lease = lease
        self.queues = tuple(queues)
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                self.beat()
        finally:
            connection.close()

    def beat(self) -> None:
        """Refresh the row (re-create it if it was taken for dead) and recover."""
        try:
            seen = WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(
                last_seen=timezone.now()
            )
            if not seen:
                logger.warning("Heartbeat of %s was missing: written again", self)
                worker_register(worker_id=self.worker_id, queues=self.queues)
            tasks_recover(lease=self.lease)
        except DatabaseError as e:
            # A busy or briefly unreachable database: try again next beat.
            logger.warning("Heartbeat failed: %s", e)
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=30)


class ProjectWorker(Worker):
    """The database worker with heartbeats, recovery and a forced stop."""

    def __init__(self, *, lease: float, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lease = lease

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        """Stop after the current task; at a second signal, stop at once.

        The task interrupted by a forced stop is left RUNNING under this
        worker's heartbeat, so the next worker to start runs it again (as after
        SIGKILL) instead of recording a failure.
        """
        if not self.running and self.running_task:
            logger.warning(
                "Received %s again - stopping now; the task will run again.",
                signal.strsignal(signum),
            )
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(1)
        super().shutdown(signum, frame)

    def run(self) -> None:
        beat = Heartbeat(
            worker_id=self.worker_id,
            queues=self.queue_names,
            every=max(0.5, min(self.lease / 4, 15.0)),
            lease=self.lease,
        )
        worker_register(worker_id=self.worker_id, queues=self.queue_names)
        report = tasks_recover(lease=self.lease)
        if report.requeued:
            logger.info("Requeued %d task(s) of dead workers", len(report.requeued))
        beat.start()
        try:
            super().run()
        finally:
            beat.stop()
            with contextlib.suppress(DatabaseError):
                worker_unregister(worker_id=self.worker_id)
