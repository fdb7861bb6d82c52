"""On a 390 px phone: the city's course for the city's learners; a lesson in Hmong."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import axe_violations, screenshot
from tests.factories import PASSWORD, learner_in

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
HCMC_PACK = ROOT / "examples/packs/ho-chi-minh"
THREE_LANGUAGES = ROOT / "tests/learning/packs/three-languages"
CITY_COURSE = "Công dân số Thành phố Hồ Chí Minh"


@pytest.fixture
def packs(reference_data: None, tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("content", "import", str(HCMC_PACK), verbosity=0)
    call_command("content", "import", str(THREE_LANGUAGES), verbosity=0)


@pytest.fixture
def phone_390(browser: Browser) -> Iterator[Any]:
    """Open 390×844 phone pages (axe may be injected: bypass_csp)."""
    contexts = []

    def new_page() -> Page:
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="vi-VN",
            bypass_csp=True,
        )
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def _sign_in(page: Page, base: str, commune: int) -> None:
    user = learner_in(commune)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill(user.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width


def test_the_city_course_shows_to_a_city_learner_only(
    phone_390: Any, live_server: Any, packs: None, axe_script: str
) -> None:
    base = live_server.url
    city = phone_390()
    _sign_in(city, base, 26506)  # Phường Vũng Tàu, Thành phố Hồ Chí Minh
    city.goto(base + "/learn/?group=")
    link = city.get_by_role("link", name=CITY_COURSE)
    expect(link).to_be_visible()
    screenshot(city, "provincial-catalogue-hcmc-390")
    link.click()
    expect(city.get_by_role("heading", level=1)).to_have_text(CITY_COURSE)
    city.get_by_role("link", name="Phản ánh qua 1022").click()
    expect(city.get_by_role("heading", level=1)).to_contain_text("1022")
    _no_sideways_scroll(city)
    screenshot(city, "provincial-lesson-1022-390")
    assert axe_violations(city, axe_script) == []

    other = phone_390()
    _sign_in(other, base, 30178)  # Xã Mỹ An Hưng, Đồng Tháp
    other.goto(base + "/learn/?group=")
    expect(other.get_by_role("link", name="An toàn tài khoản")).to_be_visible()
    expect(other.get_by_role("link", name=CITY_COURSE)).to_have_count(0)
    screenshot(other, "provincial-catalogue-dong-thap-390")
    response = other.goto(base + "/learn/cong-dan-so-tphcm/")
    assert response is not None and response.status == 404


def test_a_lesson_in_hmong_falls_back_to_vietnamese_where_missing(
    phone_390: Any, live_server: Any, packs: None, axe_script: str
) -> None:
    page, base = phone_390(), live_server.url
    page.goto(base + "/learn/tl-safety/tl-passwords/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mật khẩu mạnh")
    page.get_by_role("button", name="Hmoob (tiếng Mông)").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Lo lus zais uas muaj zog")
    expect(heading).to_have_attribute("lang", "hmn")
    expect(page.locator("#lesson-text")).to_contain_text("tub sab")
    expect(page.get_by_role("button", name="Hmoob (tiếng Mông)")).to_have_attribute(
        "aria-pressed", "true"
    )
    # The interface stays Vietnamese; the self-check has no Hmong yet.
    expect(page.get_by_role("heading", name="Tự kiểm tra")).to_be_visible()
    expect(page.locator(".check fieldset").first).to_have_attribute("lang", "vi")
    _no_sideways_scroll(page)
    screenshot(page, "lesson-hmong-390")
    assert axe_violations(page, axe_script) == []

    page.goto(base + "/learn/tl-safety/tl-otp/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Giữ bí mật mã OTP")
    expect(page.get_by_role("note")).to_contain_text("chưa có bằng Hmoob")
    screenshot(page, "lesson-hmong-fallback-390")
    assert axe_violations(page, axe_script) == []
    # Back to Vietnamese from the switch of the first lesson.
    page.goto(base + "/learn/tl-safety/tl-passwords/")
    page.get_by_role("button", name="Tiếng Việt").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mật khẩu mạnh")
