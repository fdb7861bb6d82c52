"""Send due-soon task reminders now (the worker also does it every hour)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hocvuso.programs.task_reminders import task_reminders_schedule
from hocvuso.programs.task_services import task_reminders_send


class Command(BaseCommand):
    help = "Send due-soon task reminders and schedule the hourly run."

    def handle(self, *args: Any, **options: Any) -> None:
        count = task_reminders_send()
        task_reminders_schedule()
        self.stdout.write(f"{count} reminder(s) written")
