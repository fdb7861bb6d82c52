"""#12, the learner: what a 55-year-old farmer meets on a 390 px phone.

Registration shows its errors at the top with links to the fields, picks the
only matching commune and keeps the typed passwords when "Tìm" is pressed
(with and without JavaScript); after registering the learner lands on a home
with the next steps.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e
PASSWORD = "ruong-lua-2026"
WIDTH, HEIGHT = 390, 844


@pytest.fixture
def phone390(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def default_pack(reference_data: None, tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("content", "import", verbosity=0)


def _in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and 0 <= box["y"] < HEIGHT


def test_registration_errors_search_and_landing_on_a_phone(
    phone390: Page, live_server: Any, default_pack: None
) -> None:
    page = phone390
    page.goto(f"{live_server.url}/accounts/register/?next=/learn/")
    page.get_by_label("Họ và tên").fill("Võ Văn Năm")
    page.get_by_label("Số điện thoại di động hoặc email").fill("0987 222 333")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Tôi là").select_option(label="Nông dân")
    page.get_by_role("button", name="Tạo tài khoản").click()

    # The page comes back at the top, with a summary linking to each error.
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert _in_view(page, ".error-summary")
    screenshot(page, "register-error-summary-390")
    summary.get_by_role("link", name="Xã, phường").click()
    expect(page).to_have_url(
        f"{live_server.url}/accounts/register/?next=/learn/#id_commune"
    )
    expect(page.get_by_label("Xã, phường", exact=True)).to_be_focused()

    # Django empties password boxes on an error; type them again, then search.
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Tìm xã, phường của bạn").fill("my an hung")
    page.get_by_role("button", name="Tìm", exact=True).click()
    commune = page.get_by_label("Xã, phường", exact=True)
    expect(commune).to_have_value("30178")  # the only match is chosen
    expect(page.get_by_label("Mật khẩu", exact=True)).to_have_value(PASSWORD)
    expect(page.get_by_label("Nhập lại mật khẩu")).to_have_value(PASSWORD)
    page.get_by_label("Tôi đã đọc thông báo").check()
    page.get_by_role("button", name="Tạo tài khoản").click()
    # ``next`` survived the failed attempt and the search.
    expect(page).to_have_url(re.compile(r"/learn/(#.*)?$"))

    # The farmer track comes first among the courses.
    first = page.locator("ul.cards li h2").first
    expect(first).to_have_text("Nông dân số")
    screenshot(page, "catalogue-farmer-390")

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Xin chào, Võ Văn Năm")).to_be_visible()
    start = page.get_by_role("link", name="Bắt đầu học", exact=False)
    expect(start).to_be_visible()
    expect(page.get_by_role("link", name="Làm bài đánh giá")).to_be_visible()
    screenshot(page, "learner-home-390")
    start.click()
    page.locator("#course-start").click()
    expect(page.locator("article h1")).to_be_visible()


def test_commune_search_keeps_passwords_without_javascript(
    browser: Browser, live_server: Any, reference_data: None
) -> None:
    context = browser.new_context(
        java_script_enabled=False,
        locale="vi-VN",
        viewport={"width": WIDTH, "height": HEIGHT},
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/register/?next=/learn/")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Tìm xã, phường của bạn").fill("my an hung")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.get_by_label("Xã, phường", exact=True)).to_have_value("30178")
    expect(page.get_by_label("Mật khẩu", exact=True)).to_have_value(PASSWORD)
    expect(page.get_by_label("Nhập lại mật khẩu")).to_have_value(PASSWORD)
    expect(page.locator(".error-summary")).to_have_count(0)
    page.get_by_label("Họ và tên").fill("Trần Thị Sáu")
    page.get_by_label("Số điện thoại di động hoặc email").fill("0987 444 555")
    page.get_by_label("Tôi là").select_option(label="Nông dân")
    page.get_by_label("Tôi đã đọc thông báo").check()
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page).to_have_url(f"{live_server.url}/learn/")
    context.close()


def test_forgotten_password_by_sms_on_a_phone(
    phone390: Page, live_server: Any, reference_data: None, settings: Any
) -> None:
    from tests.factories import learner_in

    from hocvuso.accounts.sms import MemorySender

    settings.HOCVUSO_SMS_SENDER = "hocvuso.accounts.sms.MemorySender"
    MemorySender.outbox.clear()
    learner = learner_in(30178)
    learner.full_name = "Lê Thị Bảy"
    learner.save()
    page = phone390
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Quên mật khẩu?").click()
    expect(page.get_by_role("heading", name="Quên mật khẩu?")).to_be_visible()
    expect(page.get_by_text("mang căn cước")).to_be_visible()  # the in-person way
    screenshot(page, "password-forgot-390")
    page.get_by_label("Số điện thoại di động của bạn").fill(learner.phone)
    page.get_by_role("button", name="Gửi mã cho tôi").click()
    expect(page.get_by_role("heading", name="Đặt mật khẩu mới")).to_be_visible()
    expect(page.get_by_text("đang được gửi đến")).to_be_visible()
    code = re.search(r"\b(\d{6})\b", MemorySender.outbox[-1].text)
    assert code is not None
    expect(page.get_by_label("Số điện thoại hoặc tên đăng nhập của bạn")).to_have_value(
        learner.phone
    )
    page.get_by_label("Mã", exact=True).fill(code.group(1))
    page.get_by_label("Mật khẩu mới", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(PASSWORD)
    screenshot(page, "password-reset-390")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.get_by_role("heading", name="Xin chào, Lê Thị Bảy")).to_be_visible()
    expect(page.get_by_text("Mật khẩu mới đã được lưu")).to_be_visible()
    learner.refresh_from_db()
    assert learner.check_password(PASSWORD)


def test_lost_connection_during_a_test_says_so_and_retries(
    phone390: Page, live_server: Any, default_pack: None
) -> None:
    from tests.factories import PASSWORD as FACTORY_PASSWORD
    from tests.factories import learner_in

    from hocvuso.assessment.models import Response

    page, base = phone390, live_server.url
    user = learner_in(30178)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill(user.username)
    page.get_by_label("Mật khẩu").fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{base}/assess/")
    page.locator("li.mine").get_by_role("button", name="Bắt đầu").click()
    expect(page.get_by_text("Câu 1", exact=False)).to_be_visible()

    page.context.set_offline(True)
    page.locator("label.choice").first.click()
    page.get_by_role("button", name="Trả lời").click()
    note = page.get_by_role("alert")
    expect(note).to_contain_text("Mất kết nối — câu trả lời của bạn chưa gửi")
    expect(page.locator("label.choice input:checked")).to_have_count(1)  # kept
    screenshot(page, "test-offline-390")
    assert Response.objects.filter(session__user=user).count() == 0

    page.get_by_role("button", name="Thử lại").click()  # still offline
    expect(note).to_be_visible()
    assert Response.objects.filter(session__user=user).count() == 0

    # Back online: the answer is sent again (at once, or with "Thử lại").
    page.context.set_offline(False)
    # (the page may have sent it already when the phone came back online)
    with contextlib.suppress(PlaywrightError):
        page.get_by_role("button", name="Thử lại").click(timeout=2000)
    expect(page.get_by_text("Câu 2", exact=False)).to_be_visible()
    assert Response.objects.filter(session__user=user).count() == 1
