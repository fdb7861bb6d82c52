"""A helper's visit and a supervised pass move the facts within one refresh."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.community.visits.conftest import make_world, visit_data
from tests.credentials.conftest import adults, bank, sitting_factory  # noqa: F401
from tests.programs.engine_support import COMMUNE, Reader

from hocvuso.community.visits import visit_record
from hocvuso.credentials.models import Confirmation
from hocvuso.programs.access import UnitRef
from hocvuso.programs.indicator_sets import indicator_set_load
from hocvuso.programs.rollup import facts_rebuild, facts_refresh
from hocvuso.programs.tasks import rollup_periodic_schedule, rollup_refresh

pytestmark = pytest.mark.django_db

C = UnitRef("commune", 82, COMMUNE)


def _waiting_refreshes() -> int:
    path = f"{rollup_refresh.func.__module__}.{rollup_refresh.func.__qualname__}"
    return DBTaskResult.objects.filter(
        task_path=path, status=TaskResultStatus.READY
    ).count()


def test_a_visit_and_a_supervised_pass_move_the_facts(
    sitting_factory: Any,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    indicator_set_load()
    world = make_world()
    facts_rebuild()
    sitting = sitting_factory(identity_level=2)
    assert Confirmation.objects.filter(result=sitting.result).exists()
    with django_capture_on_commit_callbacks(execute=True):
        visit = visit_record(
            actor=world.volunteer, data=visit_data(world.team, people_helped=3)
        ).visit
    local = timezone.localtime(sitting.result.created_at)
    read = Reader(local.year)
    month = timezone.localtime(visit.visited_at).month
    before = (read("people-reached", C, month), read("confirmed", C, local.month))
    assert before == (0, 0)
    # The services asked for one debounced refresh (not one per change).
    assert _waiting_refreshes() == 1
    outcome = facts_refresh()
    assert outcome.kind == "incremental" and outcome.rows > 0
    assert read("people-reached", C, month) == 3
    assert read("confirmed", C, local.month) == 1
    assert read("basic-skills", C, local.month) == 1
    assert read("basic-skills", UnitRef.province(82), local.month) == 1


def test_the_periodic_refresh_is_scheduled_once(settings: Any) -> None:
    settings.HOCVUSO_ROLLUP_EVERY = 60
    assert rollup_periodic_schedule()
    assert not rollup_periodic_schedule()
    settings.HOCVUSO_ROLLUP_EVERY = 0
    DBTaskResult.objects.all().delete()
    assert not rollup_periodic_schedule()
