from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import learner_in

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_endpoints(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/geo/provinces",
        "/api/geo/provinces/{code}/communes",
        "/api/geo/communes",
        "/api/frameworks",
        "/api/frameworks/{key}",
        "/api/accounts/me",
    } <= paths


def test_docs_page_uses_local_assets(client: Client) -> None:
    body = client.get("/api/docs").content.decode()
    assert "cdn.jsdelivr" not in body and "/static/ninja/swagger-ui-bundle" in body


def test_me_requires_sign_in(client: Client) -> None:
    response = client.get("/api/accounts/me")
    assert response.status_code == 401 and response.json()["detail"]


def test_me_returns_own_profile(client: Client) -> None:
    user = learner_in(30178)
    client.force_login(user)
    data = client.get("/api/accounts/me").json()
    assert data["id"] == str(user.pk) and data["commune"] == 30178
    assert data["target_group"] == "adults" and data["roles"][0]["role"] == "learner"


def test_unknown_api_path_is_json_404(client: Client) -> None:
    response = client.get("/api/nope")
    assert response.status_code == 404
