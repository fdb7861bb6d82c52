"""Pages: the learner's certificates, officers' results, public verification."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.factories import user_with_role

from hocvuso.core.tasks import tasks_run_pending
from hocvuso.credentials.models import Certificate, Confirmation

from .conftest import COMMUNE, OTHER_COMMUNE

pytestmark = pytest.mark.django_db


def test_verify_valid_revoked_unknown(client: Client, sitting_factory: Any) -> None:
    sitting_factory(identity_level=2)
    certificate = Certificate.objects.get()
    page = client.get(f"/verify/{certificate.code}")
    body = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-cache"
    assert "Chứng nhận này còn giá trị" in body
    assert "Nguyễn T. Á." in body and "Nguyễn Thị Ánh" not in body
    assert "Xã Mỹ An Hưng, Đồng Tháp" in body
    as_json = client.get(f"/verify/{certificate.code}.json").json()
    assert as_json["status"] == "valid"
    assert as_json["certificate"]["name"] == "Nguyễn T. Á."
    assert set(as_json["certificate"]) == {
        "name", "target_group", "level", "issued_on", "issuer",
        "version", "reissued_on", "revoked_on",
    }  # fmt: skip
    by_header = client.get(
        f"/verify/{certificate.code}", headers={"Accept": "application/json"}
    )
    assert by_header.json() == as_json
    # Typed by hand, in groups and lower case: the same certificate.
    typed = "-".join(certificate.code[i : i + 4] for i in range(0, 20, 4)).lower()
    assert client.get(f"/verify/?code={typed}")["Location"] == (
        f"/verify/{certificate.code}"
    )
    officer = user_with_role("commune_officer", commune_code=COMMUNE)
    client.force_login(officer)
    result_id = certificate.confirmation.result_id
    client.post(f"/certificates/manage/{result_id}/revoke", {"reason": "Thi hộ"})
    client.logout()
    revoked = client.get(f"/verify/{certificate.code}.json").json()
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert revoked["status"] == "revoked"
    revoked_on = timezone.localdate(certificate.revoked_at).isoformat()
    assert revoked["certificate"]["revoked_on"] == revoked_on
    html = client.get(f"/verify/{certificate.code}").content.decode()
    day = timezone.localdate(certificate.revoked_at).strftime("%d/%m/%Y")
    assert f"đã bị thu hồi ngày {day}" in html
    for code in ("AAAAAAAAAAAAAAAAAAAA", "nope", "x" * 300):
        unknown = client.get(f"/verify/{code}.json")
        assert unknown.status_code == 404
        assert set(unknown.json()) == set(revoked)
        assert unknown.json()["status"] == "unknown"
        assert unknown.json()["certificate"] is None
    page = client.get("/verify/AAAAAAAAAAAAAAAAAAAA")
    assert (
        page.status_code == 404 and "Không có chứng nhận nào" in page.content.decode()
    )


def test_verify_is_rate_limited_per_ip(client: Client, settings: Any) -> None:
    settings.HOCVUSO_VERIFY_RATE = "3/m"
    codes = [client.get(f"/verify/CODE{i}.json").status_code for i in range(5)]
    assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]


def test_learner_downloads_their_certificate(
    client: Client, sitting_factory: Any
) -> None:
    s = sitting_factory(identity_level=2)
    certificate = Certificate.objects.get()
    client.force_login(s.learner)
    assert "Chứng nhận của tôi" in client.get("/accounts/me/").content.decode()
    result_page = client.get(f"/assess/results/{s.result.pk}/").content.decode()
    assert "/certificates/" in result_page
    mine = client.get("/certificates/").content.decode()
    assert "-".join(certificate.code[i : i + 4] for i in range(0, 20, 4)) in mine
    url = f"/certificates/{certificate.pk}/certificate.pdf"
    assert url in mine
    pdf = client.get(url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get(url + "?lang=en").content.startswith(b"%PDF")
    # Someone else's certificate is not found.
    other = sitting_factory(identity_level=2, name="Trần Văn Bình")
    client.force_login(other.learner)
    assert client.get(url).status_code == 404


def test_officers_see_and_act_on_their_unit_only(
    client: Client, sitting_factory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    s = sitting_factory()  # supervised pass, identity not verified yet
    sitting_factory(supervised=False, identity_level=2, name="Lê Văn Cường")
    result_id = s.result.pk
    outsider = user_with_role("commune_officer", commune_code=OTHER_COMMUNE)
    hanoi = user_with_role("province_officer", province_code=1)
    for user in (outsider, hanoi):
        client.force_login(user)
        listing = client.get("/certificates/manage/").content.decode()
        assert "Nguyễn Thị Ánh" not in listing
        assert client.get(f"/certificates/manage/{result_id}/").status_code == 404
        assert (
            client.post(f"/certificates/manage/{result_id}/confirm").status_code == 404
        )
    client.force_login(s.learner)
    assert client.get("/certificates/manage/").status_code == 404
    officer = user_with_role("commune_officer", commune_code=COMMUNE)
    client.force_login(officer)
    listing = client.get("/certificates/manage/").content.decode()
    assert "Nguyễn Thị Ánh" in listing and "Lê Văn Cường" in listing
    detail = client.get(f"/certificates/manage/{result_id}/").content.decode()
    assert "Chưa xác thực danh tính" in detail
    # The supervisor checks the ID card on the supervision page.
    client.force_login(s.supervisor)
    sup_page = client.get(f"/assess/supervise/{s.sup.pk}/").content.decode()
    assert "Nguyễn Thị Ánh" in sup_page and "Đã kiểm tra CCCD" in sup_page
    client.force_login(outsider)
    check_url = f"/assess/supervise/{s.sup.pk}/check/{s.result.session_id}/"
    assert client.post(check_url).status_code == 404
    assert client.get(f"/assess/supervise/{s.sup.pk}/").status_code == 404
    client.force_login(s.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(check_url).status_code == 302
    tasks_run_pending()
    assert Confirmation.objects.filter(result_id=result_id).exists()
    client.force_login(officer)
    confirmed = client.get("/certificates/manage/?status=confirmed").content.decode()
    assert "Nguyễn Thị Ánh" in confirmed and "Lê Văn Cường" not in confirmed
    unconfirmed = client.get("/certificates/manage/?status=unconfirmed").content
    assert "Lê Văn Cường" in unconfirmed.decode()
    # Re-issue with a corrected name keeps the code.
    certificate = Certificate.objects.get(confirmation__result_id=result_id)
    client.force_login(outsider)
    reissue = f"/certificates/manage/{result_id}/reissue"
    form = {"name": "Nguyễn Thị Ánh Hồng", "reason": "Sửa tên", "language": ""}
    assert client.post(reissue, form).status_code == 404
    client.force_login(officer)
    assert client.post(reissue, {"name": "X", "reason": ""}).status_code == 302
    assert Certificate.objects.get(pk=certificate.pk).version == 1
    client.post(reissue, form)
    again = Certificate.objects.get(pk=certificate.pk)
    assert again.version == 2 and again.code == certificate.code
    verify = client.get(f"/verify/{certificate.code}.json").json()
    assert verify["status"] == "valid" and verify["certificate"]["version"] == 2
    assert verify["certificate"]["name"] == "Nguyễn T. Á. H."
    # Revoking needs a reason.
    revoke = f"/certificates/manage/{result_id}/revoke"
    client.post(revoke, {"reason": ""})
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is None
    client.force_login(hanoi)
    assert client.post(revoke, {"reason": "Sai"}).status_code == 404
    client.force_login(officer)
    client.post(revoke, {"reason": "Thi hộ"})
    assert Certificate.objects.get(pk=certificate.pk).revoked_at is not None
    detail = client.get(f"/certificates/manage/{result_id}/").content.decode()
    assert certificate.code in detail and "Thi hộ" in detail
    assert "Cấp lại (giữ nguyên mã)" not in detail
    client.force_login(s.learner)
    assert (
        client.get(f"/certificates/{certificate.pk}/certificate.pdf").status_code == 404
    )
    assert "Đã thu hồi ngày" in client.get("/certificates/").content.decode()


def test_verify_payload_has_no_personal_identifiers(
    client: Client, sitting_factory: Any
) -> None:
    s = sitting_factory(identity_level=2)
    certificate = Certificate.objects.get()
    text = json.dumps(client.get(f"/verify/{certificate.code}.json").json())
    assert s.learner.username not in text  # the phone number
    assert "1970" not in text  # the birth year
    assert "Thị Ánh" not in text
