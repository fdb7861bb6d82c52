from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from tests.accounts.helpers import registration_form
from tests.factories import PASSWORD, commune, learner_in, user_with_role

from hocvuso.accounts.models import DataRequest, User
from hocvuso.accounts.services import RegistrationData, account_register
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db


def form_data(**kw: str) -> dict[str, str]:
    return registration_form(**kw)


def test_register_page_renders_in_vietnamese(client: Client) -> None:
    response = client.get(reverse("accounts:register"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="vi"' in body and "Tạo tài khoản" in body
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_register_labels_say_optional_once_and_only_where_true(
    client: Client,
) -> None:
    body = client.get(reverse("accounts:register")).content.decode()
    label = re.search(r'<label for="id_national_id">(.*?)</label>', body, re.S)
    assert label is not None and label.group(1).count("không bắt buộc") == 1
    assert "Số căn cước (12 số)" in label.group(1)
    # The commune is required: its search box must not say "optional".
    search = re.search(r'<label for="id_commune_q">(.*?)</label>', body, re.S)
    assert search is not None and "không bắt buộc" not in search.group(1)


def test_register_signs_in_and_lands_on_the_learners_home(client: Client) -> None:
    response = client.post(reverse("accounts:register"), form_data(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    body = response.content.decode()
    assert "Lê Văn Tư" in body and "Nông dân" in body
    assert "Bắt đầu học" in body and "Làm bài đánh giá" in body
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Mỹ An Hưng" in profile and "Nông dân" in profile


def test_register_search_button_lists_communes_without_js(client: Client) -> None:
    response = client.post(
        reverse("accounts:register"),
        form_data(commune_q="my an hung", commune="", action="search"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    # The only match is chosen, and the typed passwords are still there.
    assert '<option value="30178" selected>Xã Mỹ An Hưng — Đồng Tháp</option>' in body
    assert body.count(f'value="{form_data()["password"]}"') == 2
    assert not User.objects.exists()


def form_errors(body: str) -> list[str]:
    """Return the texts of the form's error lists (field and form errors)."""
    lists = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, re.S)
    return [m for ul in lists for m in re.findall(r"<li>(.*?)</li>", ul, re.S)]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password2": "khac-mat-khau-1"}, "không khớp"),
        ({"consent": ""}, "Trường này là bắt buộc"),
        ({"commune": "999999"}, "Lựa chọn đó không phải"),
        ({"birth_year": "abc"}, "Nhập một số"),
        ({"identifier": "hello"}, "số điện thoại"),
    ],
)
def test_register_bad_input_shows_message_and_writes_nothing(
    client: Client, changes: dict[str, str], message: str
) -> None:
    response = client.post(reverse("accounts:register"), form_data(**changes))
    assert response.status_code == 200
    errors = form_errors(response.content.decode())
    assert len(errors) == 1 and message in errors[0], errors
    assert not User.objects.exists()


def test_commune_options_partial(client: Client) -> None:
    response = client.get(reverse("accounts:commune_options"), {"commune_q": "MY AN"})
    body = response.content.decode()
    assert "Xã Mỹ An Hưng" in body and "Xã Mỹ An —" in body
    empty = client.get(reverse("accounts:commune_options"), {"commune_q": "zzzz"})
    assert "không tìm thấy" in empty.content.decode()


@pytest.mark.parametrize("login", ["0912345678", "+84 912 345 678", "001099012345"])
def test_login_with_phone_or_national_id(client: Client, login: str) -> None:
    account_register(
        actor=None,
        data=RegistrationData(
            full_name="Phạm Thị Năm",
            identifier="0912345678",
            password=PASSWORD,
            birth_year=None,
            target_group=None,
            commune=None,
            national_id="001099012345",
        ),
        consent_given=True,
    )
    response = client.post(
        reverse("accounts:login"), {"username": login, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_login_is_rate_limited(client: Client, clock: object) -> None:
    learner_in(30178)
    url = reverse("accounts:login")
    for _ in range(5):
        response = client.post(url, {"username": "0900000000", "password": "sai"})
        assert response.status_code == 200
        assert form_errors(response.content.decode()) == [
            "Thông tin đăng nhập không đúng. Vui lòng kiểm tra và thử lại."
        ]
    response = client.post(url, {"username": "0900000000", "password": "sai"})
    assert response.status_code == 429
    assert "Quá nhiều lần thử" in response.content.decode()


def test_profile_requires_sign_in(client: Client) -> None:
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_data_download_contains_everything(client: Client) -> None:
    user = learner_in(30178)
    client.force_login(user)
    response = client.get(reverse("accounts:my_data_download"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["id"] == str(user.pk)
    assert data["profile"]["commune"]["code"] == 30178
    assert data["roles"][0]["role"] == "learner"


def test_my_data_correction_and_deletion(client: Client) -> None:
    user = learner_in(30178)
    client.force_login(user)
    url = reverse("accounts:my_data")
    client.post(url, {"form": "correction", "message": "Tên tôi viết sai"})
    assert DataRequest.objects.get(user=user).message == "Tên tôi viết sai"
    wrong = client.post(url, {"form": "delete", "password": "sai-mat-khau"})
    assert form_errors(wrong.content.decode()) == ["Mật khẩu không đúng."]
    assert User.objects.get(pk=user.pk).anonymised_at is None
    response = client.post(url, {"form": "delete", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.anonymised_at is not None and user.phone is None
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_helper_page_is_for_helpers_only(client: Client) -> None:
    client.force_login(learner_in(30178))
    assert client.get(reverse("accounts:assist_register")).status_code == 403
    helper = user_with_role("community_helper", commune_code=30178)
    client.force_login(helper)
    response = client.post(
        reverse("accounts:assist_register"), form_data(), follow=True
    )
    assert "Đã tạo tài khoản" in response.content.decode()
    assert User.objects.get(phone="0987654321").registered_by == helper


def test_language_switch_to_english(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("accounts:register")).content.decode()
    assert 'lang="en"' in body and "Create account" in body


def test_privacy_notice_names_the_law(client: Client) -> None:
    body = client.get(reverse("accounts:privacy")).content.decode()
    assert "91/2025/QH15" in body and "2026-01" in body


def test_profile_edit_changes_commune(client: Client) -> None:
    user = learner_in(30178)
    client.force_login(user)
    data = form_data(commune="70", full_name="Tên Mới")
    response = client.post(reverse("accounts:profile_edit"), data)
    assert response.status_code == 302
    assert user.profile.__class__.objects.get(user=user).commune == commune(70)
    assert AuditLog.objects.filter(action="profile.update").exists()
