"""The provider's sign-in pages: off without an issuer, clear pages on errors.

A real provider process (tests/accounts/oidc/provider.mjs) answers discovery
and authorization; the whole browser flow is in tests/e2e/test_oidc.py.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from tests.accounts.oidc.provider import RunningProvider, provider_running
from tests.accounts.test_oidc_services import LAN, create
from tests.factories import PASSWORD, UserFactory

from hocvuso.accounts.models import LimitEvent, OidcIdentity, User
from hocvuso.accounts.oidc_client import oidc_forget

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def provider() -> Iterator[RunningProvider]:
    with provider_running(
        redirect_uri="http://testserver/accounts/oidc/callback/",
        post_logout_uri="http://testserver/accounts/oidc/signed-out/",
    ) as running:
        yield running


@pytest.fixture
def on(provider: RunningProvider) -> Iterator[RunningProvider]:
    oidc_forget()
    with override_settings(**provider.settings()):
        yield provider
    oidc_forget()


def test_off_without_an_issuer(client: Client) -> None:
    with override_settings(HOCVUSO_OIDC_ISSUER=""):
        for name in ("start", "callback", "complete", "existing", "signed-out"):
            assert client.get(f"/accounts/oidc/{name}/").status_code == 404
        page = client.get("/accounts/login/").content.decode()
    assert "VNeID" not in page


def test_the_button_leads_to_the_provider_with_pkce_state_and_nonce(
    client: Client, on: RunningProvider
) -> None:
    page = client.get("/accounts/login/?next=/learn/").content.decode()
    assert "Đăng nhập bằng VNeID" in page
    assert 'href="/accounts/oidc/start/?next=/learn/"' in page
    response = client.get("/accounts/oidc/start/")
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}" == on.issuer
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert query["state"] and query["nonce"]
    assert query["redirect_uri"] == "http://testserver/accounts/oidc/callback/"
    assert set(query["scope"].split()) == {"openid", "profile", "phone", "vneid"}
    assert "form-action 'self' " + on.issuer in response["Content-Security-Policy"]


def test_a_callback_with_a_bad_state_ends_on_a_clear_page_and_counts(
    client: Client, on: RunningProvider
) -> None:
    client.get("/accounts/oidc/start/")
    response = client.get("/accounts/oidc/callback/?code=abc&state=forged")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Lượt đăng nhập này đã hết hạn" in page
    assert 'href="/accounts/login/"' in page
    assert LimitEvent.objects.filter(scope=LimitEvent.Scope.SIGNIN_IP).count() == 1


def test_too_many_bad_callbacks_from_an_address_are_refused(
    client: Client, on: RunningProvider
) -> None:
    with override_settings(HOCVUSO_LOGIN_IP_RATE="2/m"):
        for _ in range(2):
            assert client.get("/accounts/oidc/callback/?state=x").status_code == 400
        assert client.get("/accounts/oidc/callback/?state=x").status_code == 429


def test_cancel_at_the_provider_is_a_clear_403(
    client: Client, on: RunningProvider
) -> None:
    response = client.get(
        "/accounts/oidc/callback/?error=access_denied&state=x"
        "&error_description=End-User+aborted+interaction"
    )
    assert response.status_code == 403
    assert "Bạn đã huỷ đăng nhập" in response.content.decode()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_provider_that_is_down_gives_a_503_page_not_a_500(client: Client) -> None:
    oidc_forget()
    with override_settings(
        HOCVUSO_OIDC_ISSUER=f"http://127.0.0.1:{_closed_port()}",
        HOCVUSO_OIDC_CLIENT_ID="x",
    ):
        response = client.get("/accounts/oidc/start/")
    oidc_forget()
    assert response.status_code == 503
    assert "Hiện không kết nối được với dịch vụ định danh" in response.content.decode()


def test_discovery_naming_another_issuer_is_refused(
    client: Client, on: RunningProvider
) -> None:
    oidc_forget()
    with override_settings(HOCVUSO_OIDC_ISSUER=on.issuer + "/"):
        # A trailing slash is the same issuer.
        assert client.get("/accounts/oidc/start/").status_code == 302
    oidc_forget()
    # The same server under another name: its document names another issuer.
    elsewhere = on.issuer.replace("127.0.0.1", "localhost")
    with override_settings(HOCVUSO_OIDC_ISSUER=elsewhere):
        response = client.get("/accounts/oidc/start/")
    assert response.status_code == 503
    assert "chưa được cài đặt đúng" in response.content.decode()


def test_linking_needs_the_password(client: Client, on: RunningProvider) -> None:
    user = UserFactory()
    client.force_login(user)
    page = client.get("/accounts/me/").content.decode()
    assert "Liên kết với VNeID" in page
    wrong = client.post("/accounts/oidc/link/", {"password": "not it"})
    assert wrong.status_code == 302 and wrong["Location"] == "/accounts/me/"
    right = client.post("/accounts/oidc/link/", {"password": PASSWORD})
    assert right.status_code == 302 and right["Location"].startswith(on.issuer)


def test_sign_out_without_the_provider_stays_local(
    client: Client, on: RunningProvider
) -> None:
    client.force_login(UserFactory())
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_admin_shows_identities_read_only(client: Client) -> None:
    admin = User.objects.create_superuser(username="root", password=PASSWORD)
    user = UserFactory()
    OidcIdentity.objects.create(
        user=user,
        issuer="https://sso.example.vn",
        subject="s-1",
        level=2,
        seen_at="2026-03-02T01:00:00Z",
    )
    client.force_login(admin)
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert page.status_code == 200
    assert "https://sso.example.vn" in page.content.decode()


def test_a_code_the_provider_does_not_know_is_refused_cleanly(
    client: Client, on: RunningProvider
) -> None:
    start = client.get("/accounts/oidc/start/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get(f"/accounts/oidc/callback/?code=made-up&state={state}")
    assert response.status_code == 400
    assert "Lượt đăng nhập này đã hết hạn" in response.content.decode()
    assert not User.objects.filter(oidc_identities__isnull=False).exists()


def test_an_account_without_password_deletes_after_a_recent_provider_sign_in(
    client: Client,
) -> None:
    with override_settings(
        HOCVUSO_OIDC_ISSUER="https://sso.example.vn", HOCVUSO_OIDC_CLIENT_ID="x"
    ):
        user = create(LAN)
        client.force_login(user)
        page = client.get("/accounts/me/data/").content.decode()
        assert 'name="confirm"' in page and 'name="password"' not in page
        # Signed in some other way (or long ago): asked to sign in again.
        refused = client.post("/accounts/me/data/", {"form": "delete", "confirm": "on"})
        assert "đăng nhập lại" in refused.content.decode()
        session = client.session
        session["_hocvuso_oidc_issuer"] = "https://sso.example.vn"
        session["_hocvuso_oidc_signed_in_at"] = timezone.now().timestamp()
        session.save()
        done = client.post("/accounts/me/data/", {"form": "delete", "confirm": "on"})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.anonymised_at is not None
    assert not OidcIdentity.objects.filter(user=user).exists()
