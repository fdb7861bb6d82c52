"""Writes of report exports: request one (idempotent), build it, clean up.

A request names unit × year × month × format and the data it reads ("data as
of" the latest refresh). Asking again while a job for the same data waits,
runs or is done returns that job; a refresh since then makes a new one. The
file is built by a background task (``export_tasks.export_run``) that reports
its progress on the job row; files expire after ``HOCVUSO_EXPORT_KEEP_DAYS``.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from hocvuso.core.errors import HocvusoError
from hocvuso.core.services import audit_record
from hocvuso.core.tasks import PendingTask, enqueue_on_commit
from hocvuso.programs import reports
from hocvuso.programs.access import UnitRef, unit_allowed
from hocvuso.programs.export_tasks import export_run
from hocvuso.programs.figures import data_as_of
from hocvuso.programs.models import ExportFormat, ExportJob, ExportState
from hocvuso.programs.models.exports import LIVE_STATES

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

log = logging.getLogger(__name__)

BACKGROUND_FORMATS = (ExportFormat.XLSX, ExportFormat.PDF)
FIRST_YEAR = 2024


class ExportNotAllowed(HocvusoError):
    status = 403


class ExportInvalid(HocvusoError):
    status = 400


def export_period_check(*, year: int, month: int, now: datetime | None = None) -> None:
    """Refuse a period outside 2024 … next year or a month outside 1–12."""
    current = timezone.localtime(now or timezone.now()).year
    if not FIRST_YEAR <= year <= current + 1:
        raise ExportInvalid(
            _("The year must be between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": current + 1}
        )
    if not 1 <= month <= 12:
        raise ExportInvalid(_("The month must be between 1 and 12."))


def export_key(
    unit: UnitRef, *, year: int, month: int, fmt: str, as_of: datetime | None
) -> str:
    stamp = as_of.isoformat(timespec="seconds") if as_of is not None else "-"
    return f"{unit.slug}|{year}|{month:02d}|{fmt}|{stamp}"


def export_request(
    *,
    actor: AbstractBaseUser | AnonymousUser,
    unit: UnitRef,
    year: int,
    month: int,
    fmt: str,
    now: datetime | None = None,
) -> tuple[ExportJob, bool]:
    """Return the job of this export and whether it was created now.

    Idempotent: a live job (waiting, running or done) for the same unit,
    period, format and data as of is returned as it is. A new job is audited
    and its task enqueued when the transaction commits.
    """
    if not unit_allowed(actor, unit):
        raise ExportNotAllowed(_("You do not steer this unit."))
    if fmt not in BACKGROUND_FORMATS:
        raise ExportInvalid(_("Unknown report format."))
    export_period_check(year=year, month=month, now=now)
    as_of = data_as_of()
    key = export_key(unit, year=year, month=month, fmt=fmt, as_of=as_of)
    existing = ExportJob.objects.filter(dedupe_key=key, state__in=LIVE_STATES).first()
    if existing is not None:
        existing = export_job_heal(existing, now=now)
        if existing.state in LIVE_STATES:
            return existing, False
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                level=unit.level,
                province_code=unit.province_code,
                commune_code=unit.commune_code,
                year=year,
                month=month,
                format=fmt,
                data_as_of=as_of,
                dedupe_key=key,
                requested_by_id=actor.pk if actor.is_authenticated else None,
            )
            audit_record(
                actor=actor,
                action="programs.export.request",
                obj=job,
                after={"unit": unit.slug, "year": year, "month": month, "format": fmt},
            )
            pending = enqueue_on_commit(export_run, str(job.pk))
            transaction.on_commit(lambda: _task_id_record(job.pk, pending))
    except IntegrityError:
        # Another request for the same key won the race: return its job.
        return ExportJob.objects.get(dedupe_key=key, state__in=LIVE_STATES), False
    return job, True


def _task_id_record(job_id: UUID, pending: PendingTask[str]) -> None:
    """Keep the task's id on the job (runs after the enqueue, on commit)."""
    if pending.result is not None:
        ExportJob.objects.filter(pk=job_id).update(task_id=str(pending.result.id))


