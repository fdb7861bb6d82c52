"""Report pages: choose a period, request an Excel/PDF export, follow it, download.

CSV is streamed at once (it needs no layout, so even the nation's communes
start arriving immediately); Excel and PDF are built by a background task
whose job page shows a progress bar (HTMX polling, a meta refresh without
JavaScript) and then the download link.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hocvuso.programs import reports
from hocvuso.programs.access import (
    UnitRef,
    unit_for_request,
    unit_name,
    units_for_user,
)
from hocvuso.programs.export_selectors import (
    export_job_get_for_user,
    export_job_unit,
    export_jobs_for_unit,
)
from hocvuso.programs.export_services import (
    ExportInvalid,
    export_job_heal,
    export_period_check,
    export_request,
)
from hocvuso.programs.figures import data_as_of
from hocvuso.programs.models import ExportFormat, ExportState


def _period(request: HttpRequest, data: Any) -> tuple[int, int]:
    now = timezone.localtime()
    try:
        year = int(data.get("year") or now.year)
        month = int(data.get("month") or now.month)
    except ValueError:
        raise ExportInvalid(_("The year and month must be whole numbers.")) from None
    export_period_check(year=year, month=month)
    return year, month


@login_required
@require_GET
def reports_home(request: HttpRequest) -> HttpResponse:
    """Send the person to the reports of the widest unit they steer."""
    units = units_for_user(request.user)
    if not units:
        raise PermissionDenied(_("You do not steer any unit."))
    return redirect("programs:reports", unit=units[0].slug)


def _page(
    request: HttpRequest,
    unit: UnitRef,
    *,
    year: int,
    month: int,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.localtime()
    return render(
        request,
        "programs/reports.html",
        {
            "unit": unit,
            "unit_name": unit_name(unit),
            "year": year,
            "month": month,
            "years": list(range(now.year + 1, 2023, -1)),
            "months": list(range(1, 13)),
            "jobs": list(export_jobs_for_unit(unit)),
            "data_as_of": data_as_of(),
            "error": error,
            "formats": [
                (ExportFormat.XLSX.value, _("Excel report")),
                (ExportFormat.PDF.value, _("PDF report")),
            ],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reports_page(request: HttpRequest, unit: str) -> HttpResponse:
    """Show the unit's report choices; POST requests an export (idempotent)."""
    ref = unit_for_request(request, unit)
    now = timezone.localtime()
    data = request.POST if request.method == "POST" else request.GET
    try:
        year, month = _period(request, data)
    except ExportInvalid as exc:
        return _page(
            request, ref, year=now.year, month=now.month, error=exc.message, status=400
        )
    if request.method == "GET":
        return _page(request, ref, year=year, month=month)
    try:
        job, _created = export_request(
            actor=request.user,
            unit=ref,
            year=year,
            month=month,
            fmt=request.POST.get("format", ""),
        )
    except ExportInvalid as exc:
        return _page(
            request, ref, year=year, month=month, error=exc.message, status=400
        )
    return redirect("programs:export_job", job_id=job.pk)


def _job_context(request: HttpRequest, job_id: UUID) -> dict[str, Any]:
    job = export_job_heal(export_job_get_for_user(user=request.user, job_id=job_id))
    unit = export_job_unit(job)
    return {
        "job": job,
        "unit": unit,
        "unit_name": unit_name(unit),
        "finished": job.is_finished,
        "done": job.state == ExportState.DONE,
        "failed": job.state == ExportState.FAILED,
        "expired": job.state == ExportState.EXPIRED,
    }


@login_required
@require_GET
def export_job(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """Show an export's progress, then its download link."""
    return render(request, "programs/export_job.html", _job_context(request, job_id))


@login_required
@require_GET
def export_job_status(request: HttpRequest, job_id: UUID) -> HttpResponse:
    """Return the progress fragment the job page polls."""
    return render(
        request, "programs/partials/export_status.html", _job_context(request, job_id)
    )


@login_required
@require_GET
def export_download(request: HttpRequest, job_id: UUID) -> FileResponse:
    """Send the finished file (only to people who steer its unit)."""
    job = export_job_get_for_user(user=request.user, job_id=job_id)
    if job.state != ExportState.DONE or not job.file:
        raise Http404(_("This export is not ready (or has expired)."))
    unit = export_job_unit(job)
    name = f"bao-cao-{unit.slug}-{job.year}-{job.month:02d}.{job.format}"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name)


@login_required
@require_GET
def report_csv(request: HttpRequest, unit: str) -> HttpResponseBase:
    """Stream the unit's figures for the period as CSV (UTF-8 with a BOM)."""
    ref = unit_for_request(request, unit)
    try:
        year, month = _period(request, request.GET)
    except ExportInvalid as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain")
    report = reports.report_for(ref, year=year, month=month)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in reports.report_csv_lines(report)),
        content_type="text/csv; charset=utf-8",
    )
    name = f"bao-cao-{ref.slug}-{year}-{month:02d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
