"""A lesson read on a phone: larger text, listening, the self-check's results."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from tests.e2e.conftest import axe_violations, screenshot

pytestmark = pytest.mark.e2e
LESSON = "/learn/vneid/vneid-activate-level1/"


@pytest.fixture
def default_pack(reference_data: None, tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("content", "import", verbosity=0)


def _px(page: Page, selector: str) -> float:
    return float(
        page.locator(selector)
        .first.evaluate("e => getComputedStyle(e).fontSize")
        .removesuffix("px")
    )


def test_larger_text_scales_the_lesson_itself_and_is_remembered(
    phone_page: Page, live_server: Any, default_pack: None
) -> None:
    page = phone_page
    page.goto(live_server.url + LESSON)
    body, title = _px(page, "#lesson-text p"), _px(page, "h1")
    # The switch is at the top of the lesson, before the text.
    switch = page.get_by_role("button", name="Chữ to hơn").first
    assert switch.bounding_box()["y"] < page.locator("#lesson-text").bounding_box()["y"]
    switch.click()
    expect(page.locator("html.large-text")).to_have_count(1)
    assert _px(page, "#lesson-text p") >= body * 1.2
    assert _px(page, "h1") >= title * 1.2
    screenshot(page, "lesson-large-text")
    page.goto(live_server.url + "/learn/vneid/")
    expect(page.locator("html.large-text")).to_have_count(1)


def test_listen_is_always_shown_with_its_state(
    phone_page: Page, live_server: Any, default_pack: None
) -> None:
    page = phone_page
    page.goto(live_server.url + LESSON)
    listen = page.get_by_role("button", name="Nghe đọc")
    expect(listen).to_be_visible()
    box = listen.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44
    has_voice = page.evaluate(
        "() => speechSynthesis.getVoices().some(v => v.lang.startsWith('vi'))"
    )
    missing = page.get_by_text("Điện thoại chưa có giọng đọc tiếng Việt")
    if has_voice:
        expect(listen).to_be_enabled()
    else:
        expect(listen).to_be_disabled()
        expect(missing).to_be_visible()
        page.get_by_role("link", name="Cách cài").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Cài giọng đọc tiếng Việt"
        )


def test_the_self_check_lands_on_its_results_with_large_choices(
    phone_page: Page, live_server: Any, default_pack: None
) -> None:
    page = phone_page
    page.goto(live_server.url + LESSON)
    for label in page.locator(".check li label").all():
        box = label.bounding_box()
        assert box is not None and box["height"] >= 44
    for group in page.locator(".check fieldset").all():
        group.get_by_role("radio").first.check()
    page.get_by_role("button", name="Xem kết quả").click()
    results = page.locator("#check-results")
    expect(results).to_be_in_viewport()
    assert page.evaluate("() => window.scrollY") > 200
    screenshot(page, "self-check-results")


@pytest.mark.parametrize(
    "lesson",
    [
        LESSON,
        "/learn/cashless-payments/cashless-payments-vietqr-buyer/",
        "/learn/online-safety/online-safety-report-fraud/",
    ],
)
def test_step_pictures_load_on_a_phone_with_their_alt_text(
    axe_phone_page: Page,
    live_server: Any,
    default_pack: None,
    axe_script: str,
    lesson: str,
) -> None:
    page = axe_phone_page
    page.goto(live_server.url + lesson)
    pictures = page.locator("#lesson-text img")
    assert pictures.count() >= 1
    for i in range(pictures.count()):
        picture = pictures.nth(i)
        picture.scroll_into_view_if_needed()
        expect(picture).to_have_attribute("loading", "lazy")
        assert (picture.get_attribute("alt") or "").startswith("Hình minh họa")
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=picture.element_handle()
        )
        box = picture.bounding_box()
        assert box is not None and 100 < box["width"] <= 390
    screenshot(page, "lesson-step-picture-" + lesson.strip("/").split("/")[-1])
    assert axe_violations(page, axe_script) == []
