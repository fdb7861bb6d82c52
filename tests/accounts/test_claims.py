"""Claim codes: the card, taking the account over, the rules around both."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from tests.accounts.assisted import AN_BINH, MY_AN_HUNG, guiding_client, helped_learner
from tests.factories import user_with_role

from hocvuso.accounts.claims import (
    ALPHABET,
    account_claim,
    claim_code_issue,
    claim_find,
    code_format,
    code_hash,
)
from hocvuso.accounts.errors import ClaimRefused, PermissionDeniedError
from hocvuso.accounts.models import ClaimCode, GuidanceGrant, Role, User
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "cay-lua-vang-2027"
WRONG = "Mã này không đúng hoặc không còn dùng được"


def _claim(client: Client, code: str) -> Any:
    return client.post("/accounts/claim/", {"code": code})


def _account(client: Client, **data: str) -> Any:
    form = {"password": NEW_PASSWORD, "password2": NEW_PASSWORD} | data
    return client.post("/accounts/claim/account/", form)


def test_code_is_ten_unambiguous_characters_and_only_its_hash_is_stored() -> None:
    pair = helped_learner()
    claim, code = claim_code_issue(
        actor=pair.helper, learner=pair.learner, rng=random.Random(3)
    )
    assert len(code) == 10 and set(code) <= set(ALPHABET)
    assert not set("IL01O") & set(ALPHABET)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}", code_format(code))
    assert claim.code_hash == code_hash(code) and code not in claim.code_hash
    assert claim.expires_at - timezone.now() > timedelta(days=89)
    # Typed in small letters with spaces, it still matches.
    typed = code_format(code).lower().replace("-", " ")
    assert claim_find(typed) == claim
    assert AuditLog.objects.filter(action="claim.issue", actor_id=pair.helper.pk)


def test_new_card_voids_the_old_code() -> None:
    pair = helped_learner()
    _first, old = claim_code_issue(actor=pair.helper, learner=pair.learner)
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=MY_AN_HUNG)
    _second, new = claim_code_issue(actor=officer, learner=pair.learner)
    assert claim_find(old) is None and claim_find(new) is not None
    live = ClaimCode.objects.filter(learner=pair.learner, voided_at__isnull=True)
    assert live.count() == 1


def test_only_the_helper_or_an_officer_of_the_commune_prints_a_card() -> None:
    pair = helped_learner()
    for actor in (
        user_with_role(Role.COMMUNITY_HELPER, commune_code=MY_AN_HUNG),  # no grant
        user_with_role(Role.COMMUNITY_HELPER, commune_code=AN_BINH),
        user_with_role(Role.COMMUNE_OFFICER, commune_code=AN_BINH),
    ):
        with pytest.raises(PermissionDeniedError):
            claim_code_issue(actor=actor, learner=pair.learner)
    assert not ClaimCode.objects.exists()


def test_card_page_shows_name_qr_and_code_once(client: Client) -> None:
    pair = helped_learner()
    client.force_login(pair.helper)
    response = client.post(f"/accounts/assisted/{pair.learner.pk}/card/")
    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    code = re.search(r'data-testid="claim-code">([A-Z0-9-]+)<', body)
    assert code is not None
    assert "Nguyễn Văn A" in body and "data:image/svg+xml" in body
    assert response.context["url"].endswith(f"/accounts/claim/?code={code.group(1)}")
    assert claim_find(code.group(1)) is not None


def test_person_claims_the_account_and_the_helpers_access_ends() -> None:
    pair = helped_learner()
    helper = guiding_client(pair)
    _claim_row, code = claim_code_issue(actor=pair.helper, learner=pair.learner)

    phone = Client()
    prefilled = phone.get("/accounts/claim/", {"code": code_format(code)})
    assert code_format(code) in prefilled.content.decode()
    assert _claim(phone, code_format(code)).status_code == 302
    form = phone.get("/accounts/claim/account/").content.decode()
    assert "Năm sinh của bạn" in form and "Nguyễn Văn A" in form
    response = _account(phone, detail="1958", phone="0912 345 678")
    assert response.status_code == 302 and response["Location"] == "/accounts/me/"

    learner = User.objects.get(pk=pair.learner.pk)
    assert learner.check_password(NEW_PASSWORD)
    assert learner.phone == learner.username == "0912345678"
    assert "Nguyễn Văn A" in phone.get("/accounts/me/").content.decode()
    grant = GuidanceGrant.objects.get(pk=pair.grant.pk)
    assert grant.end_reason == GuidanceGrant.EndReason.CLAIMED
    # The helper's guided session stops at their very next request.
    page = helper.get("/learn/").content.decode()
    assert "Đang hướng dẫn:" not in page
    assert helper.post(f"/accounts/assisted/{learner.pk}/guide/").status_code == 404
    assert AuditLog.objects.filter(action="account.claim", actor_id=learner.pk)
    # Single use: the same code now gets the answer any wrong code gets.
    again = _claim(Client(), code)
    assert again.status_code == 400 and WRONG in again.content.decode()
    # A new sign-in works with the new password.
    fresh = Client()
    fresh.post("/accounts/login/", {"username": "0912345678", "password": NEW_PASSWORD})
    assert fresh.get("/accounts/me/").status_code == 200


def test_wrong_expired_and_used_codes_get_the_same_answer() -> None:
    pair = helped_learner()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _row, code = claim_code_issue(actor=pair.helper, learner=pair.learner)
        wrong = _claim(Client(), "WXYZ-WXYZ-WX")
        clock.shift(timedelta(days=91))
        expired = _claim(Client(), code)
    bodies = [
        re.sub(r'value="[A-Za-z0-9]{64}"', "", r.content.decode())
        for r in (wrong, expired)
    ]
    assert [r.status_code for r in (wrong, expired)] == [400, 400]
    assert all(WRONG in b for b in bodies)
    assert bodies[0].replace("WXYZ-WXYZ-WX", "") == bodies[1].replace(
        code_format(code), ""
    ).replace(code, "")


def test_wrong_detail_is_refused_and_five_void_the_code() -> None:
    pair = helped_learner()
    claim, code = claim_code_issue(actor=pair.helper, learner=pair.learner)
    phone = Client()
    _claim(phone, code)
    response = _account(phone, detail="1960")
    assert response.status_code == 400
    assert "Thông tin này không khớp" in response.content.decode()
    for _n in range(3):
        _account(phone, detail="1961")
    with pytest.raises(ClaimRefused):
        account_claim(claim_id=claim.pk, check="1962", phone="", password=NEW_PASSWORD)
    claim.refresh_from_db()
    assert claim.failed_checks == 5 and claim.voided_at is not None
    assert claim_find(code) is None
    learner = User.objects.get(pk=pair.learner.pk)
    assert not learner.check_password(NEW_PASSWORD)
    assert GuidanceGrant.objects.get(pk=pair.grant.pk).active


def test_citizen_id_digits_are_asked_when_the_account_holds_them() -> None:
    pair = helped_learner(birth_year=None)
    pair.learner.national_id_last4 = "4821"
    pair.learner.save()
    _row, code = claim_code_issue(actor=pair.helper, learner=pair.learner)
    phone = Client()
    _claim(phone, code)
    assert "4 số cuối" in phone.get("/accounts/claim/account/").content.decode()
    assert _account(phone, detail="4821").status_code == 302


def test_bad_password_changes_nothing() -> None:
    pair = helped_learner()
    claim, code = claim_code_issue(actor=pair.helper, learner=pair.learner)
    phone = Client()
    _claim(phone, code)
    response = _account(phone, detail="1958", password="12345678", password2="12345678")
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.used_at is None and GuidanceGrant.objects.get(pk=pair.grant.pk).active


def test_phone_number_of_someone_else_is_refused() -> None:
    pair = helped_learner()
    taken = user_with_role(Role.LEARNER, commune_code=MY_AN_HUNG)
    _row, code = claim_code_issue(actor=pair.helper, learner=pair.learner)
    phone = Client()
    _claim(phone, code)
    response = _account(phone, detail="1958", phone=str(taken.phone))
    assert response.status_code == 400
    assert "đã được đăng ký" in response.content.decode()


def test_wrong_codes_are_rate_limited_per_address(settings: Any) -> None:
    settings.HOCVUSO_CLAIM_RATE = "3/h"
    pair = helped_learner()
    _row, code = claim_code_issue(actor=pair.helper, learner=pair.learner)
    guesser = Client()
    statuses = [_claim(guesser, f"ABCD-EFGH-J{c}").status_code for c in "KMNP"]
    assert statuses == [400, 400, 400, 429]
    # Even the right code waits out the window from that address...
    assert _claim(guesser, code).status_code == 429
    # ...while right codes from elsewhere do not count.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _claim(other, code).status_code == 302


def test_admin_shows_grants_and_codes_read_only(admin_client: Client) -> None:
    pair = helped_learner()
    claim, _code = claim_code_issue(actor=pair.helper, learner=pair.learner)
    grants = admin_client.get("/admin/accounts/guidancegrant/")
    assert grants.status_code == 200 and "Nguyễn Văn A" in grants.content.decode()
    page = admin_client.get(f"/admin/accounts/claimcode/{claim.pk}/change/")
    assert page.status_code == 200 and claim.code_hash not in page.content.decode()
    assert admin_client.get("/admin/accounts/claimcode/add/").status_code == 403
