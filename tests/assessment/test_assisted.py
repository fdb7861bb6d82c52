"""A helper starts a supervised test for the learner they guide."""

from __future__ import annotations

import re

import pytest
from tests.accounts.assisted import AN_BINH, guiding_client, helped_learner
from tests.assessment.helpers import answer
from tests.factories import user_with_role

from hocvuso.accounts.models import Role
from hocvuso.assessment.errors import NotAllowed, SupervisionInvalid
from hocvuso.assessment.models import Blueprint, Result, TestSession
from hocvuso.assessment.services import session_start
from hocvuso.assessment.supervision import supervision_open
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_guided_test_is_supervised_recorded_and_shown(adults: Blueprint) -> None:
    pair = helped_learner()
    client = guiding_client(pair)
    home = client.get("/assess/").content.decode()
    assert "phải được giám sát" in home
    # Without a supervision code a guided test does not start.
    client.post("/assess/start/adults/", {"supervision_code": ""})
    assert not TestSession.objects.exists()

    sup = supervision_open(actor=pair.helper, place="Nhà văn hóa ấp 3")
    response = client.post("/assess/start/adults/", {"supervision_code": sup.code})
    session = TestSession.objects.get()
    assert response["Location"] == f"/assess/s/{session.pk}/"
    assert session.user == pair.learner and session.assisted_by == pair.helper
    started = AuditLog.objects.get(action="assessment.start.assisted")
    assert started.actor_id == pair.helper.pk
    assert started.after == {
        "blueprint": "adults",
        "supervised": True,
        "learner": str(pair.learner.pk),
    }
    # The learner answers on the helper's phone: the question page is theirs.
    assert "Câu 1" in client.get(f"/assess/s/{session.pk}/").content.decode()
    state = answer(pair.learner, session)
    while not state.finished:
        state = answer(pair.learner, session)
    result = Result.objects.get()
    assert result.user == pair.learner and result.supervised
    page = client.get(f"/assess/results/{result.pk}/").content.decode()
    assert "Người hỗ trợ" in page
    assert re.search(rf"{pair.helper.full_name}\s*\(người hỗ trợ cộng đồng\)", page)


def test_only_a_helper_with_a_grant_may_assist(adults: Blueprint) -> None:
    pair = helped_learner()
    stranger = user_with_role(Role.COMMUNITY_HELPER, commune_code=AN_BINH)
    sup = supervision_open(actor=pair.helper)
    with pytest.raises(NotAllowed):
        session_start(
            actor=pair.learner,
            blueprint=adults,
            supervision_code=sup.code,
            assisted_by=stranger,
        )
    with pytest.raises(SupervisionInvalid):
        session_start(actor=pair.learner, blueprint=adults, assisted_by=pair.helper)
    assert not TestSession.objects.exists()
