"""A commune officer on a phone downloads the targets template, fills it in
with openpyxl, uploads it and sees the targets; a bad file shows its cells."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect
from tests.e2e.conftest import axe_violations, screenshot
from tests.e2e.test_visits import sign_in
from tests.programs.steer_helpers import steer

from hocvuso.programs.models import Target

pytestmark = pytest.mark.e2e


def _fill(path: Path, values: dict[str, object]) -> bytes:
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    letters = {c.value: c.column_letter for c in ws[2]}
    for key, value in values.items():
        ws[f"{letters[key]}3"] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_targets_template_round_trip_on_a_phone(
    browser: Browser,
    live_server: Any,
    reference_data: None,
    axe_script: str,
    tmp_path: Path,
) -> None:
    s = steer()
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        bypass_csp=True,
        accept_downloads=True,
    )
    page = context.new_page()
    base = live_server.url
    sign_in(page, base, s.officer_a.username)
    page.goto(f"{base}/programs/targets/c{s.a.code}/?year=2026")
    expect(page.get_by_role("heading", name="Chỉ tiêu 2026")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Tệp mẫu Excel").click()
    template = tmp_path / "mau.xlsx"
    info.value.save_as(template)

    page.get_by_role("link", name="Tải lên tệp đã điền").click()
    bad = tmp_path / "sai.xlsx"
    bad.write_bytes(_fill(template, {"passed": 120, "reached": "nhiều"}))
    page.get_by_label("Tệp đã điền (Excel .xlsx hoặc CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    errors = page.get_by_role("table", name="Lỗi trong tệp (chưa có gì được lưu)")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("Tỷ lệ phần trăm không được quá 100.")
    expect(errors).to_contain_text("Không phải là số.")
    screenshot(page, "programs-targets-import-errors")
    assert not Target.objects.exists()

    good = tmp_path / "dung.xlsx"
    good.write_bytes(
        _fill(template, {"passed": 65, "passed:farmers": 40, "reached": 900})
    )
    page.get_by_label("Tệp đã điền (Excel .xlsx hoặc CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.get_by_text("Đã nhập 1 đơn vị: 3 giá trị mới")).to_be_visible()
    page.get_by_role("link", name="Xem số liệu").click()
    reached = page.get_by_label("Số người được tổ công nghệ tiếp cận", exact=True)
    expect(reached).to_have_value("900")
    expect(
        page.get_by_label("Tỷ lệ người lớn có kỹ năng số cơ bản (%)", exact=True)
    ).to_have_value("65")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page, axe_script) == []
    screenshot(page, "programs-targets-phone")
    assert Target.objects.count() == 3
    context.close()


def test_a_commune_submits_and_the_province_approves_on_a_phone(
    browser: Browser,
    live_server: Any,
    reference_data: None,
    axe_script: str,
    tmp_path: Path,
) -> None:
    from django.utils import timezone

    from hocvuso.programs.models import Approval, ApprovalState

    s = steer()
    today = timezone.localdate()
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        bypass_csp=True,
    )
    page = context.new_page()
    sign_in(page, base, s.officer_a.username)
    page.goto(
        f"{base}/programs/manual/c{s.a.code}/?year={today.year}&month={today.month}"
    )
    page.get_by_label("Giá trị").fill("42")
    page.get_by_label("Minh chứng: số liệu lấy từ đâu").fill("Báo cáo trạm y tế")
    evidence = tmp_path / "bien-ban.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% test\n")
    page.get_by_label("Tệp minh chứng").set_input_files(str(evidence))
    page.get_by_role("button", name="Lưu số liệu").click()
    expect(page.get_by_text("Đã lưu số liệu.")).to_be_visible()
    assert axe_violations(page, axe_script) == []
    page.goto(f"{base}/programs/approval/c{s.a.code}/?year={today.year}")
    page.get_by_role("button", name=f"Gửi tháng {today.month}").click()
    expect(page.get_by_text("Xong: tháng này hiện ở trạng thái")).to_be_visible()
    assert axe_violations(page, axe_script) == []
    screenshot(page, "programs-approval-commune")
    context.close()

    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        bypass_csp=True,
    )
    page = context.new_page()
    sign_in(page, base, s.province_officer.username)
    page.goto(
        f"{base}/programs/approval/p{s.a.province_id}/"
        f"?year={today.year}&month={today.month}"
    )
    row = page.get_by_role("row").filter(has_text=s.a.name)
    row.get_by_role("button", name="Phê duyệt").click()
    expect(page.get_by_text("Xong: tháng này hiện ở trạng thái")).to_be_visible()
    assert (
        Approval.objects.get(commune=s.a, month=today.month).state
        == ApprovalState.APPROVED
    )
    assert axe_violations(page, axe_script) == []
    screenshot(page, "programs-approval-province")
    context.close()
