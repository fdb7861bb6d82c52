"""``hocvuso worker``: run background tasks (django-tasks' database worker).

Defaults for this project: every queue, no autoreload, recovery of the tasks of
dead workers (see ``hocvuso.core.worker``), daily housekeeping, a one-line
message instead of a traceback when the database is not ready. SIGTERM or
SIGINT stops the worker after its current task; a second one stops it at once
and the task runs again at the next start.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import (
    Command as DBWorkerCommand,
)
from django_tasks_db.models import DBTaskResult

from hocvuso.core.models import WorkerHeartbeat
from hocvuso.core.tasks import (
    housekeeping_schedule,
    task_results_prune,
    worker_starting,
)
from hocvuso.core.worker import ProjectWorker, worker_id_new

NOT_INITIALISED = (
    "Cơ sở dữ liệu chưa sẵn sàng: chạy `hocvuso init` trước. "
    "(The database is not initialised: run `hocvuso init` first.)"
)


def _lease(value: str) -> float:
    lease = float(value)
    if not 1 <= lease <= 24 * 3600:
        raise ValueError(value)
    return lease


class Command(DBWorkerCommand):
    help = (
        "Run background tasks until stopped (SIGTERM/SIGINT: after the current "
        "task). Run one or more beside the web server."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--queues",
            dest="queue_name",
            help="queues to serve, comma-separated; '*' for all (default)",
        )
        parser.add_argument(
            "--lease",
            type=_lease,
            default=None,
            help="seconds without a heartbeat after which a worker on another "
            "machine is presumed dead (default: HOCVUSO_WORKER_LEASE)",
        )
        parser.add_argument(
            "--prune-days",
            type=int,
            default=None,
            metavar="DAYS",
            help="delete finished task rows older than DAYS, then exit",
        )
        parser.set_defaults(
            queue_name="*",
            interval=settings.HOCVUSO_WORKER_INTERVAL,
            reload=False,
            worker_id=None,
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(int(options["verbosity"]))
        self._check_database()
        if options["prune_days"] is not None:
            deleted = task_results_prune(days=max(0, options["prune_days"]))
            self.stdout.write(f"Deleted {deleted} finished task row(s).")
            return
        queue_names = [q.strip() for q in options["queue_name"].split(",") if q]
        excluded = [q for q in options["exclude_queues"].split(",") if q]
        if excluded and "*" not in queue_names:
            self.stderr.write("--exclude-queues needs --queues='*'.")
            raise SystemExit(2)
        lease = options["lease"] or float(settings.HOCVUSO_WORKER_LEASE)
        worker = ProjectWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"] or worker_id_new(),
            excluded_queue_names=excluded,
            lease=lease,
        )
        if not options["batch"]:
            housekeeping_schedule()
            worker_starting.send(sender=ProjectWorker)
        try:
            if options["reload"] and not options["batch"]:
                if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                    worker.configure_signals()
                run_with_reloader(worker.run)
            else:
                worker.configure_signals()
                worker.run()
        except DatabaseError as e:
            self.stderr.write(f"Worker stopped: database error: {e}".splitlines()[0])
            raise SystemExit(1) from None

    def _check_database(self) -> None:
        """Exit with one line when the database is unreachable or not migrated."""
        needed = {DBTaskResult._meta.db_table, WorkerHeartbeat._meta.db_table}
        try:
            tables = set(connection.introspection.table_names())
        except DatabaseError as e:
            self.stderr.write(f"Cannot reach the database: {e}".splitlines()[0])
            raise SystemExit(1) from None
        if not needed <= tables:
            self.stderr.write(NOT_INITIALISED)
            raise SystemExit(1)
