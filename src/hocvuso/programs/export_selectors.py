"""Reads of report exports, scoped by the units a person steers."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from hocvuso.programs.access import UnitRef, unit_allowed
from hocvuso.programs.models import ExportJob

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def export_job_unit(job: ExportJob) -> UnitRef:
    return UnitRef(job.level, job.province_code, job.commune_code)


def export_job_get_for_user(
    *, user: AbstractBaseUser | AnonymousUser, job_id: UUID | str
) -> ExportJob:
    """Return the job if the person steers its unit (404 unknown, 403 not theirs)."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404(_("No such export."))
    if not unit_allowed(user, export_job_unit(job)):
        raise PermissionDenied(_("You do not steer this unit."))
    return job


def export_jobs_for_unit(unit: UnitRef, *, limit: int = 20) -> QuerySet[ExportJob]:
    """Return the unit's latest export jobs, newest first."""
    return ExportJob.objects.filter(
        level=unit.level,
        province_code=unit.province_code,
        commune_code=unit.commune_code,
    ).order_by("-created_at")[:limit]
