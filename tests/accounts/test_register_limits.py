"""Self-registration from one address: count abuse, not use."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client, override_settings
from tests.accounts.helpers import registration_form

from hocvuso.accounts.models import User

pytestmark = pytest.mark.django_db
URL = "/accounts/register/"
STAND = "192.0.2.80"  # a festival stand's Wi-Fi


def form(n: int, **changes: str) -> dict[str, str]:
    return registration_form(
        **{"full_name": "Người Dân", "identifier": f"098{n:07d}", **changes}
    )


def test_thirty_people_register_at_one_stand(clock: time_machine.Coordinates) -> None:
    for n in range(30):
        response = Client(REMOTE_ADDR=STAND).post(URL, form(n))
        assert response.status_code == 302, n
        clock.shift(30)  # one person every half minute
    assert User.objects.count() == 30


def test_an_abusive_client_is_stopped(clock: time_machine.Coordinates) -> None:
    """Refused attempts (here: a number already registered) are what counts."""
    bot = Client(REMOTE_ADDR="203.0.113.66")
    assert bot.post(URL, form(0)).status_code == 302
    bot = Client(REMOTE_ADDR="203.0.113.66")
    for _ in range(20):
        response = bot.post(URL, form(0))
        assert response.status_code == 200
        assert "Số điện thoại này đã được đăng ký." in response.content.decode()
    response = bot.post(URL, form(1))  # even a valid form now
    assert response.status_code == 429
    assert "Quá nhiều lần thử" in response.content.decode()
    assert not User.objects.filter(phone=form(1)["identifier"]).exists()
    # Someone at another address is not affected, and the bot's window slides.
    assert Client(REMOTE_ADDR=STAND).post(URL, form(2)).status_code == 302
    clock.shift(3601)
    assert bot.post(URL, form(1)).status_code == 302


def test_searching_communes_is_not_counted(clock: time_machine.Coordinates) -> None:
    client = Client(REMOTE_ADDR=STAND)
    for _ in range(25):
        search = form(0, commune_q="my an", commune="", action="search")
        assert client.post(URL, search).status_code == 200
    assert client.post(URL, form(0)).status_code == 302


@override_settings(HOCVUSO_REGISTER_IP_CAP="3/h")
def test_accounts_created_per_address_have_a_hard_cap(
    clock: time_machine.Coordinates,
) -> None:
    for n in range(3):
        assert Client(REMOTE_ADDR=STAND).post(URL, form(n)).status_code == 302
    assert Client(REMOTE_ADDR=STAND).post(URL, form(3)).status_code == 429
    clock.shift(3601)
    assert Client(REMOTE_ADDR=STAND).post(URL, form(3)).status_code == 302


def test_registration_trusts_the_device(clock: time_machine.Coordinates) -> None:
    client = Client(REMOTE_ADDR=STAND)
    assert client.post(URL, form(0)).status_code == 302
    assert client.cookies["hocvuso_device"].value
