"""Report exports that run in the background (Excel, PDF) and their files.

An :class:`ExportJob` is one request for a unit's report of one period in one
format. The same request made again while a job for the same data (the same
"data as of") is waiting, running or done returns that job: ``dedupe_key``
names the request and a partial unique constraint keeps one live job per key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import BaseModel
from hocvuso.programs.models.core import UnitLevel


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel")
    PDF = "pdf", _("PDF")
    CSV = "csv", _("CSV")


class ExportState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


LIVE_STATES = (ExportState.PENDING, ExportState.RUNNING, ExportState.DONE)


class ExportJob(BaseModel):
    """One requested report file: unit × year × month × format."""

    level = models.CharField(_("level"), max_length=8, choices=UnitLevel.choices)
    province_code = models.PositiveIntegerField(_("province code"), default=0)
    commune_code = models.PositiveIntegerField(_("commune code"), default=0)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    data_as_of = models.DateTimeField(_("data as of"), null=True, blank=True)
    dedupe_key = models.CharField(max_length=120, editable=False)
    state = models.CharField(
        _("state"),
        max_length=8,
        choices=ExportState.choices,
        default=ExportState.PENDING,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="programs/exports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    task_id = models.CharField(max_length=64, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(state__in=["pending", "running", "done"]),
                name="programs_exportjob_one_live",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="programs_exportjob_month",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="programs_exportjob_progress"
            ),
        ]
        indexes = [
            models.Index(fields=["level", "province_code", "commune_code", "year"])
        ]

    def __str__(self) -> str:
        return f"{self.format} {self.dedupe_key} {self.state}"

    @property
    def is_finished(self) -> bool:
        return self.state in (ExportState.DONE, ExportState.FAILED, ExportState.EXPIRED)
