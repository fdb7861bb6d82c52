"""A helper guides a person without a smartphone, who later claims the account.

On the helper's phone (360 px): register the person with their consent, guide
them through a lesson, start their supervised test, print their card. On the
person's own phone (a second browser context): claim the account with the
code, choose a password, sign in; the helper's guided session has ended.
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect
from tests.e2e.conftest import SCREENSHOTS, axe_violations, screenshot
from tests.factories import PASSWORD, user_with_role

from hocvuso.accounts.models import GuidanceGrant, Role, User
from hocvuso.assessment.models import Result
from hocvuso.learning.models import LessonProgress

pytestmark = pytest.mark.e2e
OWN_PASSWORD = "ruong-lua-cua-toi-2027"


@pytest.fixture
def default_pack(reference_data: None, tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("content", "import", verbosity=0)


def _sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def _register_person(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/assist/")
    page.get_by_label("Họ và tên của người được đăng ký").fill("Nguyễn Văn Ba")
    page.get_by_label("Số điện thoại di động hoặc email").fill("0987 000 333")
    page.get_by_label("Mật khẩu cho người đó").fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Năm sinh").fill("1956")
    page.get_by_label("Nhóm của người đó").select_option(label="Nông dân")
    # The helper's own commune is chosen already (no search needed).
    commune = page.get_by_label("Xã, phường của người đó", exact=True)
    expect(commune).to_have_value("30178")
    page.locator("#id_consent").check()
    page.locator("#id_guidance_consent").check()
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_text("Đã tạo tài khoản cho Nguyễn Văn Ba")).to_be_visible()


def _phone(browser: Browser) -> BrowserContext:
    """A phone-sized context; bypass_csp only lets the test inject axe-core."""
    return browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        bypass_csp=True,
    )


def test_helper_guides_then_the_person_claims_the_account(
    browser: Browser, live_server: Any, default_pack: None, axe_script: str
) -> None:
    helpers_phone = _phone(browser)
    page, base = helpers_phone.new_page(), live_server.url
    helper = user_with_role(Role.COMMUNITY_HELPER, commune_code=30178)
    helper.full_name = "Lê Thị Hoa"
    helper.save()
    _sign_in(page, base, helper.username, PASSWORD)
    _register_person(page, base)
    person = User.objects.get(phone="0987000333")

    # "Người tôi hỗ trợ": find the person, start guiding.
    page.get_by_role("link", name="Người tôi hỗ trợ", exact=True).click()
    page.get_by_label("Tìm theo tên hoặc số điện thoại").fill("văn ba")
    page.get_by_role("button", name="Tìm", exact=True).click()
    screenshot(page, "assisted-list")
    page.get_by_role("button", name="Bắt đầu hướng dẫn").click()
    banner = page.locator(".guiding")
    expect(banner).to_contain_text("Đang hướng dẫn: Nguyễn Văn Ba")

    # A lesson on the helper's phone: the progress lands on the person.
    expect(page.get_by_label("Dành cho")).to_have_value("farmers")
    page.get_by_role("link", name="Nông dân số").click()
    page.locator("ol.lessons a").first.click()
    expect(page.locator("#lesson-text")).to_be_visible()
    expect(banner).to_be_visible()
    screenshot(page, "assisted-guided-lesson")
    page.get_by_role("button", name="Tôi đã học xong bài này").click()
    done = LessonProgress.objects.filter(completed_at__isnull=False)
    expect(page.locator(".guiding")).to_be_visible()
    assert [p.user_id for p in done] == [person.pk]

    # Their supervised test: the helper opens the sitting, the person answers.
    page.goto(f"{base}/assess/supervise/")
    page.get_by_label("Địa điểm").fill("Nhà văn hóa ấp 3")
    page.get_by_role("button", name="Mở phiên thi").click()
    code = page.locator("p.code strong").inner_text().strip()
    page.goto(f"{base}/assess/")
    expect(page.get_by_text("phải được giám sát")).to_be_visible()
    mine = page.locator("li.mine")
    mine.get_by_label("Mã giám sát (chỉ khi làm bài tại điểm phục vụ)").fill(code)
    mine.get_by_role("button", name="Bắt đầu").click()
    expect(page.get_by_text("Câu 1")).to_be_visible()
    screenshot(page, "assisted-guided-question")
    for _ in range(60):
        if not page.locator('input[name="item_id"]').count():
            break
        page.locator("label.choice").first.click()
        page.get_by_role("button", name="Trả lời").click()
    expect(page.get_by_role("heading", name="Kết quả của bạn")).to_be_visible()
    expect(page.locator("dd.assisted")).to_contain_text("Lê Thị Hoa")
    screenshot(page, "assisted-guided-result")
    result = Result.objects.get()
    assert result.user_id == person.pk and result.supervised
    assert result.session.assisted_by_id == helper.pk

    # The card: on screen, and printed as one A6 page.
    page.goto(f"{base}/accounts/assisted/{person.pk}/")
    page.get_by_role("button", name="In thẻ để tự nhận tài khoản").click()
    claim_code = page.get_by_test_id("claim-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}", claim_code)
    screenshot(page, "assisted-card")
    assert axe_violations(page, axe_script) == []
    pdf = SCREENSHOTS / "assisted-card.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"Pages:\s+1\b", info), info
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "110",
            "-singlefile",
            str(pdf),
            str(pdf)[:-4] + "-print",
        ],
        check=True,
    )
    qr_target = f"{base}/accounts/claim/?code={claim_code}"

    # Later, on the person's own new phone: scan the QR (open its address).
    own = _phone(browser)
    mobile = own.new_page()
    mobile.goto(qr_target)
    expect(mobile.get_by_label("Mã nhận tài khoản trên thẻ của bạn")).to_have_value(
        claim_code
    )
    assert axe_violations(mobile, axe_script) == []
    screenshot(mobile, "assisted-claim-code")
    mobile.get_by_role("button", name="Tiếp tục").click()
    expect(mobile.get_by_role("heading", level=1)).to_have_text(
        "Tài khoản của Nguyễn Văn Ba"
    )
    mobile.get_by_label("Năm sinh của bạn").fill("1956")
    mobile.get_by_label("Số điện thoại di động của bạn").fill("0912 555 777")
    mobile.get_by_label("Mật khẩu mới", exact=True).fill(OWN_PASSWORD)
    mobile.get_by_label("Nhập lại mật khẩu mới").fill(OWN_PASSWORD)
    screenshot(mobile, "assisted-claim-account")
    mobile.get_by_role("button", name="Nhận tài khoản của tôi").click()
    expect(mobile.get_by_text("Tài khoản giờ là của bạn")).to_be_visible()
    expect(
        mobile.get_by_role("heading", name="Xin chào, Nguyễn Văn Ba")
    ).to_be_visible()
    screenshot(mobile, "assisted-claimed-profile")
    # Signing in again with the new password works; the progress is theirs.
    mobile.get_by_role("button", name="Đăng xuất").click()
    _sign_in(mobile, base, "0912555777", OWN_PASSWORD)
    mobile.get_by_role("link", name="Việc học của tôi").click()
    expect(mobile.get_by_text("1 / ")).to_be_visible()
    own.close()

    # The helper's access ended at once: the next page is theirs again.
    page.goto(f"{base}/learn/")
    expect(page.get_by_text("Hướng dẫn đã kết thúc")).to_be_visible()
    expect(page.get_by_text("Đang hướng dẫn:")).to_have_count(0)
    screenshot(page, "assisted-helper-after-claim")
    grant = GuidanceGrant.objects.get(learner=person)
    assert grant.end_reason == GuidanceGrant.EndReason.CLAIMED
    helpers_phone.close()
