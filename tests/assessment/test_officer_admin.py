"""Officers get the admin with their role: their unit's results, read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.assessment.helpers import answer
from tests.factories import commune, learner_in, user_with_role

from hocvuso.accounts.models import Role, User
from hocvuso.accounts.services import role_assign, role_assignment_revoke
from hocvuso.assessment.models import Blueprint, Result
from hocvuso.assessment.services import session_start, session_state

pytestmark = pytest.mark.django_db


def _result(blueprint: Blueprint, commune_code: int, name: str) -> Result:
    learner = learner_in(commune_code)
    learner.full_name = name
    learner.save()
    session = session_start(actor=learner, blueprint=blueprint)
    state = session_state(actor=learner, session_id=session.pk)
    while not state.finished:
        state = answer(learner, session, True)
    return Result.objects.get(session=session)


def test_officer_role_opens_the_admin_on_their_communes_results(
    client: Client, adults: Blueprint, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _result(adults, 30178, "Người Mỹ An Hưng")
        _result(adults, 70, "Người Hà Nội")
    officer: User = learner_in(30178)
    admin = user_with_role(Role.NATIONAL_ADMIN)
    assignment = role_assign(
        actor=admin, user=officer, role=Role.COMMUNE_OFFICER, commune=commune(30178)
    )
    officer.refresh_from_db()
    assert officer.is_staff  # no hidden box to tick
    client.force_login(officer)
    index = client.get("/admin/")
    body = index.content.decode()
    assert index.status_code == 200 and "Quản trị hocvuso" in body
    assert "Kết quả" in body and "/admin/accounts/user/" not in body
    listing = client.get("/admin/assessment/result/").content.decode()
    assert "Người Mỹ An Hưng" in listing and "Người Hà Nội" not in listing
    assert "Mỹ An Hưng" in listing and "Đồng Tháp" in listing  # commune, province
    assert "/admin/assessment/result/add/" not in listing
    assert client.get("/admin/assessment/result/add/").status_code == 403
    assert client.get("/admin/accounts/user/").status_code == 403
    role_assignment_revoke(actor=admin, assignment=assignment)
    officer.refresh_from_db()
    assert not officer.is_staff


def test_results_filter_by_province_and_commune(
    admin_client: Client, adults: Blueprint, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _result(adults, 30178, "Người Mỹ An Hưng")
        _result(adults, 70, "Người Hà Nội")
    url = "/admin/assessment/result/?user__profile__commune__code__exact=30178"
    body = admin_client.get(url).content.decode()
    assert "Người Mỹ An Hưng" in body and "Người Hà Nội" not in body
    by_province = admin_client.get(
        "/admin/assessment/result/?user__profile__commune__province__code__exact=82"
    ).content.decode()
    assert "Người Mỹ An Hưng" in by_province and "Người Hà Nội" not in by_province
