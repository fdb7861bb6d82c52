"""URLs of events and attendance, included by ``community/urls.py``."""

from __future__ import annotations

from django.urls import URLPattern, path

from hocvuso.community import attendance_views as av
from hocvuso.community import event_views as ev

urlpatterns: list[URLPattern] = [
    path("events/", ev.event_list, name="events"),
    path("events/calendar.ics", ev.events_calendar, name="events_ics"),
    path("events/mine/", ev.my_events, name="my_events"),
    path("events/manage/", ev.manage, name="events_manage"),
    path("events/new/", ev.event_new, name="event_new"),
    path("events/festival/", ev.festival_create, name="festival_create"),
    path("events/<uuid:event_id>/", ev.event_detail, name="event"),
    path("events/<uuid:event_id>/event.ics", ev.event_ics, name="event_ics"),
    path("events/<uuid:event_id>/edit/", ev.event_edit, name="event_edit"),
    path(
        "events/<uuid:event_id>/publish/", ev.event_publish_view, name="event_publish"
    ),
    path("events/<uuid:event_id>/cancel/", ev.event_cancel_view, name="event_cancel"),
    path("events/<uuid:event_id>/register/", ev.event_register, name="event_register"),
    path(
        "events/<uuid:event_id>/unregister/",
        ev.event_unregister,
        name="event_unregister",
    ),
    path("events/<uuid:event_id>/screen/", av.checkin_screen, name="checkin_screen"),
    path("events/<uuid:event_id>/screen/qr/", av.checkin_qr, name="checkin_qr"),
    path("events/<uuid:event_id>/checkin", av.checkin, name="checkin"),
    path("events/<uuid:event_id>/scan/", av.scan, name="scan"),
    path("events/<uuid:event_id>/attendance/", av.attendance_list, name="attendance"),
    path(
        "events/<uuid:event_id>/attendance.xlsx",
        av.attendance_xlsx,
        name="attendance_xlsx",
    ),
    path("me/attendance-code/", av.my_code, name="my_code"),
]
