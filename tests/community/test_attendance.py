"""Attendance: the rotating token, check-in by QR, helpers' scans, Excel, tallies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from random import Random

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from tests.community.conftest import HOME, OTHER
from tests.factories import learner_in, user_with_role

from hocvuso.accounts.models import Role, User
from hocvuso.community.attendance import (
    STEP_SECONDS,
    attendance_checkin,
    attendance_code_get_or_create,
    attendance_record_by_code,
    checkin_token,
    checkin_token_check,
)
from hocvuso.community.event_errors import (
    AttendanceCodeUnknown,
    CheckinTokenInvalid,
    EventNotAllowed,
)
from hocvuso.community.event_selectors import event_attendance_tallies
from hocvuso.community.models import Attendance, AttendanceMethod, Event
from hocvuso.community.registrations import registration_create

pytestmark = pytest.mark.django_db


def test_token_lives_for_its_step_and_the_next_only(
    event: Event, clock: time_machine.Coordinates
) -> None:
    token = checkin_token(event.pk)
    checkin_token_check(event.pk, token)
    clock.shift(STEP_SECONDS)
    checkin_token_check(event.pk, token)  # the previous step is still fine
    clock.shift(STEP_SECONDS)
    with pytest.raises(CheckinTokenInvalid, match="hết hạn"):
        checkin_token_check(event.pk, token)


def test_forged_or_other_events_tokens_are_refused(
    event: Event, clock: time_machine.Coordinates
) -> None:
    token = checkin_token(event.pk)
    step, _dot, mac = token.partition(".")
    for bad in ["", "abc", f"{step}.{'0' * len(mac)}", checkin_token("00000000")]:
        with pytest.raises(CheckinTokenInvalid, match="không phải"):
            checkin_token_check(event.pk, bad)


def test_checkin_records_once_and_marks_walk_ins(
    event: Event, learners: list[User], clock: time_machine.Coordinates
) -> None:
    registered, walk_in = learners[:2]
    registration_create(actor=registered, event_id=event.pk)
    token = checkin_token(event.pk)
    first = attendance_checkin(actor=registered, event_id=event.pk, token=token)
    again = attendance_checkin(actor=registered, event_id=event.pk, token=token)
    assert first.created and not again.created
    assert first.attendance.pk == again.attendance.pk
    walk = attendance_checkin(actor=walk_in, event_id=event.pk, token=token)
    assert walk.created and not walk.attendance.was_registered
    assert first.attendance.was_registered
    assert Attendance.objects.filter(event=event).count() == 2


def test_checkin_page_signs_in_first_then_records_the_scan(
    client: Client, event: Event, learners: list[User], clock: time_machine.Coordinates
) -> None:
    url = f"/community/events/{event.pk}/checkin?t={checkin_token(event.pk)}"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    clock.shift(5 * 60)  # a slow sign-in: the token itself has expired
    client.force_login(learners[0])
    page = client.get(url)
    assert page.status_code == 200
    assert "Bạn đã điểm danh" in page.content.decode()
    att = Attendance.objects.get(event=event, user=learners[0])
    assert att.checked_in_at == datetime(2027, 3, 2, 1, 0, 5, tzinfo=UTC)
    second = client.get(url)
    assert second.status_code == 400  # no grant left, the token is stale
    fresh = client.get(
        f"/community/events/{event.pk}/checkin?t={checkin_token(event.pk)}"
    )
    assert "đã điểm danh" in fresh.content.decode()
    assert Attendance.objects.filter(event=event).count() == 1


def test_stale_token_page_says_so_in_vietnamese(
    client: Client, event: Event, learners: list[User], clock: time_machine.Coordinates
) -> None:
    token = checkin_token(event.pk)
    clock.shift(2 * STEP_SECONDS)
    client.force_login(learners[0])
    page = client.get(f"/community/events/{event.pk}/checkin?t={token}")
    assert page.status_code == 400
    assert "hết hạn" in page.content.decode()
    assert not Attendance.objects.exists()


def test_helper_scans_a_card_once(
    client: Client, event: Event, learners: list[User]
) -> None:
    helper = user_with_role(Role.COMMUNITY_HELPER, commune_code=HOME)
    card = attendance_code_get_or_create(user=learners[0], rng=Random(7))
    assert attendance_code_get_or_create(user=learners[0]).code == card.code
    typed = f"{card.code[:4].lower()}-{card.code[4:]}"
    out = attendance_record_by_code(
        actor=helper, event_id=event.pk, code=typed, typed=True
    )
    assert out.created and out.attendance.method == AttendanceMethod.HELPER_TYPED
    again = attendance_record_by_code(
        actor=helper, event_id=event.pk, code=card.code, typed=False
    )
    assert not again.created
    with pytest.raises(AttendanceCodeUnknown):
        attendance_record_by_code(
            actor=helper, event_id=event.pk, code="ZZZZZZZZ", typed=True
        )
    far = user_with_role(Role.COMMUNITY_HELPER, commune_code=OTHER)
    with pytest.raises(EventNotAllowed):
        attendance_record_by_code(
            actor=far, event_id=event.pk, code=card.code, typed=True
        )
    client.force_login(helper)
    page = client.post(f"/community/events/{event.pk}/scan/", {"code": card.code})
    assert "đã điểm danh rồi" in page.content.decode()
    assert Attendance.objects.count() == 1


def test_excel_export_lists_names_for_the_officer_only(
    client: Client,
    event: Event,
    officer: User,
    other_officer: User,
    learners: list[User],
    clock: time_machine.Coordinates,
) -> None:
    registration_create(actor=learners[0], event_id=event.pk)
    token = checkin_token(event.pk)
    attendance_checkin(actor=learners[0], event_id=event.pk, token=token)
    clock.shift(60)
    attendance_checkin(
        actor=learners[1], event_id=event.pk, token=checkin_token(event.pk)
    )
    url = f"/community/events/{event.pk}/attendance.xlsx"
    client.force_login(other_officer)
    refused = client.get(url)
    assert refused.status_code == 403
    assert "xã khác" in refused.content.decode()
    assert client.get(f"/community/events/{event.pk}/attendance/").status_code == 403
    province = user_with_role(Role.PROVINCE_OFFICER, province_code=82)
    client.force_login(province)
    assert client.get(url).status_code == 200
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.content)).active
    assert ws is not None
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert [r[1] for r in rows] == [learners[0].full_name, learners[1].full_name]
    assert rows[0][2] == "Có" and rows[1][2] == "Không (đến không đăng ký)"
    local = timezone.localtime(datetime(2027, 3, 2, 1, 0, 5, tzinfo=UTC))
    assert rows[0][4] == local.replace(tzinfo=None)


def test_tallies_count_attendance_per_commune_and_kind(
    event: Event, learners: list[User], clock: time_machine.Coordinates
) -> None:
    registration_create(actor=learners[0], event_id=event.pk)
    token = checkin_token(event.pk)
    for learner in learners[:3]:
        attendance_checkin(actor=learner, event_id=event.pk, token=token)
    start = datetime(2027, 3, 1, tzinfo=UTC)
    end = start + timedelta(days=7)
    tallies = event_attendance_tallies(commune_codes=[HOME], start=start, end=end)
    assert len(tallies) == 1
    t = tallies[0]
    assert (t.commune_code, t.kind, t.events, t.attendances, t.walk_ins) == (
        HOME,
        "class",
        1,
        3,
        2,
    )
    assert t.registered == 1
    assert event_attendance_tallies(province_code=82, start=start, end=end) == tallies
    assert event_attendance_tallies(province_code=1, start=start, end=end) == []
    assert event_attendance_tallies(start=end, end=end + timedelta(days=1)) == []


def test_my_code_page_shows_text_and_qr(client: Client) -> None:
    learner = learner_in(HOME)
    client.force_login(learner)
    page = client.get("/community/me/attendance-code/").content.decode()
    code = attendance_code_get_or_create(user=learner).code
    assert f"{code[:4]}-{code[4:]}" in page
    assert "data:image/svg+xml" in page


def test_checkin_refuses_drafts_cancelled_and_out_of_hours_events(
    event: Event, officer: User, learners: list[User], clock: time_machine.Coordinates
) -> None:
    from hocvuso.community.event_errors import EventClosed
    from hocvuso.community.events import event_cancel

    clock.shift(timedelta(hours=5))  # ended 3 h ago: closed
    with pytest.raises(EventClosed, match="đã đóng điểm danh"):
        attendance_checkin(
            actor=learners[0], event_id=event.pk, token=checkin_token(event.pk)
        )
    clock.shift(timedelta(hours=-5))
    event_cancel(actor=officer, event=event, notice="Hoãn")
    with pytest.raises(EventClosed, match="đã bị hủy"):
        attendance_checkin(
            actor=learners[0], event_id=event.pk, token=checkin_token(event.pk)
        )
    assert not Attendance.objects.exists()
