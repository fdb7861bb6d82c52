"""Writes of accountable tasks, inspections and reminders (audited).

Who may do what: anyone who steers a unit (``access.unit_allowed``) creates
its tasks and inspections and updates its tasks; the assignee and the
responsible person update their own tasks too. Reminders are sent by a
periodic task (:func:`task_reminders_send`), idempotent per task, person and
due date: running it twice in the same window writes (and mails) once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict
from uuid import UUID

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import User
from hocvuso.core.errors import HocvusoError
from hocvuso.core.services import audit_record, model_snapshot
from hocvuso.geo.models import Commune, Province
from hocvuso.programs.access import UnitRef, unit_allowed
from hocvuso.programs.models import (
    EvidenceKind,
    Inspection,
    Notification,
    ProgramTask,
    Target,
    TaskStatus,
    TaskUpdate,
    UnitLevel,
)
from hocvuso.programs.models.tasks import OPEN_STATUSES

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    Actor = AbstractBaseUser | AnonymousUser

log = logging.getLogger(__name__)

PHOTO_TYPES = {
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".webp": b"RIFF",
}
FILE_TYPES = {
    ".pdf": b"%PDF-",
    ".docx": b"PK\x03\x04",
    ".xlsx": b"PK\x03\x04",
    ".odt": b"PK\x03\x04",
    ".ods": b"PK\x03\x04",
}


class TaskNotAllowed(HocvusoError):
    status = 403


class TaskInvalid(HocvusoError):
    status = 400


def task_unit(task: ProgramTask | Inspection) -> UnitRef:
    if task.commune_id is not None:
        return UnitRef(UnitLevel.COMMUNE, task.province_id or 0, task.commune_id)
    if task.province_id is not None:
        return UnitRef.province(task.province_id)
    return UnitRef.nation()


class _UnitFields(TypedDict):
    province: Province | None
    commune: Commune | None


def _unit_fields(unit: UnitRef) -> _UnitFields:
    province = (
        Province.objects.get(code=unit.province_code) if unit.province_code else None
    )
    commune = Commune.objects.get(code=unit.commune_code) if unit.commune_code else None
    return {"province": province, "commune": commune}


def task_can_update(actor: Actor, task: ProgramTask) -> bool:
    if not actor.is_authenticated:
        return False
    if actor.pk in (task.assignee_id, task.responsible_id):
        return True
    return unit_allowed(actor, task_unit(task))


@dataclass(frozen=True)
class TaskIn:
    """What a new task says (validated by the form, checked again here)."""

    title: str
    assignee_id: UUID
    authority: str
    starts_on: date
    due_on: date
    expected_result: str
    description: str = ""
    responsible_id: UUID | None = None
    indicator: str = ""
    inspection_id: str | None = None


@transaction.atomic
def task_create(*, actor: Actor, unit: UnitRef, data: TaskIn) -> ProgramTask:
    """Create a task of ``unit`` (the actor must steer it)."""
    if not unit_allowed(actor, unit):
        raise TaskNotAllowed(_("You do not steer this unit."))
    if data.due_on < data.starts_on:
        raise TaskInvalid(_("The deadline cannot be before the start."))
    if not data.title.strip() or not data.expected_result.strip():
        raise TaskInvalid(_("Say what must be done and the expected result."))
    if not User.objects.filter(pk=data.assignee_id, is_active=True).exists():
        raise TaskInvalid(_("Choose who does the task."))
    inspection = None
    if data.inspection_id:
        inspection = Inspection.objects.filter(pk=data.inspection_id).first()
        if inspection is None or not unit_allowed(actor, task_unit(inspection)):
            raise TaskInvalid(_("No such inspection."))
    fields = _unit_fields(unit)
    target = None
    if data.indicator:
        # The unit's own target for the indicator in the deadline's year.
        target = Target.objects.filter(
            year=data.due_on.year,
            province=fields["province"],
            commune=fields["commune"],
            indicator=data.indicator,
            group="",
        ).first()
    task = ProgramTask.objects.create(
        **fields,
        title=data.title.strip(),
        description=data.description.strip(),
        assignee_id=data.assignee_id,
        responsible_id=data.responsible_id,
        authority=data.authority.strip(),
        starts_on=data.starts_on,
        due_on=data.due_on,
        expected_result=data.expected_result.strip(),
        indicator=data.indicator,
        target=target,
        inspection=inspection,
        created_by_id=actor.pk,
    )
    audit_record(
        actor=actor,
        action="programs.task.create",
        obj=task,
        after=model_snapshot(
            task, ["title", "assignee_id", "starts_on", "due_on", "indicator"]
        ),
    )
    transaction.on_commit(_reminders_schedule)
    return task


def _reminders_schedule() -> None:
    from hocvuso.programs.task_reminders import task_reminders_schedule

    task_reminders_schedule()


def evidence_check(upload: UploadedFile[bytes]) -> str:
    """Return the evidence kind of an upload, or refuse it (size, type)."""
    limit = settings.HOCVUSO_TASK_EVIDENCE_MAX
    if upload.size is None or upload.size > limit:
        raise TaskInvalid(
            _("The file is too large (at most %(size)s).")
            % {"size": filesizeformat(limit)}
        )
    name = (upload.name or "").lower()
    ext = name[name.rfind(".") :] if "." in name else ""
    magic = PHOTO_TYPES.get(ext) or FILE_TYPES.get(ext)
    if magic is None:
        raise TaskInvalid(
            _("Attach a photo (JPG, PNG, WebP) or a document (PDF, DOCX, XLSX, ODT).")
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(magic) or (ext == ".webp" and head[8:12] != b"WEBP"):
        raise TaskInvalid(_("The file's content does not match its type."))
    return EvidenceKind.PHOTO if ext in PHOTO_TYPES else EvidenceKind.FILE


@transaction.atomic
def task_update_add(
    *,
    actor: Actor,
    task_id: str,
    status: str,
    note: str,
    evidence: UploadedFile[bytes] | None = None,
    now: datetime | None = None,
) -> TaskUpdate:
    """Record a status update with its evidence; change the task's status."""
    task = ProgramTask.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise TaskInvalid(_("No such task."))
    if not task_can_update(actor, task):
        raise TaskNotAllowed(_("You cannot update this task."))
    if status not in TaskStatus.values:
        raise TaskInvalid(_("Unknown status."))
    if not note.strip():
        raise TaskInvalid(_("Say what was done."))
    kind = EvidenceKind.TEXT
    if evidence is not None:
        kind = EvidenceKind(evidence_check(evidence))
    before = model_snapshot(task, ["status"])
    update = TaskUpdate(
        task=task,
        author_id=actor.pk,
        status=status,
        note=note.strip(),
        evidence_kind=kind,
    )
    if evidence is not None:
        update.evidence_name = (evidence.name or "")[-200:]
        update.evidence.save(evidence.name or "evidence", evidence, save=False)
    update.save()
    task.status = status
    task.completed_at = (now or timezone.now()) if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="programs.task.update",
        obj=task,
        before=before,
        after={"status": status, "evidence": kind},
    )
    return update


