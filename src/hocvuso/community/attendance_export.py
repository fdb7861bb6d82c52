"""The attendance list of an event as an Excel workbook."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from hocvuso.community.event_selectors import event_attendances
from hocvuso.community.festival import VIETNAM
from hocvuso.community.models import Event


def attendance_workbook(*, event: Event) -> bytes:
    """Return the .xlsx of who came (names as registered), walk-ins marked.

    The caller has checked that the reader may see names
    (``event_get_for_attendance``).
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Attendance")[:31]
    start = timezone.localtime(event.starts_at, VIETNAM)
    ws.append([event.title])
    ws.append([f"{event.venue} — {start:%d/%m/%Y %H:%M}"])
    ws.append([])
    header = [
        _("No."),
        _("Full name"),
        _("Registered beforehand"),
        _("How"),
        _("Checked in at"),
    ]
    ws.append(header)
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for n, att in enumerate(event_attendances(event=event), start=1):
        ws.append(
            [
                n,
                att.user.full_name or att.user.get_short_name(),
                _("Yes") if att.was_registered else _("No (walk-in)"),
                att.get_method_display(),
                timezone.localtime(att.checked_in_at, VIETNAM).replace(tzinfo=None),
            ]
        )
        ws.cell(row=ws.max_row, column=5).number_format = "dd/mm/yyyy hh:mm:ss"
    for col, width in zip("ABCDE", (6, 32, 22, 30, 20), strict=True):
        ws.column_dimensions[col].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
