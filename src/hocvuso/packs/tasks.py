"""Background tasks of the packs app: they take ids and call a service."""

from __future__ import annotations

import uuid

from django_tasks import task

from hocvuso.packs.uploads import pack_upload_run


@task(queue_name="bulk")  # minutes for a large pack: not before short tasks
def pack_upload_task(upload_id: str) -> str:
    """Import an uploaded pack; return its final status."""
    upload = pack_upload_run(upload_id=uuid.UUID(upload_id))
    return upload.status if upload is not None else "missing"
