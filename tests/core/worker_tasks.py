"""A task for the worker tests, and a driver that enqueues it from a subprocess.

``effect_once`` follows the pattern of real tasks: its effect is an idempotent
write keyed by ``key`` (a primary key), so running it twice does it once. It
tells the test where it is through files in ``gate_dir`` and, after its effect
is committed, waits for ``gate_dir/release``: the test can kill the worker at
exactly that point.

``python -m tests.core.worker_tasks KEY GATE_DIR [--rollback]`` enqueues it
inside a transaction with ``enqueue_on_commit`` and prints the task id (or
``none`` when the transaction rolled back).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TypedDict

from django.db import connection, transaction
from django_tasks import TaskContext, task

EFFECT_TABLE = "test_task_effect"
GATE_TIMEOUT = 120.0


class EffectOutcome(TypedDict):
    key: str
    attempt: int
    did_effect: bool


def effect_record(*, key: str, attempt: int) -> bool:
    """Write the effect for ``key`` unless it exists; return whether this did."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {EFFECT_TABLE} "
            "(effect_key VARCHAR(100) PRIMARY KEY, attempt INTEGER NOT NULL)"
        )
        cursor.execute(
            f"INSERT INTO {EFFECT_TABLE} (effect_key, attempt) VALUES (%s, %s) "
            "ON CONFLICT (effect_key) DO NOTHING",
            [key, attempt],
        )
        return cursor.rowcount == 1


@task(takes_context=True)
def effect_once(context: TaskContext, key: str, gate_dir: str) -> EffectOutcome:
    """Do the effect for ``key`` once, then wait for the test's release file."""
    gate = Path(gate_dir)
    attempt = context.attempt
    (gate / f"started-{attempt}").touch()
    did_effect = effect_record(key=key, attempt=attempt)
    (gate / f"effect-{attempt}").touch()
    deadline = time.monotonic() + GATE_TIMEOUT
    while not (gate / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never released the task")
        time.sleep(0.02)
    return {"key": key, "attempt": attempt, "did_effect": did_effect}


def main(argv: list[str]) -> int:
    """Enqueue ``effect_once`` on commit and print its id."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hocvuso.settings")
    django.setup()
    # Run as __main__, this module's own task would be "__main__.effect_once":
    # enqueue the one a worker can import.
    from tests.core.worker_tasks import effect_once

    from hocvuso.core.tasks import enqueue_on_commit

    key, gate_dir = argv[0], argv[1]
    rollback = "--rollback" in argv

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            pending = enqueue_on_commit(effect_once, key, gate_dir)
            assert pending.result is None  # not before the commit
            if rollback:
                raise Rollback
    except Rollback:
        pass
    print(pending.result.id if pending.result else "none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
