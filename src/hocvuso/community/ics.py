"""iCalendar (RFC 5545) files of events, written with the ``icalendar`` package."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar
from icalendar import Event as VEvent

from hocvuso.community.models import Event, EventStatus

PRODID = "-//hocvuso//Binh dan hoc vu so//VI"


def _vevent(event: Event, *, url: str, stamp: datetime) -> VEvent:
    item = VEvent()
    item.add("uid", f"{event.pk}@hocvuso")
    item.add("dtstamp", stamp.astimezone(UTC))
    item.add("dtstart", event.starts_at.astimezone(UTC))
    item.add("dtend", event.ends_at.astimezone(UTC))
    item.add("summary", event.title)
    commune = event.commune
    item.add("location", f"{event.venue}, {commune.name}, {commune.province.name}")
    if event.description:
        item.add("description", f"{event.description}\n\n{url}")
    else:
        item.add("description", url)
    item.add("url", url)
    item.add("sequence", int(event.updated_at.timestamp()) // 60 % 100000)
    item.add(
        "status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED"
    )
    return item


def events_ics(
    events: Iterable[tuple[Event, str]], *, name: str, stamp: datetime
) -> bytes:
    """Return a calendar of ``(event, absolute url)`` pairs."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for event, url in events:
        cal.add_component(_vevent(event, url=url, stamp=stamp))
    return bytes(cal.to_ical())
