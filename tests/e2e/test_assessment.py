"""A learner takes a full adaptive test on a phone, loses the network, resumes."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, learner_in

from hocvuso.assessment.models import Response, TestSession

pytestmark = pytest.mark.e2e


@pytest.fixture
def default_pack(reference_data: None, tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("content", "import", verbosity=0)


def _answer(page: Page) -> str:
    """Pick the first answer of the current question; return the question id."""
    item = page.locator('input[name="item_id"]').input_value()
    page.locator("label.choice").first.click()
    page.get_by_role("button", name="Trả lời").click()
    return item


def test_full_adaptive_test_survives_going_offline(
    phone_page: Page, live_server: Any, default_pack: None
) -> None:
    page, base = phone_page, live_server.url
    user = learner_in(30178)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto(f"{base}/assess/")
    page.locator("li.mine").get_by_role("button", name="Bắt đầu").click()
    expect(page.get_by_text("Câu 1")).to_be_visible()
    screenshot(page, "assessment-question")

    for _ in range(5):
        _answer(page)
    expect(page.get_by_text("Câu 6")).to_be_visible()

    # The network drops while answering question 6: the answer does not arrive.
    current = page.locator('input[name="item_id"]').input_value()
    page.context.set_offline(True)
    page.locator("label.choice").first.click()
    try:
        page.get_by_role("button", name="Trả lời").click(timeout=3000)
        page.wait_for_load_state("load", timeout=3000)
    except PlaywrightError:
        pass  # Chromium may report the lost connection or show its error page
    # Whichever it shows, the answer to question 6 never reached the server.
    assert Response.objects.filter(session__user=user).count() == 5
    expect(page.get_by_text("Mất kết nối")).to_be_visible()  # said in Vietnamese
    page.context.set_offline(False)

    # Back online: the kept answer is sent once (by itself or with "Thử lại"),
    # and question 7 follows.
    with contextlib.suppress(PlaywrightError):
        page.get_by_role("button", name="Thử lại").click(timeout=2000)
    expect(page.get_by_text("Câu 7")).to_be_visible()
    answered = Response.objects.filter(session__user=user)
    assert answered.count() == 6 and answered.filter(item_id=current).count() == 1
    waiting = page.locator('input[name="item_id"]').input_value()

    # Leaving and coming back: the same question is waiting; nothing doubled.
    page.goto(f"{base}/assess/")
    page.get_by_role("link", name="Làm tiếp bài đánh giá").click()
    expect(page.get_by_text("Câu 7")).to_be_visible()
    assert page.locator('input[name="item_id"]').input_value() == waiting

    for _ in range(40):
        if not page.locator('input[name="item_id"]').count():
            break
        _answer(page)
    expect(page.get_by_role("heading", name="Kết quả của bạn")).to_be_visible()
    screenshot(page, "assessment-result")

    session = TestSession.objects.get(user=user)
    assert session.status == "completed"
    positions = list(
        Response.objects.filter(session=session).values_list("position", flat=True)
    )
    assert positions == list(range(1, len(positions) + 1))
    assert session.result.n_items == len(positions) >= 12
