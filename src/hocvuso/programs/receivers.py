"""Programs listens to ``indicator_data_changed`` and schedules a refresh."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from hocvuso.core.indicators import indicator_data_changed
from hocvuso.core.tasks import worker_starting
from hocvuso.programs.tasks import rollup_periodic_schedule, rollup_schedule_soon


@receiver(indicator_data_changed, dispatch_uid="programs.rollup_soon")
def _data_changed(sender: object, **kwargs: Any) -> None:
    rollup_schedule_soon()


@receiver(worker_starting, dispatch_uid="programs.rollup_periodic")
def _worker_starting(sender: object, **kwargs: Any) -> None:
    rollup_periodic_schedule()
