"""A learner on a phone asks the assistant from a lesson page and the help page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import axe_violations, screenshot

from hocvuso.assistant.store import index_forget

pytestmark = pytest.mark.e2e


@pytest.fixture
def default_pack(reference_data: None, tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HOCVUSO_ASSISTANT_DIR = tmp_path / "assistant"
    call_command("content", "import", verbosity=0)
    index_forget()  # the first question builds the index from these lessons


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A phone (360×740, touch); bypass_csp lets the test inject axe-core."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        bypass_csp=True,
    )
    yield context.new_page()
    context.close()


def test_learner_asks_about_vneid_level2_and_the_gold_price(
    phone: Page, live_server: Any, default_pack: None, axe_script: str
) -> None:
    page, base = phone, live_server.url
    page.goto(f"{base}/learn/vneid/vneid-what-and-why/")
    box = page.get_by_label("Câu hỏi của bạn")
    box.fill("lam sao kich hoat tai khoan dinh danh muc 2")
    page.get_by_role("button", name="Hỏi", exact=True).click()  # HTMX
    answer = page.locator("#assistant-answer")
    # The first question loads (here: builds) the index, hence the longer wait.
    heading = answer.get_by_role("heading", name="Trả lời", exact=True)
    expect(heading).to_be_visible(timeout=30_000)
    expect(answer.locator("blockquote ol li").first).to_be_visible()
    link = answer.locator("ol.citations a").first
    expect(link).to_contain_text("Tài khoản mức 2")
    assert page.url.endswith("/learn/vneid/vneid-what-and-why/")  # no reload
    screenshot(page, "assistant-lesson-answer")
    link.click()
    page.wait_for_url("**/learn/vneid/vneid-level2/#*")
    anchor = page.url.split("#", 1)[1]
    expect(page.locator(f"[id='{anchor}']")).to_be_in_viewport()

    page.goto(f"{base}/help/")
    page.get_by_label("Câu hỏi của bạn").fill("gia vang hom nay")
    page.get_by_role("button", name="Hỏi", exact=True).click()
    expect(page.get_by_role("heading", name="Tôi không biết")).to_be_visible()
    expect(page.get_by_role("heading", name="Bài học gần nhất")).to_be_visible()
    page.get_by_role("button", name="Không giúp được").click()
    expect(page.get_by_text("Cảm ơn bạn")).to_be_visible()
    screenshot(page, "assistant-dont-know")
    assert axe_violations(page, axe_script) == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # nothing wider than the phone


def test_assistant_works_without_javascript(
    browser: Browser, live_server: Any, default_pack: None
) -> None:
    context = browser.new_context(
        java_script_enabled=False,
        viewport={"width": 360, "height": 740},
        locale="vi-VN",
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/help/")
    page.get_by_label("Câu hỏi của bạn").fill("cach kich hoat vneid muc 1")
    page.get_by_role("button", name="Hỏi", exact=True).click()
    heading = page.get_by_role("heading", name="Trả lời", exact=True)
    expect(heading).to_be_visible(timeout=30_000)
    expect(page.locator("ol.citations a").first).to_contain_text("mức 1")
    context.close()
