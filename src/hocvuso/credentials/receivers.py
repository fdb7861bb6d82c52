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
