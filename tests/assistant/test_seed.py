from __future__ import annotations

from typing import Any

import pytest

from hocvuso.assistant.seed import seed
from hocvuso.assistant.store import index_path
from hocvuso.core.seeding import SeedContext

pytestmark = pytest.mark.django_db


def _ctx(lines: list[str]) -> Any:
    return SeedContext(write=lines.append, options={})


def test_seed_builds_a_missing_index_once_and_schedules_the_purge(
    imported: None,
) -> None:
    from django_tasks_db.models import DBTaskResult

    index_path().unlink()
    lines: list[str] = []
    seed(_ctx(lines))
    assert index_path().exists() and "passages from 69 lessons" in lines[0]
    seed(_ctx(lines))  # idempotent: nothing rebuilt, one purge waiting
    assert len(lines) == 1
    waiting = DBTaskResult.objects.filter(
        task_path__endswith="conversations_purge_task"
    )
    assert waiting.count() == 1
