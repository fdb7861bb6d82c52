"""A helper's page of their supervised sittings, and why a QR asks to sign in."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.assessment.helpers import answer
from tests.factories import learner_in, user_with_role

from hocvuso.assessment.models import Blueprint, SupervisionSession
from hocvuso.assessment.services import session_start, session_state
from hocvuso.assessment.supervision import supervision_open, supervision_overview

pytestmark = pytest.mark.django_db


def _sit(blueprint: Blueprint, sup: SupervisionSession, name: str, right: bool) -> None:
    learner = learner_in(30178)
    learner.full_name = name
    learner.save()
    session = session_start(
        actor=learner, blueprint=blueprint, supervision_code=sup.code
    )
    state = session_state(actor=learner, session_id=session.pk)
    while not state.finished:
        state = answer(learner, session, right)


def test_open_and_past_sittings_with_who_sat_and_results(
    client: Client, adults: Blueprint, django_capture_on_commit_callbacks: Any
) -> None:
    helper = user_with_role("community_helper", commune_code=30178)
    old = supervision_open(actor=helper, place="Nhà văn hóa ấp 1")
    with django_capture_on_commit_callbacks(execute=True):
        _sit(adults, old, "Trần Văn Đạt", right=True)
        _sit(adults, old, "Lê Thị Chưa", right=False)
    old.closed_at = timezone.now()
    old.save()
    current = supervision_open(actor=helper, place="UBND xã")
    supervision_open(actor=user_with_role("community_helper", commune_code=30178))

    overview = supervision_overview(actor=helper)
    assert [s.pk for s in overview.open] == [current.pk]
    assert [(s.pk, s.n_sat, s.n_passed) for s in overview.past] == [(old.pk, 2, 1)]

    client.force_login(helper)
    body = client.get("/assess/supervise/").content.decode()
    # The open sitting's code and QR stay on the page after leaving it.
    assert current.code in body and body.count('src="data:image/svg+xml') == 1
    assert "Các buổi đã qua" in body and "2 người làm bài, 1 người đạt" in body
    assert 'href="/assess/supervise/"' in body  # in the menu
    detail = client.get(f"/assess/supervise/{old.pk}/").content.decode()
    assert "Trần Văn Đạt" in detail and "Lê Thị Chưa" in detail
    assert "Buổi này đã đóng" in detail and "data:image/svg+xml" not in detail


def test_opening_a_sitting_leads_to_its_own_page(
    client: Client, adults: Blueprint
) -> None:
    client.force_login(user_with_role("commune_officer", commune_code=30178))
    response = client.post("/assess/supervise/", {"place": "UBND", "minutes": "60"})
    sup = SupervisionSession.objects.get()
    assert response["Location"] == f"/assess/supervise/{sup.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert re.search(rf'class="code".*<strong>{sup.code}</strong>', page)
    assert f"?code={sup.code}" in page


def test_expired_sitting_is_past(adults: Blueprint) -> None:
    helper = user_with_role("community_helper", commune_code=30178)
    now = timezone.now()
    sup = supervision_open(actor=helper, minutes=15, now=now)
    later = supervision_overview(actor=helper, now=now + timedelta(minutes=16))
    assert later.open == [] and [s.pk for s in later.past] == [sup.pk]


def test_learners_do_not_see_the_menu_link(client: Client) -> None:
    client.force_login(learner_in(30178))
    assert 'href="/assess/supervise/"' not in client.get("/assess/").content.decode()


def test_sign_in_page_explains_a_scanned_qr(client: Client) -> None:
    response = client.get("/assess/?code=123456", follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "Bạn vừa quét mã của một buổi đánh giá có giám sát" in body
    assert "123456" in body
    plain = client.get("/accounts/login/").content.decode()
    assert 'data-testid="signin-reason"' not in plain
    other = client.get("/accounts/login/?next=https://evil.example/assess/?code=1")
    assert 'data-testid="signin-reason"' not in other.content.decode()
