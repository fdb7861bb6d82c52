"""The helper's, the officer's and the content editor's journeys on a 390 px phone.

Issue #12: what a helper, a commune officer and a content editor trip over
the first time, walked through in Chromium with screenshots to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect
from tests.e2e.conftest import axe_violations, screenshot
from tests.factories import PASSWORD, user_with_role

from hocvuso.accounts.models import Role, User

pytestmark = pytest.mark.e2e


@pytest.fixture
def default_pack(reference_data: None, tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("content", "import", verbosity=0)


def _context(browser: Browser) -> BrowserContext:
    """A 390 px phone; bypass_csp only lets the test inject axe-core."""
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        bypass_csp=True,
    )


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = _context(browser)
    yield context
    context.close()


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_helper_registers_a_person_without_phone_and_runs_a_sitting(
    phone: BrowserContext,
    browser: Browser,
    live_server: Any,
    default_pack: None,
    axe_script: str,
) -> None:
    page, base = phone.new_page(), live_server.url
    helper = user_with_role(Role.COMMUNITY_HELPER, commune_code=30178)
    sign_in(page, base, helper.username)

    # Register someone with neither phone nor e-mail; the form speaks to me.
    page.get_by_role("link", name="Đăng ký giúp người dân").click()
    expect(page.get_by_text("Người này sống ở đâu?")).to_be_visible()
    expect(page.get_by_text("Tôi là", exact=True)).to_have_count(0)
    commune = page.get_by_label("Xã, phường của người đó", exact=True)
    expect(commune).to_have_value("30178")  # the helper's own commune
    page.get_by_label("Họ và tên của người được đăng ký").fill("Đinh Thị Bảy")
    page.get_by_label("Năm sinh").fill("1952")
    page.get_by_label("Nhóm của người đó").select_option(label="Nông dân")
    page.locator("#id_consent").check()
    page.locator("#id_guidance_consent").check()
    screenshot(page, "staff-helper-register")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_text("Không có điện thoại hay email")).to_be_visible()
    person = User.objects.get(full_name="Đinh Thị Bảy")
    assert person.phone is None and not person.has_usable_password()
    expect(
        page.get_by_role("button", name="In thẻ để tự nhận tài khoản")
    ).to_be_visible()

    # Open a sitting, leave the page, find the code again from the menu.
    page.get_by_role("link", name="Buổi thi giám sát").click()
    page.get_by_label("Địa điểm").fill("Nhà văn hóa ấp 3")
    page.get_by_role("button", name="Mở phiên thi").click()
    code = page.locator("p.code strong").inner_text().strip()
    page.goto(f"{base}/learn/")
    page.get_by_role("link", name="Buổi thi giám sát").click()
    sitting = page.get_by_test_id("open-sitting")
    expect(sitting.locator("p.code strong")).to_have_text(code)
    expect(sitting.get_by_role("img", name="Mã QR của buổi")).to_be_visible()
    screenshot(page, "staff-helper-sittings")
    assert axe_violations(page, axe_script) == []

    # A learner scans the QR while signed out: the sign-in page says why.
    learner_phone = _context(browser)
    scan = learner_phone.new_page()
    scan.goto(f"{base}/assess/?code={code}")
    reason = scan.get_by_test_id("signin-reason")
    expect(reason).to_contain_text("Bạn vừa quét mã của một buổi đánh giá có giám sát")
    expect(reason).to_contain_text(code)
    screenshot(scan, "staff-qr-signin")
    learner_phone.close()
