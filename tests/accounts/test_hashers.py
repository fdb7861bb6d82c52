from __future__ import annotations

import pytest
from django.contrib.auth.hashers import (
    PBKDF2PasswordHasher,
    check_password,
    identify_hasher,
    make_password,
)
from django.core import checks
from django.test import Client, override_settings
from django.urls import reverse
from tests.factories import PASSWORD, learner_in

from hocvuso.accounts.apps import check_password_cost
from hocvuso.accounts.hashers import Argon2idHasher, cost_errors
from hocvuso.accounts.models import User


def test_new_passwords_are_argon2id_at_the_configured_cost() -> None:
    encoded = make_password("mật khẩu 2026")
    hasher = identify_hasher(encoded)
    assert isinstance(hasher, Argon2idHasher)
    decoded = hasher.decode(encoded)
    assert decoded["variety"] == "argon2id"
    assert (decoded["memory_cost"], decoded["time_cost"], decoded["parallelism"]) == (
        19456,
        2,
        1,
    )
    assert check_password("mật khẩu 2026", encoded)
    assert not check_password("mật khẩu 2025", encoded)


@override_settings(HOCVUSO_PASSWORD_MEMORY_KIB=47104, HOCVUSO_PASSWORD_TIME_COST=1)
def test_cost_comes_from_settings_and_old_hashes_need_updating() -> None:
    hasher = Argon2idHasher()
    encoded = hasher.encode("x", hasher.salt())
    decoded = hasher.decode(encoded)
    assert (decoded["memory_cost"], decoded["time_cost"]) == (47104, 1)
    assert not hasher.must_update(encoded)
    with override_settings(HOCVUSO_PASSWORD_MEMORY_KIB=19456):
        assert hasher.must_update(encoded)


@pytest.mark.django_db
def test_pbkdf2_account_signs_in_and_is_rehashed_with_argon2id(client: Client) -> None:
    user = learner_in(30178)
    pbkdf2 = PBKDF2PasswordHasher()
    User.objects.filter(pk=user.pk).update(
        password=pbkdf2.encode(PASSWORD, pbkdf2.salt())
    )
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_wrong_password_keeps_the_old_hash(client: Client) -> None:
    user = learner_in(30178)
    pbkdf2 = PBKDF2PasswordHasher()
    old = pbkdf2.encode(PASSWORD, pbkdf2.salt())
    User.objects.filter(pk=user.pk).update(password=old)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "sai"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.password == old


@pytest.mark.parametrize(
    ("memory", "passes", "problem"),
    [
        (19456, 2, None),
        (47104, 1, None),
        (7168, 5, None),
        (4096, 10, "below 7168"),
        (19456, 0, "must be 1 or more"),
        (8192, 2, "19456 KiB x 2"),
    ],
)
def test_cost_below_owasp_minimum_is_reported(
    memory: int, passes: int, problem: str | None
) -> None:
    errors = cost_errors(memory, passes)
    if problem is None:
        assert errors == []
    else:
        assert len(errors) == 1 and problem in errors[0]


def test_system_check_reports_a_weak_cost() -> None:
    assert check_password_cost() == []
    with override_settings(HOCVUSO_PASSWORD_MEMORY_KIB=1024):
        found = check_password_cost()
    assert [e.id for e in found] == ["hocvuso.accounts.E001"]
    assert found[0].level == checks.ERROR
