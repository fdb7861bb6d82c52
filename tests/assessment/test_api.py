from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.assessment.conftest import write_bank_pack
from tests.factories import learner_in, user_with_role

from hocvuso.assessment.models import Blueprint, Item, Response, TestSession
from hocvuso.packs.services import pack_import
from hocvuso.packs.source import PackSource

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def client_in(client: Client, bank: Path) -> Client:
    client.force_login(learner_in(30178))
    return client


def start(client: Client, group: str = "adults") -> dict[str, Any]:
    response = client.post("/api/assessment/sessions", {"target_group": group}, JSON)
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def post_answer(client: Client, sid: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/assessment/sessions/{sid}/answers", body, JSON)


def test_item_sent_to_client_has_no_key(client_in: Client) -> None:
    data = start(client_in)
    item = data["item"]
    assert set(item) == {
        "id",
        "competence",
        "kind",
        "scenario",
        "media",
        "stem",
        "options",
    }
    assert "key" not in str(item) and "explanation" not in str(item)
    assert [o["id"] for o in item["options"]] == ["a", "b", "c"]
    assert data["position"] == 1 and data["status"] == "active"


def test_answer_retry_and_resume(client_in: Client) -> None:
    data = start(client_in)
    body = {
        "attempt_id": str(uuid.uuid4()),
        "item_id": data["item"]["id"],
        "option": "b",
    }
    first = post_answer(client_in, data["id"], body)
    second = post_answer(client_in, data["id"], body)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and first.json()["position"] == 2
    resumed = client_in.get(f"/api/assessment/sessions/{data['id']}").json()
    assert resumed["item"] == first.json()["item"]
    assert start(client_in)["id"] == data["id"]  # one active sitting per group
    assert Response.objects.count() == 1


def test_complete_sitting_and_result(client_in: Client) -> None:
    data = start(client_in)
    while data["item"] is not None:
        item = Item.objects.get(pk=data["item"]["id"])
        body = {
            "attempt_id": str(uuid.uuid4()),
            "item_id": str(item.pk),
            "option": item.key,
        }
        data = post_answer(client_in, data["id"], body).json()
    assert data["status"] == "completed" and data["result"]
    result = client_in.get(f"/api/assessment/results/{data['result']}").json()
    assert result["passed"] and result["required_level"] == "CB2"
    assert {d["domain"] for d in result["domains"]} >= {"1", "4"}
    assert client_in.get("/api/assessment/results").json()[0]["id"] == data["result"]
    late = post_answer(
        client_in,
        data["id"],
        {"attempt_id": str(uuid.uuid4()), "item_id": "x", "option": "a"},
    )
    assert late.status_code == 409


FORM = ["4-2-003", "1-1-000", "6-2-001", "2-3-002", "4-2-000", "5-1-007"]


def test_fixed_form_gives_its_items_in_order(
    client: Client, tmp_path: Path, settings: Any
) -> None:
    """A fixed blueprint asks every item of its form, in order, then scores."""
    settings.MEDIA_ROOT = tmp_path / "media"
    root = write_bank_pack(tmp_path / "pack")
    blueprints = root / "blueprints.yaml"
    blueprints.write_text(
        blueprints.read_text().split("  - target_group: farmers")[0]
        + "  - target_group: farmers\n    mode: fixed\n    pass_level: CB2\n"
        + f"    items: [{', '.join(FORM)}]\n    retake_cooldown_days: 0\n",
        encoding="utf-8",
    )
    pack_import(source=PackSource.open(root), actor=None)
    assert Blueprint.objects.get(target_group__slug="farmers").form == FORM
    client.force_login(learner_in(30178))
    seen: list[str] = []
    for attempt in range(2):  # the same form for a second sitting
        data = start(client, "farmers")
        assert data["max_items"] == len(FORM)
        asked = []
        while data["item"] is not None:
            item = Item.objects.get(pk=data["item"]["id"])
            asked.append(item.slug)
            body = {
                "attempt_id": str(uuid.uuid4()),
                "item_id": str(item.pk),
                "option": "a" if attempt else item.key,
            }
            data = post_answer(client, data["id"], body).json()
        assert asked == FORM
        result = client.get(f"/api/assessment/results/{data['result']}").json()
        assert result["n_items"] == len(FORM)
        seen.append(result["passed"])
    assert seen == [True, False]
    Item.objects.filter(slug="6-2-001").update(is_current=False)
    response = client.post(
        "/api/assessment/sessions", {"target_group": "farmers"}, JSON
    )
    assert response.status_code == 503


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"attempt_id": "nope", "item_id": "x", "option": "a"}, 422),
        ({"attempt_id": str(uuid.uuid4()), "item_id": "x", "option": "a"}, 409),
        ({"attempt_id": str(uuid.uuid4()), "option": "a"}, 422),
    ],
)
def test_bad_answers(client_in: Client, body: dict[str, Any], status: int) -> None:
    data = start(client_in)
    response = post_answer(client_in, data["id"], body)
    assert response.status_code == status and response.json()["detail"]


def test_unknown_option_and_foreign_session(client_in: Client, client: Client) -> None:
    data = start(client_in)
    body = {
        "attempt_id": str(uuid.uuid4()),
        "item_id": data["item"]["id"],
        "option": "z",
    }
    assert post_answer(client_in, data["id"], body).status_code == 422
    other = Client()
    other.force_login(learner_in(70))
    assert other.get(f"/api/assessment/sessions/{data['id']}").status_code == 404
    assert other.get("/api/assessment/sessions/not-a-uuid").status_code == 404
    assert Client().get(f"/api/assessment/sessions/{data['id']}").status_code == 401


def test_unknown_group_and_blueprints(client_in: Client) -> None:
    response = client_in.post("/api/assessment/sessions", {"target_group": "x"}, JSON)
    assert response.status_code == 404
    listing = Client().get("/api/assessment/blueprints").json()
    assert {b["target_group"] for b in listing} == set(
        Blueprint.objects.values_list("target_group__slug", flat=True)
    )


def test_start_with_an_incomplete_bank_says_so(client_in: Client) -> None:
    """A bank that cannot meet the blueprint gives 503 and a message, not a 500."""
    blueprint = Blueprint.objects.get(target_group__slug="adults")
    blueprint.config = blueprint.config | {"content": {"1": [9, None]}}  # 8 exist
    blueprint.save()
    response = client_in.post(
        "/api/assessment/sessions", {"target_group": "adults"}, JSON
    )
    assert response.status_code == 503
    assert "chưa đủ" in response.json()["detail"]
    Item.objects.update(is_current=False)  # no items at all
    response = client_in.post(
        "/api/assessment/sessions", {"target_group": "farmers"}, JSON
    )
    assert response.status_code == 503
    assert not TestSession.objects.exists()


def test_answers_are_rate_limited(client_in: Client, settings: Any) -> None:
    settings.HOCVUSO_ANSWER_RATE = "3/m"
    data = start(client_in)
    codes = [
        post_answer(
            client_in,
            data["id"],
            {"attempt_id": str(uuid.uuid4()), "item_id": "x", "option": "a"},
        ).status_code
        for _ in range(4)
    ]
    assert codes == [409, 409, 409, 429]


def test_supervision_api(client: Client, bank: Path) -> None:
    client.force_login(user_with_role("community_helper", commune_code=30178))
    response = client.post(
        "/api/assessment/supervisions", {"place": "Nhà văn hóa"}, JSON
    )
    assert response.status_code == 201 and len(response.json()["code"]) == 6
    client.force_login(learner_in(30178))
    assert client.post("/api/assessment/supervisions", {}, JSON).status_code == 403
