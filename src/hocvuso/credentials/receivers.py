"""Listen to assessment's signals (connected in ``CredentialsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from hocvuso.core.tasks import enqueue_on_commit


def on_result_recorded(sender: Any, result_id: str, **kwargs: Any) -> None:
    from hocvuso.credentials.tasks import result_confirm_task

    enqueue_on_commit(result_confirm_task, result_id)


def on_id_card_checked(
    sender: Any, session_id: str, result_id: str | None = None, **kwargs: Any
) -> None:
    if result_id:
        on_result_recorded(sender, result_id=result_id)


def on_identity_level_changed(
    sender: Any, user_id: str, level: int, **kwargs: Any
) -> None:
    """Re-check the person's unconfirmed supervised passes (now verified?)."""
    from hocvuso.assessment.models import Result

    if level < 2:
        return
    waiting = Result.objects.filter(
        user_id=user_id, passed=True, supervised=True, confirmation__isnull=True
    ).values_list("pk", flat=True)
    for result_id in waiting:
        on_result_recorded(sender, result_id=str(result_id))