def export_job_heal(job: ExportJob, *, now: datetime | None = None) -> ExportJob:
    """Mark a waiting or running job failed when its task failed or is gone.

    A task whose worker died too often is marked failed by the worker's
    recovery, and pruned task rows disappear: without this the job would wait
    for ever and every new request would be answered with it.
    """
    if job.state not in (ExportState.PENDING, ExportState.RUNNING) or not job.task_id:
        return job
    try:
        lost = export_run.get_result(job.task_id).status == TaskResultStatus.FAILED
    except TaskResultDoesNotExist:
        lost = True
    if lost:
        ExportJob.objects.filter(pk=job.pk, state=job.state).update(
            state=ExportState.FAILED,
            error="TaskLost",
            finished_at=now or timezone.now(),
        )
        job.refresh_from_db()
    return job


def job_unit(job: ExportJob) -> UnitRef:
    return UnitRef(job.level, job.province_code, job.commune_code)


def _progress(job_id: UUID, done: int, total: int) -> None:
    percent = min(99, done * 100 // total) if total else 99
    # Its own autocommit update: a page polling the row sees it at once.
    ExportJob.objects.filter(pk=job_id, progress__lt=percent).update(progress=percent)


def export_build(
    *, job_id: UUID | str, now: datetime | None = None
) -> ExportJob | None:
    """Build the job's file, reporting progress on the row (idempotent).

    A job that is done (or gone) is returned unchanged, so a task that runs
    again after a lost worker does not build twice. A failure is recorded on
    the job (state failed, the error's class) and re-raised.
    """
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or job.state in (ExportState.DONE, ExportState.EXPIRED):
        return job
    ExportJob.objects.filter(pk=job.pk).update(
        state=ExportState.RUNNING, progress=0, error=""
    )
    unit = job_unit(job)
    job_pk = job.pk

    def progress(done: int, total: int) -> None:
        _progress(job_pk, done, total)

    with override(settings.LANGUAGE_CODE):
        report = reports.report_for(
            unit, year=job.year, month=job.month, as_of=job.data_as_of
        )
        try:
            if job.format == ExportFormat.XLSX:
                buffer = io.BytesIO()
                reports.report_xlsx(report, buffer, progress=progress)
                content = buffer.getvalue()
            else:
                # Reading the figures is the first half; WeasyPrint's layout
                # (most of the time for a province) the second, unreported.
                content = reports.report_pdf(
                    report, progress=lambda done, total: progress(done, 2 * total)
                )
        except Exception as exc:
            ExportJob.objects.filter(pk=job.pk).update(
                state=ExportState.FAILED,
                error=type(exc).__name__,
                finished_at=timezone.now(),
            )
            log.exception("export %s failed", job.pk)
            raise
    finished = now or timezone.now()
    name = f"bao-cao-{unit.slug}-{job.year}-{job.month:02d}.{job.format}"
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        if job.state == ExportState.DONE:
            return job
        job.file.save(name, ContentFile(content), save=False)
        job.state = ExportState.DONE
        job.progress = 100
        job.finished_at = finished
        job.expires_at = finished + timedelta(days=settings.HOCVUSO_EXPORT_KEEP_DAYS)
        job.save()
        audit_record(
            actor=None,
            action="programs.export.done",
            obj=job,
            after={"size": len(content)},
        )
    return job


def exports_cleanup(*, now: datetime | None = None) -> int:
    """Delete the files of jobs past their expiry; return how many expired.

    Failed jobs older than the keep period are expired too, so a request can
    start over. Rerunnable: expired jobs are not touched again.
    """
    moment = now or timezone.now()
    keep = timedelta(days=settings.HOCVUSO_EXPORT_KEEP_DAYS)
    count = 0
    due = ExportJob.objects.filter(
        state=ExportState.DONE, expires_at__lte=moment
    ) | ExportJob.objects.filter(
        state=ExportState.FAILED, created_at__lte=moment - keep
    )
    for job in due.iterator():
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(state=ExportState.EXPIRED, file="")
        count += 1
    return count
