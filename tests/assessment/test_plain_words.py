"""The assessment pages put the learner first and explain levels (#12)."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.assessment.helpers import answer
from tests.factories import learner_in

from hocvuso.assessment.models import Blueprint, Result
from hocvuso.assessment.services import session_start, session_state

pytestmark = pytest.mark.django_db


def _finished_result(learner: object, adults: Blueprint) -> Result:
    session = session_start(actor=learner, blueprint=adults, supervision_code="")
    state = session_state(actor=learner, session_id=session.pk)
    while not state.finished:
        state = answer(learner, session, True)
    return Result.objects.get(session=session)


def test_home_shows_results_and_own_group_before_the_other_groups(
    client: Client, adults: Blueprint
) -> None:
    learner = learner_in(30178)
    result = _finished_result(learner, adults)
    client.force_login(learner)
    body = client.get("/assess/").content.decode()
    mine = body.index('id="my-group"')
    assert body.index(f"/assess/results/{result.pk}/") < mine
    assert mine < body.index("Nhóm khác")
    # The level to reach is explained in plain words on the card.
    assert "CB2 — Cơ bản 2: tự làm được việc đơn giản" in body


def test_result_explains_the_level_and_drops_an_empty_level_column(
    client: Client, adults: Blueprint
) -> None:
    learner = learner_in(30178)
    result = _finished_result(learner, adults)
    client.force_login(learner)
    body = client.get(f"/assess/results/{result.pk}/").content.decode()
    assert (
        "<li>CB2 — Cơ bản 2: tự làm được việc đơn giản, chỉ cần hỏi khi cần.</li>"
        in body
    )
    domains = result.profile["domains"].values()
    if any(d.get("level") for d in domains):
        assert "quá ít câu hỏi" in body
    else:
        assert '<th scope="col">Bậc</th>' not in body


def test_result_shows_a_level_per_area_with_enough_answers(
    client: Client, adults: Blueprint
) -> None:
    learner = learner_in(30178)
    result = _finished_result(learner, adults)
    code = next(iter(result.profile["domains"]))
    result.profile["domains"][code].update(level="TC1", n=5, correct=5)
    result.save(update_fields=["profile"])
    client.force_login(learner)
    body = client.get(f"/assess/results/{result.pk}/").content.decode()
    assert '<th scope="col">Bậc</th>' in body and "<td>TC1</td>" in body
