"""A farmer registers on a phone, finishes a lesson, and finds the progress again."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import axe_violations, screenshot

pytestmark = pytest.mark.e2e
PASSWORD = "ruong-lua-2026"


@pytest.fixture
def default_pack(reference_data: None, tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("content", "import", verbosity=0)


def _register_farmer(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/register/")
    page.get_by_label("Họ và tên").fill("Võ Thị Mười")
    page.get_by_label("Số điện thoại di động hoặc email").fill("0987 000 111")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Tôi là").select_option(label="Nông dân")
    page.get_by_label("Tìm xã, phường của bạn").press_sequentially("my an hung")
    commune = page.get_by_label("Xã, phường", exact=True)
    expect(commune.locator("option", has_text="Mỹ An Hưng")).to_have_count(1)
    commune.select_option(label="Xã Mỹ An Hưng — Đồng Tháp")
    page.get_by_label("Tôi đã đọc thông báo").check()
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_role("heading", name="Xin chào, Võ Thị Mười")).to_be_visible()


def test_farmer_finishes_a_lesson_and_sees_progress_after_signing_in_again(
    phone_page: Page, live_server: Any, default_pack: None
) -> None:
    page, base = phone_page, live_server.url
    _register_farmer(page, base)

    # The catalogue shows the farmer's group by default; open the farmer track.
    page.get_by_role("link", name="Học", exact=True).click()
    expect(page.get_by_label("Dành cho")).to_have_value("farmers")
    page.get_by_role("link", name="Nông dân số").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nông dân số")
    screenshot(page, "farmer-course")
    page.locator("ol.lessons a").first.click()
    expect(page.locator("#lesson-text")).to_be_visible()
    lesson_title = page.get_by_role("heading", level=1).inner_text()
    screenshot(page, "farmer-lesson")

    # Self-check: answer every question, then see the explanations.
    for group in page.locator(".check fieldset").all():
        group.get_by_role("radio").first.check()
    page.get_by_role("button", name="Xem kết quả").click()
    expect(page.get_by_text("câu đúng")).to_be_visible()

    page.get_by_role("button", name="Tôi đã học xong bài này").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(lesson_title)
    # It says what was saved and what comes next.
    expect(page.get_by_role("status").first).to_contain_text(
        f"Đã lưu: bạn đã học xong bài “{lesson_title}”"
    )

    # Sign out, sign in again: the progress is there.
    page.get_by_role("button", name="Đăng xuất").click()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill("0987000111")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Việc học của tôi").click()
    expect(page.get_by_text("1 / 5 bài đã học")).to_be_visible()
    expect(page.get_by_role("link", name="Học tiếp")).to_be_visible()
    screenshot(page, "my-learning")


def test_pages_have_no_serious_accessibility_violations(
    browser: Browser, live_server: Any, default_pack: None, axe_script: str
) -> None:
    # bypass_csp lets the test inject axe-core; the pages' own CSP stays strict.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", bypass_csp=True
    )
    page, base = context.new_page(), live_server.url
    for path in (
        "/learn/",
        "/learn/vneid/",
        "/learn/vneid/vneid-activate-level1/",
        "/accounts/register/",
        "/",
    ):
        page.goto(base + path)
        assert axe_violations(page, axe_script) == [], path
    context.close()


def test_lesson_works_without_javascript(
    browser: Browser, live_server: Any, default_pack: None
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/learn/online-safety/")
    page.get_by_role("link", name="Nhận diện").first.click()
    for group in page.locator(".check fieldset").all():
        group.get_by_role("radio").last.check()
    page.get_by_role("button", name="Xem kết quả").click()
    expect(page.get_by_text("câu đúng")).to_be_visible()
    # Large text without JavaScript: a plain form posts and comes back.
    page.get_by_role("button", name="Chữ to hơn").first.click()
    expect(page.locator("html.large-text")).to_have_count(1)
    context.close()
