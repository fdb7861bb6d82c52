"""Sittings in progress while editors fix keys and operators import parameters."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.factories import learner_in

from hocvuso.assessment import sittingbank
from hocvuso.assessment.bank import bank_for, item_save
from hocvuso.assessment.calibration import params_import
from hocvuso.assessment.models import Blueprint, Item, Response, Result, TestSession
from hocvuso.assessment.services import answer_submit, session_start
from hocvuso.framework.models import TargetGroup

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def client_in(client: Client, bank: Path) -> Client:
    client.force_login(learner_in(30178))
    return client


def start(client: Client) -> dict[str, Any]:
    response = client.post("/api/assessment/sessions", {"target_group": "adults"}, JSON)
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def post_answer(client: Client, data: dict[str, Any], option: str) -> Any:
    body = {
        "attempt_id": str(uuid.uuid4()),
        "item_id": data["item"]["id"],
        "option": option,
    }
    return client.post(f"/api/assessment/sessions/{data['id']}/answers", body, JSON)


def fix_key(item: Item, key: str) -> Item:
    return item_save(
        actor=None,
        item=item,
        content=item.content,
        key=key,
        competence=item.competence,
        level=item.level,
    )


def test_key_fix_applies_to_the_next_answer_scored(client_in: Client) -> None:
    data = start(client_in)  # the sitting's bank is now in this process's cache
    item = Item.objects.get(pk=data["item"]["id"])
    assert item.key == "b"
    fix_key(item, "c")
    response = post_answer(client_in, data, "c")
    assert response.status_code == 200
    assert Response.objects.get().correct


def test_key_fix_of_a_delivered_item_applies_in_sittings_in_progress(
    adults: Blueprint,
) -> None:
    first, second = learner_in(30178), learner_in(30178)
    seen = session_start(actor=first, blueprint=adults, seed=3)
    item = seen.current_item
    assert item is not None
    answer_submit(
        actor=first,
        session_id=seen.pk,
        item_id=str(item.pk),
        option="b",
        attempt_id=uuid.uuid4(),
    )
    running = session_start(actor=second, blueprint=adults, seed=3)
    assert running.current_item_id == item.pk
    fixed = fix_key(item, "c")
    assert fixed.pk != item.pk and fixed.version == 2  # delivered: a new version
    answer_submit(
        actor=second,
        session_id=running.pk,
        item_id=str(item.pk),
        option="c",
        attempt_id=uuid.uuid4(),
    )
    scored = Response.objects.get(session=running)
    assert scored.item_id == item.pk and scored.correct
    assert Response.objects.get(session=seen).correct  # scored with key b: kept


def write_params(path: Path, shift: float) -> Path:
    lines = ["item_id,a,b,c"]
    for item in Item.objects.filter(is_current=True):
        lines.append(f"{item.slug}@{item.version},1.7,{item.irt_b + shift},0.1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("cache", ["warm", "cold"])
def test_parameter_import_mid_sitting_lets_the_sitting_finish(
    client_in: Client, tmp_path: Path, cache: str
) -> None:
    data = start(client_in)
    assert post_answer(client_in, data, "b").status_code == 200
    data = client_in.get(f"/api/assessment/sessions/{data['id']}").json()
    fingerprint = TestSession.objects.get().cat_state["bank"]["fingerprint"]
    result = params_import(path=write_params(tmp_path / "p.csv", 0.4), actor=None)
    assert result.updated == Item.objects.filter(is_current=True).count()
    if cache == "cold":
        sittingbank.bank_cache_clear()  # e.g. another process answers the next one
    while data["item"] is not None:
        response = post_answer(client_in, data, "b")
        assert response.status_code == 200, response.content
        data = response.json()
    assert data["status"] == "completed" and data["result"]
    session = TestSession.objects.get()
    assert session.cat_state["bank"]["fingerprint"] == fingerprint
    assert Result.objects.get(session=session).n_items == session.n_answered


def test_a_sitting_started_after_an_import_uses_the_new_parameters(
    adults: Blueprint, tmp_path: Path
) -> None:
    before = session_start(actor=learner_in(30178), blueprint=adults, seed=1)
    params_import(path=write_params(tmp_path / "p.csv", 0.4), actor=None)
    after = session_start(actor=learner_in(30178), blueprint=adults, seed=1)
    items = list(Item.objects.filter(pk__in=after.bank_items).order_by("slug"))
    assert [str(i.pk) for i in items] == after.bank_items
    fingerprint = after.cat_state["bank"]["fingerprint"]
    assert fingerprint == bank_for(items).fingerprint
    assert fingerprint != before.cat_state["bank"]["fingerprint"]


def test_a_blueprint_moved_to_another_group_shows_its_new_group(
    client_in: Client, adults: Blueprint
) -> None:
    data = start(client_in)
    assert data["target_group"] == "adults"
    adults.target_group = TargetGroup.objects.get(slug="workers")
    adults.save(update_fields=["target_group"])
    again = client_in.get(f"/api/assessment/sessions/{data['id']}").json()
    assert again["target_group"] == "workers"
