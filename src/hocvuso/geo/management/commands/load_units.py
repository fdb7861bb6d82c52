from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hocvuso.geo.services import geo_units_load


class Command(BaseCommand):
    help = "Load the 34 provinces and 3,321 communes (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = geo_units_load()
        self.stdout.write(
            f"Administrative units: {report.provinces} provinces, "
            f"{report.communes} communes ({report.created} created, "
            f"{report.updated} updated)."
        )
