"""An officer runs the festival; learners register, check in by QR from two phones.

The officer creates the 10 October programme from the preset, moves one event
to today and publishes it; one learner lands on the waiting list and is
promoted when the other cancels; both phones open the URL of the check-in
screen's QR code; a token older than the window is refused; the attendance
is exported to Excel and read back; another commune's officer is refused.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
import segno
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Browser, BrowserContext, Page, expect
from tests.e2e.conftest import axe_violations, screenshot
from tests.factories import PASSWORD, commune, learner_in, user_with_role

from hocvuso.accounts.models import Role, User
from hocvuso.community.attendance import STEP_SECONDS, checkin_token
from hocvuso.community.events import EventData, event_create, event_publish
from hocvuso.community.models import Attendance, Event, EventKind, EventRegistration

pytestmark = pytest.mark.e2e

HOME = 30178
OTHER = 4


def _phone(browser: Browser, *, bypass_csp: bool = False) -> BrowserContext:
    """A 360 px phone; ``bypass_csp`` lets axe-core be injected."""
    return browser.new_context(
        bypass_csp=bypass_csp,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
    )


def _sign_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Xin chào", exact=False)).to_be_visible()


def test_festival_registration_waiting_list_qr_checkin_and_export(
    browser: Browser, live_server: Any, reference_data: None
) -> None:
    base = live_server.url
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=HOME)
    stranger = user_with_role(Role.COMMUNE_OFFICER, commune_code=OTHER)
    ana, binh = learner_in(HOME), learner_in(HOME)
    year = timezone.localdate().year + 1

    office = _phone(browser)
    page = office.new_page()
    _sign_in(page, base, officer)
    page.goto(f"{base}/community/events/manage/")
    page.get_by_label("Năm").fill(str(year))
    page.get_by_role("button", name="Tạo chương trình Ngày hội").click()
    expect(page.get_by_text("Chương trình Ngày hội có 6 sự kiện")).to_be_visible()
    screenshot(page, "events-manage-festival")

    # Move the VNeID clinic to now, with one place, and publish it.
    page.get_by_role(
        "link", name="Hỗ trợ kích hoạt tài khoản định danh điện tử VNeID mức 2"
    ).click()
    page.get_by_role("link", name="Sửa").click()
    now = timezone.localtime()
    page.get_by_label("Bắt đầu lúc").fill(
        (now - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Kết thúc lúc").fill(
        (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Số chỗ").fill("1")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu sự kiện.")).to_be_visible()
    page.get_by_role("button", name="Đăng", exact=True).click()
    expect(page.get_by_text("Đã đăng sự kiện")).to_be_visible()
    event = Event.objects.get(title__contains="VNeID", commune_id=HOME)
    event_url = f"{base}/community/events/{event.pk}/"

    # Two learners on two phones: one place, so Bình waits, then is promoted.
    phones = [_phone(browser), _phone(browser)]
    ana_page, binh_page = (c.new_page() for c in phones)
    _sign_in(ana_page, base, ana)
    _sign_in(binh_page, base, binh)
    ana_page.goto(f"{base}/community/events/?province=82&commune={HOME}")
    ana_page.get_by_role("link", name=event.title).click()
    screenshot(ana_page, "events-detail-phone")
    ana_page.get_by_role("button", name="Đăng ký").click()
    expect(ana_page.get_by_text("Bạn đã có chỗ.")).to_be_visible()
    binh_page.goto(event_url)
    binh_page.get_by_role("button", name="Vào danh sách chờ").click()
    expect(binh_page.get_by_text("Bạn đang trong danh sách chờ")).to_be_visible()
    screenshot(binh_page, "events-waiting-list")
    ana_page.get_by_role("button", name="Hủy đăng ký của tôi").click()
    expect(ana_page.get_by_text("Đã hủy đăng ký của bạn.")).to_be_visible()
    binh_page.goto(event_url)
    expect(binh_page.get_by_text("Bạn đã có chỗ.")).to_be_visible()
    assert EventRegistration.objects.get(event=event, user=binh).status == "registered"

    # The check-in screen's QR code, opened by both phones.
    page.goto(event_url)
    page.get_by_role("link", name="Hiện mã QR điểm danh").click()
    qr = page.locator("#checkin-qr")
    expect(qr.locator("img")).to_be_visible()
    screenshot(page, "events-checkin-screen")
    url = qr.get_attribute("data-checkin-url")
    assert url and url.startswith(f"{base}/community/events/{event.pk}/checkin?t=")
    # The image is the QR code of that very URL.
    src = qr.locator("img").get_attribute("src")
    assert src == segno.make(url, error="m").svg_data_uri(scale=8, border=2)
    for phone_page in (ana_page, binh_page):
        phone_page.goto(url)
        expect(
            phone_page.get_by_role("heading", name="Bạn đã điểm danh xong")
        ).to_be_visible()
    screenshot(binh_page, "events-checked-in")
    ana_page.goto(url)
    expect(ana_page.get_by_role("heading", name="Bạn đã điểm danh rồi")).to_be_visible()

    # A token from two steps ago (a photo passed on) is refused.
    old = checkin_token(
        event.pk, now=timezone.now() - timedelta(seconds=2 * STEP_SECONDS)
    )
    binh_page.goto(f"{base}/community/events/{event.pk}/checkin?t={old}")
    expect(binh_page.get_by_text("Mã QR này đã hết hạn")).to_be_visible()
    screenshot(binh_page, "events-checkin-expired")
    rows = Attendance.objects.filter(event=event)
    assert rows.count() == 2
    assert {a.user_id: a.was_registered for a in rows} == {ana.pk: False, binh.pk: True}

    # The HTMX poll swaps in a new code without reloading the page.
    page.wait_for_function(
        "old => document.querySelector('#checkin-qr').dataset.token !== old",
        arg=qr.get_attribute("data-token"),
        timeout=(STEP_SECONDS + 10) * 1000,
    )

    # Export to Excel and read it back.
    page.goto(f"{event_url}attendance/")
    screenshot(page, "events-attendance")
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải về tệp Excel").click()
    data = BytesIO(open(info.value.path(), "rb").read())  # noqa: SIM115
    ws = load_workbook(data).active
    assert ws is not None
    names = [r[1] for r in ws.iter_rows(min_row=5, values_only=True)]
    assert sorted(names) == sorted([ana.full_name, binh.full_name])

    # Another commune's officer sees neither the export nor the edit form.
    other = _phone(browser)
    other_page = other.new_page()
    _sign_in(other_page, base, stranger)
    response = other_page.goto(f"{event_url}edit/")
    assert response is not None and response.status == 403
    expect(other_page.get_by_text("Sự kiện này thuộc xã khác")).to_be_visible()
    response = other_page.request.get(f"{event_url}attendance.xlsx")
    assert response.status == 403
    for context in (office, *phones, other):
        context.close()


def test_helper_scans_a_learners_card_and_pages_pass_axe(
    browser: Browser, live_server: Any, reference_data: None, axe_script: str
) -> None:
    base = live_server.url
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=HOME)
    helper = user_with_role(Role.COMMUNITY_HELPER, commune_code=HOME)
    learner = learner_in(HOME)
    now = timezone.now()
    event = event_publish(
        actor=officer,
        event=event_create(
            actor=officer,
            commune=commune(HOME),
            data=EventData(
                kind=EventKind.DEVICE_CLINIC,
                title="Hỗ trợ cài ứng dụng VNeID",
                venue="Nhà văn hoá ấp 3",
                starts_at=now - timedelta(minutes=5),
                ends_at=now + timedelta(hours=1),
                capacity=20,
            ),
        ),
    )

    phone = _phone(browser, bypass_csp=True)
    page = phone.new_page()
    _sign_in(page, base, learner)
    page.goto(f"{base}/accounts/me/")
    page.get_by_role("link", name="Mã điểm danh của tôi").click()
    code = page.locator("[data-attendance-code]").get_attribute("data-attendance-code")
    assert code and len(code) == 9
    screenshot(page, "events-my-code")
    assert axe_violations(page, axe_script) == []
    page.goto(f"{base}/community/events/")
    assert axe_violations(page, axe_script) == []
    page.goto(f"{base}/community/events/{event.pk}/")
    assert axe_violations(page, axe_script) == []

    helper_phone = _phone(browser, bypass_csp=True)
    hp = helper_phone.new_page()
    _sign_in(hp, base, helper)
    hp.goto(f"{base}/community/events/{event.pk}/")
    hp.get_by_role("link", name="Quét thẻ người học").click()
    hp.get_by_label("Mã điểm danh của người học").fill(code.lower())
    hp.get_by_role("button", name="Điểm danh").click()
    expect(hp.get_by_text("đã được điểm danh")).to_be_visible()
    screenshot(hp, "events-helper-scan")
    assert axe_violations(hp, axe_script) == []
    hp.get_by_label("Mã điểm danh của người học").fill(code)
    hp.get_by_role("button", name="Điểm danh").click()
    expect(hp.get_by_text("đã điểm danh rồi")).to_be_visible()
    hp.get_by_label("Mã điểm danh của người học").fill("ZZZZ-ZZZZ")
    hp.get_by_role("button", name="Điểm danh").click()
    expect(hp.get_by_text("Không có ai có mã điểm danh này")).to_be_visible()
    (att,) = Attendance.objects.filter(event=event)
    assert att.user_id == learner.pk and att.method == "helper_typed"
    assert att.recorded_by_id == helper.pk
    phone.close()
    helper_phone.close()
