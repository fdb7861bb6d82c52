"""Messages a person reads show their values, never their placeholders."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from tests.accounts.helpers import registration_form

from hocvuso.accounts.models import User

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), tick=False)
def test_birth_year_error_names_the_years(client: Client) -> None:
    response = client.post(
        reverse("accounts:register"), registration_form(birth_year="1901")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nhập năm sinh từ 1906 đến 2021." in body
    assert "%(a)d" not in body and "%(" not in body
    assert not User.objects.exists()
