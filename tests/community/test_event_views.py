"""Event pages: the public list and its filters, .ics files, organisers' forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from icalendar import Calendar
from tests.community.conftest import HOME, OTHER, event_data
from tests.factories import commune

from hocvuso.accounts.models import User
from hocvuso.community.events import event_create, event_publish
from hocvuso.community.models import Event, EventKind, EventStatus

pytestmark = pytest.mark.django_db


def test_public_list_filters_by_province_commune_and_kind(
    client: Client, event: Event, other_officer: User
) -> None:
    far = event_publish(
        actor=other_officer,
        event=event_create(
            actor=other_officer,
            commune=commune(OTHER),
            data=event_data(title="Hội thảo ở Ba Đình", kind=EventKind.SEMINAR),
        ),
    )
    page = client.get("/community/events/").content.decode()
    assert event.title in page and far.title in page
    page = client.get("/community/events/?province=82").content.decode()
    assert event.title in page and far.title not in page
    page = client.get(f"/community/events/?province=82&commune={HOME}").content.decode()
    assert event.title in page
    page = client.get("/community/events/?kind=seminar").content.decode()
    assert far.title in page and event.title not in page
    page = client.get("/community/events/?day_from=2027-03-03").content.decode()
    assert event.title not in page


def test_drafts_stay_hidden_from_the_public(
    client: Client, officer: User, clock: time_machine.Coordinates
) -> None:
    draft = event_create(actor=officer, commune=commune(HOME), data=event_data())
    assert draft.title not in client.get("/community/events/").content.decode()
    assert client.get(f"/community/events/{draft.pk}/").status_code == 404
    client.force_login(officer)
    assert client.get(f"/community/events/{draft.pk}/").status_code == 200


def test_list_is_paginated(
    client: Client, officer: User, clock: time_machine.Coordinates
) -> None:
    for n in range(23):
        event_publish(
            actor=officer,
            event=event_create(
                actor=officer, commune=commune(HOME), data=event_data(title=f"Lớp {n}")
            ),
        )
    first = client.get("/community/events/").content.decode()
    assert "Trang 1 / 2" in first or "1 / 2" in first or "Trang sau" in first
    second = client.get("/community/events/?page=2").content.decode()
    assert second.count("<li>\n    <h2>") == 3


def test_ics_files_parse_and_carry_the_times(client: Client, event: Event) -> None:
    response = client.get(f"/community/events/{event.pk}/event.ics")
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    (item,) = cal.walk("VEVENT")
    assert item["SUMMARY"] == event.title
    assert item.decoded("DTSTART") == event.starts_at
    assert item.decoded("DTEND") == event.ends_at
    assert str(event.pk) in str(item["UID"])
    assert "Mỹ An Hưng" in str(item["LOCATION"])
    lines = response.content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)  # RFC 5545 line folding
    listing = client.get(f"/community/events/calendar.ics?commune={HOME}")
    assert len(Calendar.from_ical(listing.content).walk("VEVENT")) == 1


def test_other_communes_officer_gets_403_on_edit_and_publish(
    client: Client, event: Event, other_officer: User
) -> None:
    client.force_login(other_officer)
    edit = client.post(
        f"/community/events/{event.pk}/edit/",
        {"title": "Bị sửa", "kind": "class", "venue": "x", "capacity": 5},
    )
    assert edit.status_code == 403
    assert "xã khác" in edit.content.decode()
    cancel = client.post(f"/community/events/{event.pk}/cancel/", {"notice": "x"})
    assert cancel.status_code == 403
    assert client.get(f"/community/events/{event.pk}/screen/").status_code == 403
    event.refresh_from_db()
    assert event.title != "Bị sửa" and event.status == EventStatus.PUBLISHED


def test_officer_form_refuses_zero_places_with_a_message(
    client: Client, officer: User, clock: time_machine.Coordinates
) -> None:
    client.force_login(officer)
    data = event_data()
    response = client.post(
        "/community/events/new/",
        {
            "commune": HOME,
            "kind": "class",
            "title": "Lớp",
            "venue": "Nhà văn hoá",
            "starts_at": "2027-03-05T08:00",
            "ends_at": "2027-03-05T07:00",
            "capacity": 0,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Số chỗ phải ít nhất là 1." in page
    assert not Event.objects.exists()
    assert data.capacity == 2


def test_register_for_a_cancelled_event_by_post_gets_a_message(
    client: Client, event: Event, officer: User, learners: list[User]
) -> None:
    from hocvuso.community.events import event_cancel

    event_cancel(actor=officer, event=event, notice="Hoãn")
    client.force_login(learners[0])
    response = client.post(f"/community/events/{event.pk}/register/")
    assert response.status_code == 409
    assert "đã bị hủy" in response.content.decode()


def test_festival_form_creates_drafts(
    client: Client, officer: User, clock: time_machine.Coordinates
) -> None:
    client.force_login(officer)
    for _ in range(2):
        response = client.post(
            "/community/events/festival/", {"commune": HOME, "year": 2027}
        )
        assert response.status_code == 302
    assert Event.objects.filter(status=EventStatus.DRAFT).count() == 6
    page = client.get("/community/events/manage/").content.decode()
    assert "Khai mạc Ngày hội Bình dân học vụ số" in page
    assert (
        timedelta(0) < Event.objects.first().ends_at - Event.objects.first().starts_at
    )  # type: ignore[union-attr]


def test_public_list_reads_in_a_fixed_number_of_queries(
    client: Client,
    officer: User,
    clock: time_machine.Coordinates,
    django_assert_max_num_queries: object,
) -> None:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    for n in range(5):
        event_publish(
            actor=officer,
            event=event_create(
                actor=officer, commune=commune(HOME), data=event_data(title=f"Lớp {n}")
            ),
        )
    assert callable(django_assert_max_num_queries)
    counter: Callable[[int], AbstractContextManager[object]] = (
        django_assert_max_num_queries
    )
    # The chosen province, count, page (places annotated), the two filter lists.
    with counter(5):
        client.get("/community/events/?province=82")
