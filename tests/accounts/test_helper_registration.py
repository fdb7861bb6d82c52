"""A helper registers someone: worded for the helper, phone and e-mail optional."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse
from tests.accounts.helpers import registration_form
from tests.factories import PASSWORD, user_with_role

from hocvuso.accounts.models import Consent, ConsentMethod, User
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db

URL = "/accounts/assist/"


def _label(body: str, field: str) -> str:
    found = re.search(rf'<label for="id_{field}">(.*?)</label>', body, re.S)
    assert found is not None, field
    return found.group(1)


def test_labels_speak_to_the_helper_and_commune_is_the_helpers(client: Client) -> None:
    client.force_login(user_with_role("community_helper", commune_code=30178))
    body = client.get(URL).content.decode()
    assert "Tôi là" not in body and "Bạn sống ở đâu" not in body
    assert "Người này sống ở đâu?" in body
    assert _label(body, "full_name").startswith("Họ và tên của người được đăng ký")
    assert _label(body, "target_group").startswith("Nhóm của người đó")
    # The helper's commune is chosen already: one search fewer.
    assert re.search(r'<option value="30178" selected>', body)


def test_person_with_neither_phone_nor_email_gets_an_account(client: Client) -> None:
    helper = user_with_role("community_helper", commune_code=30178)
    client.force_login(helper)
    data = registration_form(identifier="", password="", password2="")
    refused = client.post(URL, data)
    assert "phải đồng ý để bạn hướng dẫn" in refused.content.decode()
    response = client.post(URL, data | {"guidance_consent": "on"}, follow=True)
    person = User.objects.get(full_name="Lê Văn Tư")
    assert response.redirect_chain[-1][0] == reverse(
        "accounts:assisted_detail", args=[person.pk]
    )
    body = response.content.decode()
    assert "Không có điện thoại hay email" in body
    assert person.phone is None and person.email is None
    assert not person.has_usable_password()
    assert person.registered_by == helper
    consent = Consent.objects.get(user=person)
    assert consent.method == ConsentMethod.ASSISTED and consent.recorded_by == helper
    assert AuditLog.objects.filter(action="account.register.assisted").count() == 1


def test_a_password_needs_a_phone_and_a_phone_needs_a_password(client: Client) -> None:
    client.force_login(user_with_role("community_helper", commune_code=30178))
    no_password = client.post(URL, registration_form(password="", password2=""))
    assert "Hãy đặt mật khẩu" in no_password.content.decode()
    no_phone = client.post(URL, registration_form(identifier=""))
    assert "Mật khẩu cần có số điện thoại" in no_phone.content.decode()
    assert not User.objects.filter(full_name="Lê Văn Tư").exists()


def test_self_registration_still_needs_a_phone_or_email(client: Client) -> None:
    data = registration_form(identifier="", password="", password2="")
    response = client.post(reverse("accounts:register"), data)
    assert response.status_code == 200
    assert not User.objects.filter(full_name="Lê Văn Tư").exists()


@pytest.mark.parametrize("url", ["/accounts/assist/", "/accounts/register/"])
def test_phone_typed_with_spaces_signs_in_with_any_spelling(
    client: Client, url: str
) -> None:
    if url == URL:
        client.force_login(user_with_role("community_helper", commune_code=30178))
    client.post(url, registration_form(identifier="0903 555 666"))
    person = User.objects.get(full_name="Lê Văn Tư")
    assert person.phone == person.username == "0903555666"
    for spelling in ("0903 555 666", "0903555666", "+84 903 555 666", "0903.555.666"):
        assert authenticate(username=spelling, password=PASSWORD) == person
