"""Task helpers, housekeeping and the recovery rules, in this process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hocvuso.core.models import WorkerHeartbeat
from hocvuso.core.tasks import (
    enqueue_on_commit,
    housekeeping,
    housekeeping_schedule,
    progress_get,
    progress_report,
    task_results_prune,
    tasks_run_pending,
)
from hocvuso.core.worker import host_identity, process_start, tasks_recover

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., Any]


def running_task(*worker_ids: str) -> DBTaskResult:
    result = housekeeping.enqueue()
    row = DBTaskResult.objects.get(id=result.id)
    for worker_id in worker_ids:
        row.claim(worker_id)
    return row


def heartbeat(worker_id: str, *, host: str, pid: int, age: float = 0) -> None:
    seen = timezone.now() - timedelta(seconds=age)
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host=host,
        pid=pid,
        process_start=process_start(pid) or "",
        queues="*",
        started_at=seen,
        last_seen=seen,
    )


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def status(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return row.status


def test_enqueue_on_commit_waits_for_the_commit(
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        pending = enqueue_on_commit(housekeeping)
        assert pending.result is None and not DBTaskResult.objects.exists()
    assert pending.result is not None
    assert str(DBTaskResult.objects.get().id) == pending.result.id
    assert tasks_run_pending() >= 1
    pending.result.refresh()
    assert pending.result.status == TaskResultStatus.SUCCESSFUL


def test_enqueue_on_commit_does_nothing_after_a_rollback(
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
        transaction.atomic(),
    ):
        pending = enqueue_on_commit(housekeeping)
        _ = 1 / 0
    assert callbacks == [] and pending.result is None
    assert not DBTaskResult.objects.exists()


def test_progress_is_reported_by_task_result_id() -> None:
    result = housekeeping.enqueue()

    class Context:
        task_result = result

    progress_report(Context(), done=3, total=10, message="items")  # type: ignore[arg-type]
    report = progress_get(result.id)
    assert report is not None and (report["done"], report["total"]) == (3, 10)
    assert progress_get("00000000-0000-0000-0000-000000000000") is None


def test_prune_deletes_only_old_finished_rows() -> None:
    old, recent, waiting = (running_task("w") for _ in range(3))
    old.set_successful(None)
    recent.set_failed(ValueError("x"))
    long_ago = timezone.now() - timedelta(days=40)
    DBTaskResult.objects.filter(id=old.id).update(finished_at=long_ago)
    DBTaskResult.objects.filter(id=waiting.id).update(
        status=TaskResultStatus.READY, started_at=long_ago
    )
    assert task_results_prune(days=30) == 1
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {
        recent.id,
        waiting.id,
    }


def test_housekeeping_is_scheduled_once_and_reschedules_itself() -> None:
    assert housekeeping_schedule() is True
    assert housekeeping_schedule() is False  # one is already waiting
    assert tasks_run_pending() == 1
    later = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert later.run_after > timezone.now() + timedelta(hours=23)


def test_recovery_requeues_tasks_of_dead_workers_only() -> None:
    here = host_identity()
    heartbeat("alive-here", host=here, pid=os.getpid())
    heartbeat("dead-here", host=here, pid=dead_pid())
    heartbeat("alive-there", host="elsewhere", pid=1, age=5)
    heartbeat("silent-there", host="elsewhere", pid=1, age=120)
    tasks = {w: running_task(w) for w in ("alive-here", "dead-here", "alive-there")}
    tasks["silent-there"] = running_task("silent-there")
    tasks["gone"] = running_task("gone")  # its heartbeat was deleted already

    report = tasks_recover(lease=60)

    assert {w: status(t) for w, t in tasks.items()} == {
        "alive-here": "RUNNING",
        "dead-here": "READY",
        "alive-there": "RUNNING",
        "silent-there": "READY",
        "gone": "READY",
    }
    assert set(report.workers_removed) == {"dead-here", "silent-there"}
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {
        "alive-here",
        "alive-there",
    }
    assert tasks_recover(lease=60).requeued == ()  # nothing left to do


def test_recovery_sees_a_reused_process_id() -> None:
    heartbeat("reused", host=host_identity(), pid=os.getpid())
    WorkerHeartbeat.objects.filter(worker_id="reused").update(process_start="1")
    task = running_task("reused")
    tasks_recover(lease=3600)
    assert status(task) == "READY"


def test_recovery_gives_up_on_a_task_that_keeps_killing_its_worker(
    settings: Any,
) -> None:
    settings.HOCVUSO_TASK_MAX_ATTEMPTS = 3
    task = running_task("w1", "w2", "w3")
    report = tasks_recover()
    task.refresh_from_db()
    assert report.failed == (str(task.id),) and task.status == "FAILED"
    assert task.exception_class_path == "hocvuso.core.worker.WorkerLost"
    assert "died 3 times" in task.traceback