@dataclass(frozen=True)
class InspectionIn:
    subject: str
    inspected_on: date
    findings: str
    conclusion: str = ""


@transaction.atomic
def inspection_create(*, actor: Actor, unit: UnitRef, data: InspectionIn) -> Inspection:
    """Record an inspection of ``unit`` by the actor (who must steer it)."""
    if not unit_allowed(actor, unit):
        raise TaskNotAllowed(_("You do not steer this unit."))
    if not data.subject.strip() or not data.findings.strip():
        raise TaskInvalid(_("Say what was inspected and what was found."))
    inspection = Inspection.objects.create(
        **_unit_fields(unit),
        subject=data.subject.strip(),
        inspected_on=data.inspected_on,
        inspector_id=actor.pk,
        findings=data.findings.strip(),
        conclusion=data.conclusion.strip(),
    )
    audit_record(
        actor=actor,
        action="programs.inspection.create",
        obj=inspection,
        after=model_snapshot(inspection, ["subject", "inspected_on"]),
    )
    return inspection


def notification_read(*, actor: Actor, notification_id: str, now: datetime) -> int:
    """Mark one of the actor's notifications read; return how many changed."""
    return Notification.objects.filter(
        pk=notification_id, recipient_id=actor.pk, read_at__isnull=True
    ).update(read_at=now)


def _local_today(now: datetime) -> date:
    return timezone.localtime(now).date()


def task_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the people of open tasks that are due soon or overdue.

    Due soon: the deadline is today or within ``HOCVUSO_TASK_REMIND_DAYS``
    days; overdue: the deadline has passed. One notification per task × person
    (assignee, responsible) × kind × due date: a second run in the same window
    finds it and does nothing; a deadline moved to another date reminds again.
    E-mail goes out once per notification when ``HOCVUSO_TASK_REMINDER_EMAIL``
    is on and the person has an address. Returns how many were written.
    """
    moment = now or timezone.now()
    today = _local_today(moment)
    horizon = today + timedelta(days=settings.HOCVUSO_TASK_REMIND_DAYS)
    written = 0
    tasks = ProgramTask.objects.filter(
        status__in=OPEN_STATUSES, due_on__lte=horizon
    ).only("id", "title", "due_on", "assignee_id", "responsible_id")
    for task in tasks.iterator():
        overdue = task.due_on < today
        kind = Notification.Kind.OVERDUE if overdue else Notification.Kind.DUE_SOON
        values = {"title": task.title[:200], "date": f"{task.due_on:%d/%m/%Y}"}
        if overdue:
            message = _("Task “%(title)s” was due on %(date)s and is not done.")
        else:
            message = _("Task “%(title)s” is due on %(date)s.")
        recipients = {task.assignee_id, task.responsible_id} - {None}
        for user_id in recipients:
            try:
                with transaction.atomic():
                    _note, created = Notification.objects.get_or_create(
                        recipient_id=user_id,
                        task=task,
                        kind=kind,
                        window=task.due_on.isoformat(),
                        defaults={"message": message % values},
                    )
            except IntegrityError:  # another sender wrote it meanwhile
                continue
            if created:
                written += 1
        if settings.HOCVUSO_TASK_REMINDER_EMAIL:
            pending = Notification.objects.filter(
                task=task, emailed_at__isnull=True, window=task.due_on.isoformat()
            ).values_list("pk", flat=True)
            for pk in list(pending):
                try:
                    _email(pk, now=moment)
                except Exception:  # the mail server: try again at the next run
                    log.warning("reminder e-mail %s not sent", pk, exc_info=True)
    return written


def _email(notification_id: UUID, *, now: datetime) -> None:
    """Mail a notification once (the row's ``emailed_at`` is the guard)."""
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if note is None or not note.recipient.email:
            return
        subject = (
            _("Reminder: a task is overdue")
            if note.kind == Notification.Kind.OVERDUE
            else _("Reminder: a task is due soon")
        )
        link = reverse("programs:task_detail", kwargs={"task_id": note.task_id})
        base = getattr(settings, "HOCVUSO_PUBLIC_URL", "").rstrip("/")
        send_mail(
            subject=subject,
            message=f"{note.message}\n\n{base}{link}",
            from_email=None,
            recipient_list=[note.recipient.email],
        )
        note.emailed_at = now
        note.save(update_fields=["emailed_at", "updated_at"])
