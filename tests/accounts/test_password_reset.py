"""Password reset without e-mail: by SMS or in person (#12)."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.accounts.assisted import AN_BINH, MY_AN_HUNG, helped_learner
from tests.factories import PASSWORD, learner_in, user_with_role

from hocvuso.accounts.models import PasswordResetCode, Role, User
from hocvuso.accounts.password_reset import (
    MAX_FAILED_CHECKS,
    ResetRefused,
    password_reset_confirm,
    reset_code_issue_in_person,
    reset_code_send_sms,
)
from hocvuso.accounts.sms import MemorySender
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "cay-lua-vang-2027"
REFUSED = "Mã này không đúng hoặc không còn dùng được"


@pytest.fixture(autouse=True)
def memory_sms(settings: Any) -> list[Any]:
    settings.HOCVUSO_SMS_SENDER = "hocvuso.accounts.sms.MemorySender"
    MemorySender.outbox.clear()
    return MemorySender.outbox


def _ask(client: Client, capture: Any, phone: str) -> Any:
    with capture(execute=True):
        return client.post("/accounts/password/forgot/", {"phone": phone})


def _sms_code() -> str:
    match = re.search(r"\b(\d{6})\b", MemorySender.outbox[-1].text)
    assert match is not None
    return match.group(1)


def _reset(client: Client, identifier: str, code: str, **extra: str) -> Any:
    form = {
        "identifier": identifier,
        "code": code,
        "password": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    } | extra
    return client.post("/accounts/password/reset/", form)


def test_sign_in_page_links_to_forgot_password(client: Client) -> None:
    body = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password/forgot/">Quên mật khẩu?</a>' in body
    forgot = client.get("/accounts/password/forgot/").content.decode()
    assert "tin nhắn" in forgot and "cán bộ xã" in forgot


def test_sms_code_sets_a_new_password_once_and_signs_in(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    user = learner_in(MY_AN_HUNG)
    response = _ask(client, django_capture_on_commit_callbacks, "0" + user.phone[1:])
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/"
    assert [m.phone for m in MemorySender.outbox] == [user.phone]
    code = _sms_code()
    # The phone is filled in on the next page.
    page = client.get("/accounts/password/reset/").content.decode()
    assert f'value="{user.phone}"' in page
    response = _reset(client, user.phone, code)
    assert response.status_code == 302 and response["Location"] == "/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get("/").context["learner"] == user  # signed in
    actions = list(
        AuditLog.objects.filter(action__startswith="password.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["password.reset", "password.reset_issue"]
    # Used once: the same code no longer works.
    other = "khac-hoan-toan-99"
    again = _reset(Client(), user.phone, code, password=other, password2=other)
    assert REFUSED in again.content.decode()


def test_unknown_and_known_numbers_get_the_same_answer(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    user = learner_in(MY_AN_HUNG)
    known = _ask(client, django_capture_on_commit_callbacks, user.phone)
    unknown = _ask(Client(), django_capture_on_commit_callbacks, "0911222333")
    assert (known.status_code, known["Location"]) == (
        unknown.status_code,
        unknown["Location"],
    )
    assert len(MemorySender.outbox) == 1
    # Wrong codes for a number without an account get the usual refusal.
    body = _reset(client, "0911222333", "123456").content.decode()
    assert REFUSED in body


def test_code_expires(django_capture_on_commit_callbacks: Any) -> None:
    user = learner_in(MY_AN_HUNG)
    start = timezone.now()
    rng = random.Random(4)
    with django_capture_on_commit_callbacks(execute=True):
        assert reset_code_send_sms(phone=user.phone, now=start, rng=rng)
    code = _sms_code()
    with pytest.raises(ResetRefused):
        password_reset_confirm(
            identifier=user.phone,
            code=code,
            password=NEW_PASSWORD,
            now=start + timedelta(minutes=16),
        )
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_five_wrong_codes_void_the_code(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = learner_in(MY_AN_HUNG)
    with django_capture_on_commit_callbacks(execute=True):
        reset_code_send_sms(phone=user.phone, rng=random.Random(1))
    code = _sms_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_FAILED_CHECKS):
        with pytest.raises(ResetRefused):
            password_reset_confirm(
                identifier=user.phone, code=wrong, password=NEW_PASSWORD
            )
    with pytest.raises(ResetRefused):  # even the right code is too late now
        password_reset_confirm(identifier=user.phone, code=code, password=NEW_PASSWORD)
    assert PasswordResetCode.objects.get().voided_at is not None


def test_a_new_code_voids_the_previous_one(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = learner_in(MY_AN_HUNG)
    with django_capture_on_commit_callbacks(execute=True):
        reset_code_send_sms(phone=user.phone, rng=random.Random(2))
    first = _sms_code()
    with django_capture_on_commit_callbacks(execute=True):
        reset_code_send_sms(phone=user.phone, rng=random.Random(3))
    assert first != _sms_code()
    with pytest.raises(ResetRefused):
        password_reset_confirm(identifier=user.phone, code=first, password=NEW_PASSWORD)
    assert PasswordResetCode.objects.filter(voided_at__isnull=True).count() == 1


def test_requests_are_limited_per_number_and_per_address(
    client: Client, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = learner_in(MY_AN_HUNG)
    for _ in range(3):
        _ask(Client(), django_capture_on_commit_callbacks, user.phone)
    fourth = _ask(Client(), django_capture_on_commit_callbacks, user.phone)
    assert fourth.status_code == 302  # the same answer, but no message
    assert len(MemorySender.outbox) == 3
    settings.HOCVUSO_RESET_IP_RATE = "6/h"  # 4 asked already from this address
    for _ in range(2):
        assert (
            _ask(client, django_capture_on_commit_callbacks, "0911000111").status_code
            == 302
        )
    assert (
        _ask(client, django_capture_on_commit_callbacks, "0911000111").status_code
        == 429
    )


def test_code_checks_are_limited_per_address(client: Client, settings: Any) -> None:
    settings.HOCVUSO_RESET_CHECK_RATE = "2/h"
    user = learner_in(MY_AN_HUNG)
    for _ in range(2):
        assert _reset(client, user.phone, "123456").status_code == 200
    assert _reset(client, user.phone, "123456").status_code == 429


def test_helper_gives_a_code_in_person_and_it_is_audited(client: Client) -> None:
    pair = helped_learner()
    client.force_login(pair.helper)
    page = client.get("/accounts/password/in-person/")
    assert page.status_code == 200
    response = client.post(
        "/accounts/password/in-person/",
        {"identifier": pair.learner.username, "checked": "on"},
    )
    body = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    code = re.search(r'id="reset-code">([A-Z0-9-]+)<', body)
    assert code is not None
    issue = AuditLog.objects.get(action="password.reset_issue")
    assert issue.actor_id == pair.helper.pk
    assert issue.after["channel"] == "in_person"
    person = Client()
    response = _reset(person, pair.learner.username, code.group(1).lower())
    assert response.status_code == 302
    pair.learner.refresh_from_db()
    assert pair.learner.check_password(NEW_PASSWORD)


def test_only_the_persons_helper_or_commune_officer_may_give_a_code(
    client: Client,
) -> None:
    pair = helped_learner()
    stranger = user_with_role(Role.COMMUNITY_HELPER, commune_code=MY_AN_HUNG)
    other_officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=AN_BINH)
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=MY_AN_HUNG)
    for actor in (stranger, other_officer):
        client.force_login(actor)
        body = client.post(
            "/accounts/password/in-person/",
            {"identifier": pair.learner.username, "checked": "on"},
        ).content.decode()
        assert "Không có người nào bạn giúp" in body and "reset-code" not in body
        # The same answer as for a number that has no account at all.
        unknown = client.post(
            "/accounts/password/in-person/",
            {"identifier": "0911999888", "checked": "on"},
        ).content.decode()
        assert "Không có người nào bạn giúp" in unknown
    assert not PasswordResetCode.objects.exists()
    issued = reset_code_issue_in_person(actor=officer, learner=pair.learner)
    assert len(issued.code) == 10 and issued.row.issued_by == officer
    learner = User.objects.get(pk=pair.learner.pk)
    client.force_login(learner)  # a learner has no access to the page
    assert client.get("/accounts/password/in-person/").status_code == 403


def test_weak_new_password_is_refused_and_the_code_stays_usable(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    user = learner_in(MY_AN_HUNG)
    _ask(client, django_capture_on_commit_callbacks, user.phone)
    code = _sms_code()
    body = _reset(client, user.phone, code, password="12345678", password2="12345678")
    assert body.status_code == 200 and "error-summary" in body.content.decode()
    assert _reset(client, user.phone, code).status_code == 302
