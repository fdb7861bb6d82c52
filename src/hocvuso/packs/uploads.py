"""Pack uploads from the admin: stored, then imported by a background task.

A 200 MB pack is too much work for one web request (and a proxy would cut it
off): the upload view stores the file and queues :func:`pack_upload_run`; the
editor watches the upload's page until it says imported or lists problems.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.core.tasks import enqueue_on_commit
from hocvuso.packs.errors import PackInvalid, PackSourceError
from hocvuso.packs.media import media_storage
from hocvuso.packs.models import PackUpload
from hocvuso.packs.services import PackPlan, pack_import, pack_plan, pack_validate
from hocvuso.packs.source import PackSource

UPLOAD_PREFIX = "packs/uploads/"


@transaction.atomic
def pack_upload_create(
    *, actor: AbstractBaseUser | None, label: str, data: bytes, force: bool = False
) -> PackUpload:
    """Store an uploaded pack and queue its import; return the upload.

    Raises ``PackSourceError`` at once when the file is not a usable zip, so
    the editor learns of it before waiting for anything.
    """
    PackSource.from_zip(data, label=label)
    upload = PackUpload(
        label=label[:200],
        size=len(data),
        force=force,
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
    )
    upload.stored_name = media_storage().save(
        f"{UPLOAD_PREFIX}{upload.id}.zip", ContentFile(data)
    )
    upload.save()
    from hocvuso.packs.tasks import pack_upload_task  # the task imports this module

    enqueue_on_commit(pack_upload_task, str(upload.id))
    return upload


HELD_PREFIX = f"{UPLOAD_PREFIX}held/"


def pack_upload_preview(*, data: bytes, label: str) -> PackPlan | None:
    """Return what an uploaded new version of a pack would change, or None.

    None when there is nothing to confirm: the pack is new on this site, or
    has problems (the import lists them). Raises ``PackSourceError`` when the
    file is not a usable zip. Writes nothing.
    """
    source = PackSource.from_zip(data, label=label)
    try:
        plan = pack_plan(source=source)
    except PackInvalid:
        return None
    return plan if plan.current_version is not None else None


def pack_upload_hold(*, data: bytes) -> uuid.UUID:
    """Keep an uploaded zip until the editor confirms it; return its key."""
    key = uuid.uuid4()
    media_storage().save(f"{HELD_PREFIX}{key}.zip", ContentFile(data))
    return key


@transaction.atomic
def pack_upload_release(
    *, actor: AbstractBaseUser | None, key: uuid.UUID, label: str, force: bool
) -> PackUpload:
    """Queue the import of a held zip (the editor confirmed); idempotent per key.

    Raises ``PackSourceError`` when the held file is gone (already released
    or cancelled).
    """
    storage = media_storage()
    name = f"{HELD_PREFIX}{key}.zip"
    if not storage.exists(name):
        raise PackSourceError(_("This upload was already applied or cancelled."))
    with storage.open(name, "rb") as fh:
        data = fh.read()
    upload = pack_upload_create(actor=actor, label=label, data=data, force=force)
    transaction.on_commit(lambda: storage.delete(name))
    return upload


def pack_upload_discard(*, key: uuid.UUID) -> None:
    """Forget a held zip the editor did not confirm."""
    storage = media_storage()
    name = f"{HELD_PREFIX}{key}.zip"
    if storage.exists(name):
        storage.delete(name)


def _status(upload: PackUpload, status: str) -> None:
    upload.status = status
    upload.save(update_fields=["status", "updated_at"])


def _finish_failed(upload: PackUpload, message: str, issues: list[str]) -> None:
    upload.status = PackUpload.Status.FAILED
    upload.message = message
    upload.issues = issues
    upload.finished_at = timezone.now()
    upload.save()


def _discard_file(upload: PackUpload) -> None:
    storage = media_storage()
    if upload.stored_name and storage.exists(upload.stored_name):
        storage.delete(upload.stored_name)


def pack_upload_run(*, upload_id: uuid.UUID) -> PackUpload | None:
    """Check and import an uploaded pack; safe to run again after a crash.

    A finished upload is left as it is. ``done`` is saved in the import's
    transaction: after an interruption the import either committed with it or
    not at all, so running again never imports twice. Returns None when no
    such upload exists (it was deleted).
    """
    upload = PackUpload.objects.filter(pk=upload_id).select_related("actor").first()
    if upload is None or upload.finished:
        return upload
    _status(upload, PackUpload.Status.CHECKING)
    storage = media_storage()
    try:
        with storage.open(upload.stored_name, "rb") as fh:
            source = PackSource.from_zip(fh.read(), label=upload.label)
    except (OSError, PackSourceError) as exc:
        _finish_failed(upload, str(exc), [])
        return upload
    report = pack_validate(source=source)
    if not report.ok:
        _finish_failed(upload, "", [str(i) for i in report.issues])
        _discard_file(upload)
        return upload
    _status(upload, PackUpload.Status.IMPORTING)
    try:
        with transaction.atomic():
            # A new pack arrives as a draft: editors preview it, then publish.
            result = pack_import(
                source=source, actor=upload.actor, force=upload.force, draft=None
            )
            upload.status = PackUpload.Status.DONE
            upload.pack = result.pack
            upload.unchanged = result.unchanged
            upload.counts = dict(result.counts)
            upload.finished_at = timezone.now()
            upload.save()
    except PackInvalid as exc:  # a conflict only the database shows
        _finish_failed(upload, "", [str(i) for i in exc.issues])
    _discard_file(upload)
    return upload
