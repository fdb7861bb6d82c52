"""Background tasks: fetch by id, call one idempotent service."""

from __future__ import annotations

from django_tasks import task

from hocvuso.credentials import services


@task()
def result_confirm_task(result_id: str) -> str:
    """Confirm a result if it meets the rules (and so issue its certificate)."""
    confirmation = services.result_confirm_auto(result_id=result_id)
    return str(confirmation.pk) if confirmation else ""
