"""On a phone: the learner's certificate, its PDF and the public verification page."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from tests.assessment.helpers import answer
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, learner_in, user_with_role

from hocvuso.assessment.models import Blueprint
from hocvuso.assessment.services import session_start, session_state
from hocvuso.assessment.supervision import supervision_open
from hocvuso.core.tasks import tasks_run_pending
from hocvuso.credentials.models import Certificate

pytestmark = pytest.mark.e2e


@pytest.fixture
def default_pack(reference_data: None, tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("content", "import", verbosity=0)


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def _no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width


def test_learner_certificate_and_verification_on_a_phone(
    phone_page: Page,
    browser: Browser,
    live_server: Any,
    default_pack: None,
    settings: Any,
    tmp_path: Path,
) -> None:
    page, base = phone_page, live_server.url
    settings.HOCVUSO_PUBLIC_URL = base
    supervisor = user_with_role("commune_officer", commune_code=30178)
    sup = supervision_open(actor=supervisor, place="Nhà văn hóa ấp 3")
    learner = learner_in(30178)
    learner.full_name = "Nguyễn Thị Ánh"
    learner.save()
    blueprint = Blueprint.objects.get(target_group__slug="adults")
    session = session_start(
        actor=learner, blueprint=blueprint, supervision_code=sup.code
    )
    state = session_state(actor=learner, session_id=session.pk)
    while not state.finished:
        state = answer(learner, session, True)
    tasks_run_pending()
    assert not Certificate.objects.exists()  # identity not verified yet

    # The supervisor ticks "Đã kiểm tra CCCD" on the sitting's page.
    _login(page, base, supervisor.username)
    page.goto(f"{base}/assess/supervise/{sup.pk}/")
    expect(page.get_by_text("Nguyễn Thị Ánh")).to_be_visible()
    screenshot(page, "certificates-supervision")
    page.get_by_role("button", name="Đã kiểm tra CCCD").click()
    expect(page.get_by_text("Đã ghi nhận việc kiểm tra CCCD.")).to_be_visible()
    tasks_run_pending()
    certificate = Certificate.objects.get()
    page.get_by_role("button", name="Đăng xuất").click()

    # The learner finds the certificate from the profile page.
    _login(page, base, learner.username)
    page.goto(f"{base}/accounts/me/")
    page.get_by_role("link", name="Chứng nhận của tôi").click()
    expect(page.get_by_role("heading", name="Chứng nhận của tôi")).to_be_visible()
    _no_horizontal_scroll(page)
    screenshot(page, "certificates-mine")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải chứng nhận (PDF)").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    url = f"{base}/verify/{certificate.code}"
    assert "Nguyễn Thị Ánh" in text and url in text.replace("\n", "")

    # The address the QR code holds opens the verification page.
    page.goto(url)
    expect(page.get_by_text("Chứng nhận này còn giá trị.")).to_be_visible()
    expect(page.get_by_text("Nguyễn T. Á.")).to_be_visible()
    _no_horizontal_scroll(page)
    screenshot(page, "certificates-verify-valid")

    # An officer revokes it with a reason; the page then says so.
    officer = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN"
    )
    office = officer.new_page()
    _login(office, base, supervisor.username)
    office.goto(f"{base}/certificates/manage/{certificate.confirmation.result_id}/")
    office.locator("#revoke_reason").fill("Thi hộ")
    office.get_by_role("button", name="Thu hồi xác nhận và chứng nhận").click()
    expect(office.get_by_text("Đã thu hồi xác nhận và chứng nhận.")).to_be_visible()
    screenshot(office, "certificates-officer-revoked")
    officer.close()
    page.goto(url)
    expect(page.get_by_text("đã bị thu hồi ngày")).to_be_visible()
    screenshot(page, "certificates-verify-revoked")
    page.goto(f"{base}/verify/AAAAAAAAAAAAAAAAAAAA")
    expect(page.get_by_text("Không có chứng nhận nào mang mã này.")).to_be_visible()
