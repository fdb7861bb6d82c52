"""A national admin drills down national → province → commune on a 390 px phone;
the public progress page passes axe too (screenshots in tests/e2e/screenshots)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import axe_violations, screenshot
from tests.factories import PASSWORD, user_with_role
from tests.programs.dash_data import world

from hocvuso.accounts.models import Role

pytestmark = pytest.mark.e2e

WIDTH = 390
PERIOD = "?year=2026&month=3&basis=all"


def _phone(browser: Browser) -> Page:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        bypass_csp=True,  # only so that the test can inject axe-core
    )
    return context.new_page()


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"the page is {width} px wide on a {WIDTH} px screen"


def _check(page: Page, axe: str, name: str) -> None:
    expect(page.get_by_text("Số liệu tính đến").first).to_be_visible()
    _fits(page)
    assert axe_violations(page, axe) == []
    screenshot(page, name)


def test_dashboards_drill_down_on_a_phone(
    browser: Browser, live_server: Any, reference_data: None, axe_script: str
) -> None:
    w = world()
    admin = user_with_role(Role.NATIONAL_ADMIN)
    page = _phone(browser)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill(admin.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Chỉ đạo").click()
    expect(page.get_by_role("heading", name="Tiến độ của Việt Nam")).to_be_visible()
    page.goto(f"{base}/programs/vn/{PERIOD}")
    _check(page, axe_script, "programs-nation")

    province_name = page.locator("table.ranking tbody tr").first.locator("a")
    name = province_name.inner_text()
    province_name.click()
    expect(page.get_by_role("heading", name=f"Tiến độ của {name}")).to_be_visible()
    _check(page, axe_script, "programs-province")

    # The filter swaps the body in place (HTMX) and keeps the URL shareable.
    page.get_by_label("Chỉ số xem theo thời gian").select_option("passed")
    expect(page).to_have_url(re.compile(r"indicator=passed"))
    expect(page.locator("#trend-title")).to_contain_text("Tỷ lệ người lớn")

    page.locator(f'table.ranking a[href^="/programs/{w.home.slug}/"]').click()
    expect(page.get_by_role("heading", name="Tiến độ của")).to_be_visible()
    expect(page.locator("table.ranking")).to_have_count(0)
    _check(page, axe_script, "programs-commune")

    page.goto(f"{base}/progress/{w.province.slug}/?year=2026&month=3")
    expect(page.get_by_text("ẩn").first).to_be_visible()
    _check(page, axe_script, "progress-public-province")

    page.goto(f"{base}/progress/{w.province.slug}/widget/?year=2026&month=3")
    _check(page, axe_script, "progress-widget")
    page.context.close()
