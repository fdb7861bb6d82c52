"""A learner registers on a phone, finds their commune without accents, signs in."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import screenshot

from hocvuso.accounts.models import Consent, User

pytestmark = pytest.mark.e2e

PASSWORD = "lua-nuoc-2026"


def test_register_pick_commune_sign_in_and_see_profile(
    phone_page: Page, live_server: Any, reference_data: None
) -> None:
    page = phone_page
    page.goto(f"{live_server.url}/accounts/register/")
    expect(page.get_by_role("heading", name="Tạo tài khoản học tập")).to_be_visible()

    page.get_by_label("Họ và tên").fill("Nguyễn Văn Hai")
    page.get_by_label("Số điện thoại di động hoặc email").fill("0912 345 678")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Năm sinh").fill("1962")
    page.get_by_label("Tôi là").select_option(label="Nông dân")

    # Type the commune without diacritics: HTMX fills the list as one types.
    page.get_by_label("Tìm xã, phường của bạn").press_sequentially("my an hung")
    commune = page.get_by_label("Xã, phường", exact=True)
    expect(commune.locator("option", has_text="Xã Mỹ An Hưng")).to_have_count(1)
    commune.select_option(label="Xã Mỹ An Hưng — Đồng Tháp")
    page.get_by_label("Tôi đã đọc thông báo").check()
    screenshot(page, "register-filled")
    page.get_by_role("button", name="Tạo tài khoản").click()

    expect(page.get_by_role("heading", name="Xin chào, Nguyễn Văn Hai")).to_be_visible()
    user = User.objects.get(phone="0912345678")
    assert Consent.objects.filter(user=user).count() == 1

    # Sign out, then sign in again with the phone number.
    page.get_by_role("button", name="Đăng xuất").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill("0912345678")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("heading", name="Xin chào, Nguyễn Văn Hai")).to_be_visible()
    page.get_by_role("link", name="Hồ sơ của tôi").first.click()
    expect(page.get_by_text("Xã Mỹ An Hưng, Đồng Tháp")).to_be_visible()
    expect(page.get_by_text("Nông dân")).to_be_visible()
    screenshot(page, "profile")


def test_register_works_without_javascript(
    browser: Any, live_server: Any, reference_data: None
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/register/")
    page.get_by_label("Tìm xã, phường của bạn").fill("my an hung")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_label("Xã, phường", exact=True).select_option(
        label="Xã Mỹ An Hưng — Đồng Tháp"
    )
    page.get_by_label("Họ và tên").fill("Trần Thị Ba")
    page.get_by_label("Số điện thoại di động hoặc email").fill("ba@example.vn")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Tôi là").select_option(label="Người dân")
    page.get_by_label("Tôi đã đọc thông báo").check()
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_role("heading", name="Xin chào, Trần Thị Ba")).to_be_visible()
    context.close()
