"""Attendance pages: the rotating check-in QR, scanning, lists, the learner's card."""

from __future__ import annotations

from datetime import datetime, timedelta

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from hocvuso.community.attendance import (
    STEP_SECONDS,
    attendance_checkin,
    attendance_code_get_or_create,
    attendance_record_by_code,
    checkin_step,
    checkin_token,
    checkin_token_check,
    format_code,
)
from hocvuso.community.attendance_export import attendance_workbook
from hocvuso.community.event_access import event_can_scan
from hocvuso.community.event_errors import EventError, EventNotAllowed
from hocvuso.community.event_forms import ScanForm
from hocvuso.community.event_selectors import (
    event_attendances,
    event_get_for_attendance,
    event_get_for_manage,
    event_get_visible,
    event_registrations,
)
from hocvuso.community.event_views import shows_event_errors, user_of

# A scan checked before signing in stays good this long (the sign-in page
# may take a while on a slow phone).
GRANT_TTL = timedelta(minutes=15)


def _qr_context(request: HttpRequest, event_id: str) -> dict[str, object]:
    now = timezone.now()
    token = checkin_token(event_id, now=now)
    url = request.build_absolute_uri(
        reverse("community:checkin", args=[event_id]) + f"?t={token}"
    )
    next_step_at = (checkin_step(now) + 1) * STEP_SECONDS
    return {
        "url": url,
        "token": token,
        "qr": segno.make(url, error="m").svg_data_uri(scale=8, border=2),
        "seconds_left": max(1, int(next_step_at - now.timestamp())),
    }


@login_required
@never_cache
@require_GET
@shows_event_errors
def checkin_screen(request: HttpRequest, event_id: str) -> HttpResponse:
    """Show the event's rotating QR code to scan at the door."""
    event = event_get_for_manage(user=request.user, event_id=event_id)
    context = {"event": event, **_qr_context(request, str(event.pk))}
    return render(request, "community/events/checkin_screen.html", context)


@login_required
@never_cache
@require_GET
@shows_event_errors
def checkin_qr(request: HttpRequest, event_id: str) -> HttpResponse:
    """Return the current QR code (HTMX partial, polled by the screen)."""
    event = event_get_for_manage(user=request.user, event_id=event_id)
    context = {"event": event, **_qr_context(request, str(event.pk))}
    return render(request, "community/events/partials/checkin_qr.html", context)


def _grant_key(event_id: str) -> str:
    return f"checkin_scan:{event_id}"


@never_cache
@require_GET
def checkin(request: HttpRequest, event_id: str) -> HttpResponse:
    """Record the signed-in person from the screen's QR code (``?t=``)."""
    token = request.GET.get("t", "")[:80]
    now = timezone.now()
    try:
        if not request.user.is_authenticated:
            # Check now, remember the time of the scan, sign in, come back.
            checkin_token_check(event_id, token, now=now)
            request.session[_grant_key(event_id)] = [token, now.isoformat()]
            return redirect_to_login(request.get_full_path())
        scanned_at = now
        grant = request.session.get(_grant_key(event_id))
        if grant and grant[0] == token:
            seen = datetime.fromisoformat(grant[1])
            if now - seen <= GRANT_TTL:
                scanned_at = seen
        outcome = attendance_checkin(
            actor=user_of(request), event_id=event_id, token=token, now=scanned_at
        )
        request.session.pop(_grant_key(event_id), None)
    except EventError as exc:
        return render(
            request,
            "community/events/checkin_done.html",
            {"ok": False, "message": exc.message},
            status=exc.status,
        )
    event = outcome.attendance.event
    return render(
        request,
        "community/events/checkin_done.html",
        {
            "ok": True,
            "created": outcome.created,
            "event": event,
            "attendance": outcome.attendance,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@shows_event_errors
def scan(request: HttpRequest, event_id: str) -> HttpResponse:
    """Let a helper scan (or type) learners' attendance codes."""
    user = user_of(request)
    event = event_get_visible(user=user, event_id=event_id)
    if not event_can_scan(user, event):
        raise EventNotAllowed(_("You may not record attendance at this event."))
    form = ScanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = attendance_record_by_code(
                actor=user,
                event_id=event.pk,
                code=form.cleaned_data["code"],
                typed=not form.cleaned_data.get("scanned"),
            )
        except EventError as exc:
            form.add_error("code", exc.message)
        else:
            name = outcome.person.full_name or outcome.person.get_short_name()
            if outcome.created:
                messages.success(request, _("%(name)s is checked in.") % {"name": name})
            else:
                messages.info(
                    request, _("%(name)s is already checked in.") % {"name": name}
                )
            form = ScanForm()
    count = event.attendances.count()
    return render(
        request,
        "community/events/scan.html",
        {"event": event, "form": form, "count": count},
    )


@login_required
@require_GET
@shows_event_errors
def attendance_list(request: HttpRequest, event_id: str) -> HttpResponse:
    event = event_get_for_attendance(user=request.user, event_id=event_id)
    attendances = list(event_attendances(event=event))
    return render(
        request,
        "community/events/attendance.html",
        {
            "event": event,
            "attendances": attendances,
            "registrations": list(event_registrations(event=event)),
            "walk_ins": sum(1 for a in attendances if not a.was_registered),
        },
    )


@login_required
@require_GET
@shows_event_errors
def attendance_xlsx(request: HttpRequest, event_id: str) -> HttpResponse:
    event = event_get_for_attendance(user=request.user, event_id=event_id)
    response = HttpResponse(
        attendance_workbook(event=event),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime(event.starts_at).strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="diem-danh-{stamp}-{str(event.pk)[:8]}.xlsx"'
    )
    return response


@login_required
@never_cache
@require_GET
def my_code(request: HttpRequest) -> HttpResponse:
    """Show the learner's attendance code as text and QR code."""
    card = attendance_code_get_or_create(user=user_of(request))
    if request.GET.get("new"):
        messages.info(request, _("Show this code to the helper at the event."))
    return render(
        request,
        "community/events/my_code.html",
        {
            "code": format_code(card.code),
            "qr": segno.make(card.code, error="m").svg_data_uri(scale=10, border=2),
        },
    )
