"""The helper's, the officer's and the content editor's journeys on a 390 px phone.

Issue #12: what a helper, a commune officer and a content editor trip over
the first time, walked through in Chromium with screenshots to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation
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


def test_commune_officer_gets_the_admin_with_their_communes_results(
    phone: BrowserContext, live_server: Any, default_pack: None
) -> None:
    from tests.assessment.helpers import answer
    from tests.factories import commune, learner_in

    from hocvuso.accounts.services import role_assign
    from hocvuso.assessment.models import Blueprint
    from hocvuso.assessment.services import session_start, session_state

    learner = learner_in(30178)
    learner.full_name = "Phạm Văn Năm"
    learner.save()
    session = session_start(
        actor=learner, blueprint=Blueprint.objects.get(target_group__slug="adults")
    )
    state = session_state(actor=learner, session_id=session.pk)
    while not state.finished:
        state = answer(learner, session, True)
    officer = learner_in(30178)
    role_assign(
        actor=user_with_role(Role.NATIONAL_ADMIN),
        user=officer,
        role=Role.COMMUNE_OFFICER,
        commune=commune(30178),
    )
    page, base = phone.new_page(), live_server.url
    sign_in(page, base, officer.username)
    page.goto(f"{base}/admin/")
    expect(page.locator("#site-name")).to_contain_text("Quản trị hocvuso")
    page.get_by_role("link", name="Kết quả").first.click()
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("Phạm Văn Năm")
    expect(row).to_contain_text("Mỹ An Hưng")
    expect(row).to_contain_text("Đồng Tháp")
    expect(page.get_by_role("link", name="Thêm kết quả")).to_have_count(0)
    screenshot(page, "staff-officer-results")


def test_content_editor_edits_a_used_item_and_previews_a_draft_pack(
    phone: BrowserContext, live_server: Any, default_pack: None, tmp_path: Any
) -> None:
    from tests.assessment.helpers import answer
    from tests.factories import learner_in
    from tests.learning.packfactory import write_pack

    from hocvuso.accounts.services import role_assign
    from hocvuso.assessment.models import Blueprint, Item
    from hocvuso.assessment.services import session_start

    learner = learner_in(70)
    session = session_start(
        actor=learner, blueprint=Blueprint.objects.get(target_group__slug="adults")
    )
    used = session.current_item
    assert used is not None
    answer(learner, session)
    editor = learner_in(70)
    role_assign(
        actor=user_with_role(Role.NATIONAL_ADMIN), user=editor, role=Role.CONTENT_EDITOR
    )
    page, base = phone.new_page(), live_server.url
    sign_in(page, base, editor.username)

    # The item list shows the question itself.
    page.goto(f"{base}/admin/assessment/item/?q={used.slug}")
    with translation.override("vi"):  # the editor's pages are in Vietnamese
        stem = " ".join(used.text("stem").split())[:40]
    expect(page.locator("#result_list")).to_contain_text(stem)
    page.goto(f"{base}/admin/assessment/item/{used.pk}/change/")
    page.locator("#id_stem_vi").fill("Câu hỏi đã sửa: mã OTP là gì?")
    page.locator("input[name=_continue]").click()
    new = Item.objects.get(slug=used.slug, is_current=True)
    assert new.pk != used.pk
    expect(page).to_have_url(f"{base}/admin/assessment/item/{new.pk}/change/")
    expect(page.locator("#id_stem_vi")).to_have_value("Câu hỏi đã sửa: mã OTP là gì?")
    screenshot(page, "staff-editor-new-version")
    page.goto(f"{base}/admin/assessment/item/{new.pk}/preview/")
    expect(page.get_by_text("Câu hỏi đã sửa: mã OTP là gì?")).to_be_visible()

    # A pack imported as a draft: the editor previews it, a learner does not see it.
    call_command("content", "import", str(write_pack(tmp_path / "p")), "--draft")
    page.goto(f"{base}/learn/safety/")
    expect(page.get_by_test_id("draft-notice")).to_contain_text("chưa được đăng")
    screenshot(page, "staff-editor-draft-preview")
    page.goto(f"{base}/admin/packs/contentpack/")
    expect(page.locator("#result_list")).to_contain_text("Bản nháp")
    draft_row = page.locator("#result_list tbody tr", has_text="test-pack")
    draft_row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("publish")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_contain_text("Đã đăng: test-pack")
    screenshot(page, "staff-editor-published")


def test_tokens_page_and_api_docs_try_a_write(
    phone: BrowserContext, live_server: Any, default_pack: None
) -> None:
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=30178)
    page, base = phone.new_page(), live_server.url
    sign_in(page, base, officer.username)
    page.goto(f"{base}/accounts/tokens/")
    page.get_by_label("Tên (cái gì dùng mã này)").fill("ứng dụng ghi thăm hộ")
    page.get_by_label("Ghi (POST, PUT, PATCH, DELETE)").check()
    page.get_by_role("button", name="Tạo mã").click()
    secret = page.locator("code.token").inner_text().strip()
    assert secret.startswith("hvs_")
    screenshot(page, "staff-api-tokens")
    me = page.request.get(
        f"{base}/api/accounts/me", headers={"Authorization": f"Bearer {secret}"}
    )
    assert me.status == 200 and me.json()["username"] == officer.username

    # /api/docs: "Try it out" on a write, signed in with the session.
    page.goto(f"{base}/api/docs")
    op = page.locator("#operations-assessment-hocvuso_assessment_api_supervision")
    op.locator(".opblock-summary").click()
    op.get_by_role("button", name="Try it out").click()
    op.get_by_role("button", name="Execute").click()
    status = op.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("201")
    screenshot(page, "staff-api-docs-write")
