"""Sign-in with a real OpenID provider (npm oidc-provider) in Chromium on a phone.

The provider runs as its own Node process (tests/accounts/oidc/provider.mjs):
its login and consent pages, PKCE, signed ID tokens, userinfo and
RP-initiated logout are the real ones, not a mock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, Page, expect
from tests.accounts.oidc.provider import RunningProvider, provider_running
from tests.e2e.conftest import axe_violations, screenshot
from tests.factories import PASSWORD, UserFactory

from hocvuso.accounts.identifiers import national_id_hash
from hocvuso.accounts.models import Consent, OidcIdentity, User
from hocvuso.accounts.oidc_client import oidc_forget
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.e2e

# Only the live server and the provider, both on 127.0.0.1/localhost: the
# provider's pages import a web font that must not be fetched.
_OUTSIDE = re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])")


@pytest.fixture(scope="module")
def provider(live_server: Any) -> Iterator[RunningProvider]:
    with provider_running(
        redirect_uri=f"{live_server.url}/accounts/oidc/callback/",
        post_logout_uri=f"{live_server.url}/accounts/oidc/signed-out/",
    ) as running:
        yield running


@pytest.fixture
def oidc(provider: RunningProvider, reference_data: None) -> Iterator[RunningProvider]:
    """Point hocvuso at the provider (the live server's thread sees it too)."""
    oidc_forget()
    with override_settings(**provider.settings()):
        yield provider
    oidc_forget()


@pytest.fixture
def page(phone_page: Page) -> Page:
    phone_page.route(_OUTSIDE, lambda route: route.abort())
    return phone_page


def provider_sign_in(page: Page, login: str) -> None:
    """Go through the provider's login page and, if asked, its consent page."""
    expect(page.locator("input[name=login]")).to_be_visible()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    consent = page.get_by_role("button", name="Continue")
    # The consent page comes only while no grant is remembered.
    page.wait_for_load_state()
    if "/interaction/" in page.url and consent.count():
        consent.click()


def complete_profile(page: Page) -> None:
    expect(page.get_by_role("heading", name="Hoàn tất tài khoản")).to_be_visible()
    page.get_by_label("Tôi là").select_option(label="Nông dân")
    page.get_by_label("Tìm xã, phường của bạn").press_sequentially("my an hung")
    commune = page.get_by_label("Xã, phường", exact=True)
    expect(commune.locator("option", has_text="Xã Mỹ An Hưng")).to_have_count(1)
    commune.select_option(label="Xã Mỹ An Hưng — Đồng Tháp")
    page.get_by_label("Tôi đã đọc thông báo").check()
    page.get_by_role("button", name="Tạo tài khoản").click()


def test_level_2_person_signs_in_completes_profile_signs_out_of_both(
    page: Page, live_server: Any, oidc: RunningProvider
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    button = page.get_by_role("link", name="Đăng nhập bằng VNeID")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box is not None and box["height"] >= 48 and box["width"] >= 300
    screenshot(page, "oidc-login")
    button.click()
    page.wait_for_url(f"{oidc.issuer}/**")
    provider_sign_in(page, "lan")

    # First sign-in: name and birth year come from the provider.
    expect(page.get_by_label("Họ và tên")).to_have_value("Nguyễn Thị Lan")
    expect(page.get_by_label("Năm sinh")).to_have_value("1968")
    screenshot(page, "oidc-complete")
    complete_profile(page)

    expect(page.get_by_role("heading", name="Xin chào, Nguyễn Thị Lan")).to_be_visible()
    screenshot(page, "oidc-profile")
    user = User.objects.get(full_name="Nguyễn Thị Lan")
    assert user.identity_level == 2
    assert user.national_id_hash == national_id_hash("001168000111")
    assert user.national_id_last4 == "0111"
    assert user.phone == "0912000111"
    assert not user.has_usable_password()
    assert Consent.objects.filter(user=user).count() == 1
    identity = OidcIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject, identity.level) == (
        oidc.issuer,
        "lan",
        2,
    )
    assert "001168000111" not in str(
        list(AuditLog.objects.values_list("before", "after"))
    )

    # Sign out: here, then at the provider, which sends the browser back.
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{oidc.issuer}/**")
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(
        page.get_by_text("Bạn đã đăng xuất khỏi trang này và khỏi VNeID")
    ).to_be_visible()

    # The provider's session ended too: it asks for the login again, and the
    # same subject comes back to the same account.
    page.goto(f"{live_server.url}/accounts/oidc/start/")
    provider_sign_in(page, "lan")
    expect(page.get_by_role("heading", name="Xin chào, Nguyễn Thị Lan")).to_be_visible()
    assert User.objects.filter(full_name="Nguyễn Thị Lan").count() == 1
    assert OidcIdentity.objects.count() == 1


def test_level_1_person_gets_level_1(
    page: Page, live_server: Any, oidc: RunningProvider
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    provider_sign_in(page, "binh")
    complete_profile(page)
    expect(page.get_by_role("heading", name="Xin chào, Trần Văn Bình")).to_be_visible()
    assert User.objects.get(full_name="Trần Văn Bình").identity_level == 1


def test_signed_in_account_links_after_password_check(
    page: Page, live_server: Any, oidc: RunningProvider
) -> None:
    user = UserFactory(full_name="Lê Thị Chi", username="0987000333", phone=None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Số điện thoại, email hoặc số căn cước").fill("0987000333")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", name="Xin chào, Lê Thị Chi")).to_be_visible()
    # Signing in lands on the home page; linking is on the profile.
    page.get_by_role("link", name="Hồ sơ của tôi").first.click()
    page.get_by_label("Nhập mật khẩu để xác nhận").fill(PASSWORD)
    page.get_by_role("button", name="Liên kết với VNeID").click()
    provider_sign_in(page, "chi")
    expect(
        page.get_by_text("Tài khoản của bạn đã được liên kết với VNeID")
    ).to_be_visible()
    screenshot(page, "oidc-linked")
    user.refresh_from_db()
    assert user.identity_level == 2
    assert user.national_id_last4 == "0333"
    assert OidcIdentity.objects.filter(user=user, subject="chi").exists()
    assert AuditLog.objects.filter(action="oidc.link", object_id=str(user.pk)).exists()


def test_same_citizen_id_asks_for_the_existing_accounts_password(
    page: Page, live_server: Any, oidc: RunningProvider
) -> None:
    holder = UserFactory(
        full_name="Phạm Văn Dũng",
        national_id_hash=national_id_hash("001159000444"),
        national_id_last4="0444",
    )
    page.goto(f"{live_server.url}/accounts/oidc/start/")
    provider_sign_in(page, "dung")
    expect(page.get_by_role("heading", name="Bạn đã có tài khoản")).to_be_visible()
    assert not OidcIdentity.objects.exists()  # never linked without the password
    screenshot(page, "oidc-existing")
    page.get_by_label("Nhập mật khẩu để xác nhận").fill("wrong password")
    page.get_by_role("button", name="Liên kết với VNeID").click()
    expect(page.get_by_text("Mật khẩu không đúng.")).to_be_visible()
    page.get_by_label("Nhập mật khẩu để xác nhận").fill(PASSWORD)
    page.get_by_role("button", name="Liên kết với VNeID").click()
    expect(page.get_by_role("heading", name="Xin chào, Phạm Văn Dũng")).to_be_visible()
    assert OidcIdentity.objects.get(subject="dung").user_id == holder.pk
    assert User.objects.filter(full_name="Phạm Văn Dũng").count() == 1


def test_cancelling_at_the_provider_ends_on_a_clear_page(
    page: Page, live_server: Any, oidc: RunningProvider
) -> None:
    page.goto(f"{live_server.url}/accounts/oidc/start/")
    page.get_by_role("link", name="[ Cancel ]").click()
    expect(page.get_by_role("heading", name="Chưa đăng nhập được")).to_be_visible()
    expect(page.get_by_text("Bạn đã huỷ đăng nhập")).to_be_visible()
    screenshot(page, "oidc-cancelled")
    page.get_by_role("link", name="Quay lại trang đăng nhập").click()
    expect(page.get_by_role("link", name="Đăng nhập bằng VNeID")).to_be_visible()
    assert not User.objects.exists()


def test_the_whole_sign_in_works_without_javascript(
    browser: Browser, live_server: Any, oidc: RunningProvider
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.route(_OUTSIDE, lambda route: route.abort())
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    provider_sign_in(page, "binh")
    expect(page.get_by_role("heading", name="Hoàn tất tài khoản")).to_be_visible()
    page.get_by_label("Tìm xã, phường của bạn").fill("my an hung")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_label("Xã, phường", exact=True).select_option(
        label="Xã Mỹ An Hưng — Đồng Tháp"
    )
    page.get_by_label("Tôi là").select_option(label="Người dân")
    page.get_by_label("Tôi đã đọc thông báo").check()
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_role("heading", name="Xin chào, Trần Văn Bình")).to_be_visible()
    context.close()


def test_sign_in_pages_pass_axe(
    browser: Browser, live_server: Any, oidc: RunningProvider, axe_script: str
) -> None:
    # bypass_csp lets the test inject axe-core; the pages' own CSP stays strict.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", bypass_csp=True
    )
    page = context.new_page()
    page.route(_OUTSIDE, lambda route: route.abort())
    page.goto(f"{live_server.url}/accounts/login/")
    assert axe_violations(page, axe_script) == []
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    provider_sign_in(page, "lan")
    expect(page.get_by_role("heading", name="Hoàn tất tài khoản")).to_be_visible()
    assert axe_violations(page, axe_script) == []
    page.goto(f"{live_server.url}/accounts/oidc/callback/?state=forged")
    expect(page.get_by_role("heading", name="Chưa đăng nhập được")).to_be_visible()
    assert axe_violations(page, axe_script) == []
    context.close()
