"""On a 390 px phone: an Excel report downloaded; a task list with an overdue task."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import axe_violations, screenshot
from tests.factories import PASSWORD, user_with_role
from tests.programs.helpers import province_with_figures

from hocvuso.accounts.models import Role
from hocvuso.core.tasks import tasks_run_pending
from hocvuso.programs.models import ExportJob
from hocvuso.programs.task_services import TaskIn, task_create

pytestmark = pytest.mark.e2e

WIDTH = 390


@pytest.fixture
def page390(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        accept_downloads=True,
        bypass_csp=True,  # only so that the test can inject axe-core
    )
    page = context.new_page()
    yield page
    context.close()


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, width


def test_excel_report_on_a_phone(
    page390: Page,
    axe_script: str,
    live_server: Any,
    reference_data: None,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    page, base = page390, live_server.url
    _prov, (mine, _other) = province_with_figures()
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=mine.commune_code)
    _login(page, base, officer.username)
    page.goto(f"{base}/programs/reports/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Báo cáo")
    page.get_by_label("Năm").select_option("2026")
    page.get_by_label("Tính đến hết tháng").select_option("2")
    _fits(page)
    assert axe_violations(page, axe_script) == []
    screenshot(page, "programs-reports")
    page.get_by_role("button", name="Báo cáo Excel").click()
    expect(page.locator("progress")).to_be_visible()
    expect(page.get_by_text("Đang chờ xử lý")).to_be_visible()
    _fits(page)
    screenshot(page, "programs-export-waiting")
    assert tasks_run_pending() == 1  # the worker's turn
    link = page.get_by_role("link", name="Tải báo cáo")
    expect(link).to_be_visible(timeout=10_000)  # the HTMX poll brings it
    assert axe_violations(page, axe_script) == []
    screenshot(page, "programs-export-ready")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"bao-cao-{mine.slug}-2026-02.xlsx"
    data = Path(download.path()).read_bytes()
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Giới thiệu", "Xã, phường"]
    assert ExportJob.objects.get().progress == 100


def test_task_list_with_an_overdue_task_on_a_phone(
    page390: Page,
    axe_script: str,
    live_server: Any,
    reference_data: None,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    page, base = page390, live_server.url
    _prov, (mine, _other) = province_with_figures()
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=mine.commune_code)
    helper = user_with_role(Role.COMMUNITY_HELPER, commune_code=mine.commune_code)
    helper.full_name = "Trần Văn Bình"
    helper.save()
    for title, start, due in (
        (
            "Mở lớp kỹ năng số cho hội nông dân ấp 3",
            date(2020, 3, 1),
            date(2020, 3, 31),
        ),
        ("Hướng dẫn cài sổ sức khỏe điện tử", date(2020, 1, 1), date(2099, 12, 31)),
    ):
        task_create(
            actor=officer,
            unit=mine,
            data=TaskIn(
                title=title,
                assignee_id=helper.pk,
                responsible_id=officer.pk,
                authority="Chủ tịch UBND xã",
                starts_on=start,
                due_on=due,
                expected_result="30 người hoàn thành",
            ),
        )
    _login(page, base, officer.username)
    page.goto(f"{base}/programs/tasks/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nhiệm vụ")
    late = page.locator("li.task.overdue")
    expect(late).to_have_count(1)
    expect(late).to_contain_text("Quá hạn")
    expect(late).to_contain_text("Mở lớp kỹ năng số")
    border = late.evaluate("e => getComputedStyle(e).borderLeftStyle")
    assert border == "solid"
    _fits(page)
    assert axe_violations(page, axe_script) == []
    screenshot(page, "programs-tasks-overdue")
    late.get_by_role("link").click()
    expect(page.get_by_text("Chủ tịch UBND xã")).to_be_visible()
    page.get_by_label("Trạng thái").select_option("in_progress")
    page.get_by_label("Đã làm được gì").fill("Đã mở lớp, 18 người tham gia")
    page.get_by_role("button", name="Lưu cập nhật").click()
    expect(page.get_by_text("Đã ghi nhận cập nhật.")).to_be_visible()
    _fits(page)
    assert axe_violations(page, axe_script) == []
    screenshot(page, "programs-task-detail")
