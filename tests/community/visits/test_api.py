"""The sync endpoint: per-visit statuses, CSRF, sign-in, other communes."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone
from tests.community.visits.conftest import World

from hocvuso.community.models import Visit

URL = "/api/community/visits/sync"


def item(team: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "id": str(uuid.uuid4()),
        "team": str(team.pk),
        "visited_at": (timezone.now() - timedelta(minutes=3)).isoformat(),
        "hamlet": "Tổ dân phố 5",
        "people_helped": 3,
        "activities": ["scam_awareness"],
    }
    body.update(overrides)
    return body


def csrf_client(user: Any) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/community/")
    return client, client.cookies["csrftoken"].value


def post(client: Client, visits: list[dict[str, Any]], token: str | None) -> Any:
    headers = {"X-CSRFToken": token} if token else {}
    return client.post(
        URL,
        json.dumps({"visits": visits}),
        content_type="application/json",
        headers=headers,
    )


def test_sync_stores_each_visit_once_and_reports_each(world: World) -> None:
    client, token = csrf_client(world.volunteer)
    first = item(world.team)
    response = post(
        client, [first, item(world.team), item(world.team, people_helped=-1)], token
    )
    assert response.status_code == 200
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["created", "created", "error"]
    assert "từ 1 đến 50" in response.json()["results"][2]["detail"]
    again = post(client, [first], token)
    assert again.json()["results"][0]["status"] == "duplicate"
    assert Visit.objects.count() == 2


def test_sync_needs_the_csrf_token_and_a_session(world: World) -> None:
    client, _token = csrf_client(world.volunteer)
    response = post(client, [item(world.team)], None)
    assert response.status_code == 403
    assert "Tải lại trang" in response.json()["detail"]
    anonymous = Client()
    assert post(anonymous, [item(world.team)], None).status_code == 401
    assert Visit.objects.count() == 0


def test_another_communes_team_is_not_found_per_visit(world: World) -> None:
    client, token = csrf_client(world.officer_c)
    response = post(client, [item(world.team)], token)
    result = response.json()["results"][0]
    assert (result["status"], result["http_status"]) == ("error", 404)
    assert Visit.objects.count() == 0


def test_malformed_batches_get_422(world: World) -> None:
    client, token = csrf_client(world.volunteer)
    assert post(client, [item(world.team, id="not-a-uuid")], token).status_code == 422
    assert (
        post(client, [item(world.team, people_helped="many")], token).status_code == 422
    )
    too_many = [item(world.team) for _ in range(201)]
    assert post(client, too_many, token).status_code == 422
    assert Visit.objects.count() == 0
