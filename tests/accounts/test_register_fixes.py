"""Registration fixes of #12: error summary, one commune chosen, ``next`` kept."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from tests.accounts.helpers import registration_form

pytestmark = pytest.mark.django_db


def test_errors_are_listed_at_the_top_with_links_to_their_fields(
    client: Client,
) -> None:
    response = client.post(
        reverse("accounts:register"), registration_form(commune="", consent="")
    )
    body = response.content.decode()
    summary = re.search(r'<div class="error-summary"(.*?)</div>', body, re.S)
    assert summary is not None
    # The summary comes before the first field, and links to each wrong field.
    assert body.index('class="error-summary"') < body.index('id="id_full_name"')
    assert "Vui lòng sửa 2 mục dưới đây" in summary.group(1)
    assert '<a href="#id_commune">Xã, phường</a>' in summary.group(1)
    assert '<a href="#id_consent">' in summary.group(1)


def test_one_matching_commune_is_chosen_and_passwords_are_kept(
    client: Client,
) -> None:
    data = registration_form(commune="", commune_q="my an hung", action="search")
    body = client.post(reverse("accounts:register"), data).content.decode()
    assert '<option value="30178" selected>' in body
    assert body.count(f'value="{data["password"]}"') == 2
    assert 'class="error-summary"' not in body  # searching is not an error
    options = client.get(
        reverse("accounts:commune_options"), {"commune_q": "my an hung"}
    ).content.decode()
    assert '<option value="30178" selected>' in options


def test_the_search_button_refreshes_the_list_in_place_with_javascript(
    client: Client,
) -> None:
    body = client.get(reverse("accounts:register")).content.decode()
    button = re.search(r'<button[^>]*value="search"[^>]*>', body)
    assert button is not None
    assert 'hx-get="/accounts/communes/"' in button.group(0)
    assert 'hx-target="#id_commune"' in button.group(0)


def test_registration_keeps_next_and_refuses_other_sites(client: Client) -> None:
    page = client.get(reverse("accounts:register"), {"next": "/learn/safety/"})
    assert '<input type="hidden" name="next" value="/learn/safety/">' in (
        page.content.decode()
    )
    response = client.post(
        reverse("accounts:register"), registration_form(next="/learn/safety/")
    )
    assert response.status_code == 302 and response["Location"] == "/learn/safety/"
    client.logout()
    response = client.post(
        reverse("accounts:register"),
        registration_form(identifier="0987000111", next="https://evil.example/"),
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_sign_in_page_passes_next_on_to_registration(client: Client) -> None:
    body = client.get(reverse("accounts:login"), {"next": "/learn/"}).content.decode()
    assert 'href="/accounts/register/?next=/learn/"' in body
