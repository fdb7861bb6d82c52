"""Shared base models and the audit log."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Abstract base: UUID primary key (sync-friendly) and timestamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditLog(models.Model):
    """One change made by someone (or the system) to something that matters.

    Rows are append-only: services write them inside their transaction, nothing
    updates or deletes them — except that anonymising an account scrubs the
    person's identifiers from the rows about them
    (``core.services.audit_scrub_person``). ``before``/``after`` hold the
    changed fields only and never national ID numbers or phone numbers; labels
    are pseudonyms (``core.services.audit_label``).
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    before: models.JSONField[Any] = models.JSONField(_("before"), null=True, blank=True)
    after: models.JSONField[Any] = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class WorkerHeartbeat(models.Model):
    """One running ``hocvuso worker`` process, as it last reported itself.

    A worker writes its row before it claims a task, refreshes ``last_seen``
    every few seconds and deletes the row when it stops cleanly. A row left
    behind names a worker that died: its RUNNING tasks are put back in the
    queue by ``hocvuso.core.worker.tasks_recover``.
    """

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=200)
    pid = models.PositiveIntegerField(_("process id"))
    # The process's start time as the kernel tells it (Linux), so that a reused
    # process id is not taken for the worker.
    process_start = models.CharField(_("process start"), max_length=40, blank=True)
    queues = models.CharField(_("queues"), max_length=200)
    started_at = models.DateTimeField(_("started at"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        ordering = ["started_at"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host} pid {self.pid})"
