"""Delete report export files past their expiry (run daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hocvuso.programs.export_services import exports_cleanup


class Command(BaseCommand):
    help = "Delete the files of expired report exports."

    def handle(self, *args: Any, **options: Any) -> None:
        count = exports_cleanup()
        self.stdout.write(f"{count} export(s) expired")
