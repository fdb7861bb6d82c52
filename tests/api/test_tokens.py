"""Personal access tokens: made once, hashed, scoped, revocable, audited."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from tests.factories import learner_in, user_with_role

from hocvuso.accounts.api_tokens import api_token_create, api_token_revoke
from hocvuso.accounts.errors import AccountError
from hocvuso.accounts.models import User
from hocvuso.accounts.token_models import ApiToken
from hocvuso.core.models import AuditLog

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_token_page_shows_the_secret_once_and_stores_only_its_digest() -> None:
    client = Client(enforce_csrf_checks=False)
    user = learner_in(30178)
    client.force_login(user)
    response = client.post(
        "/accounts/tokens/",
        {"name": "visit app", "scopes": ["read", "write"], "days": "30"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = re.search(r'<code class="token">(hvs_[\w-]+)</code>', body)
    assert secret is not None
    token = ApiToken.objects.get(user=user)
    assert token.digest == hashlib.sha256(secret.group(1).encode()).hexdigest()
    assert secret.group(1) not in str(ApiToken.objects.values().get())
    assert token.scopes == ["read", "write"] and token.prefix in body
    # Shown once: the list afterwards has the start only.
    again = client.get("/accounts/tokens/").content.decode()
    assert secret.group(1) not in again and token.prefix in again
    audit = AuditLog.objects.get(action="api_token.create")
    assert audit.actor_id == user.pk and secret.group(1) not in str(audit.after)


def test_token_signs_in_an_app_without_csrf() -> None:
    officer = user_with_role("commune_officer", commune_code=30178)
    _token, secret = api_token_create(
        actor=officer, name="app", scopes=["read", "write"]
    )
    client = Client(enforce_csrf_checks=True)
    me = client.get("/api/accounts/me", **bearer(secret))
    assert me.status_code == 200 and me.json()["username"] == officer.username
    opened = client.post(
        "/api/assessment/supervisions",
        {"place": "UBND", "minutes": 60},
        "application/json",
        **bearer(secret),
    )
    assert opened.status_code == 201 and len(opened.json()["code"]) == 6
    assert ApiToken.objects.get().last_used_at is not None


def test_read_token_cannot_write_and_bad_tokens_are_401() -> None:
    user = learner_in(30178)
    _t, read_only = api_token_create(actor=user, name="dashboard", scopes=["read"])
    client = Client(enforce_csrf_checks=True)
    body = {"lesson": "nope", "event_id": str(uuid.uuid4())}
    refused = client.post(
        "/api/learning/progress", body, "application/json", **bearer(read_only)
    )
    assert refused.status_code == 403 and "write" in refused.json()["detail"]
    assert client.get("/api/learning/progress", **bearer(read_only)).status_code == 200
    wrong = client.get("/api/accounts/me", **bearer("hvs_not-a-token"))
    assert wrong.status_code == 401 and "không hợp lệ" in wrong.json()["detail"]


def test_revoked_and_expired_tokens_stop_working() -> None:
    user = learner_in(30178)
    token, secret = api_token_create(actor=user, name="script", scopes=["read"])
    client = Client()
    assert client.get("/api/accounts/me", **bearer(secret)).status_code == 200
    api_token_revoke(actor=user, token_id=str(token.pk))
    api_token_revoke(actor=user, token_id=str(token.pk))  # idempotent
    assert AuditLog.objects.filter(action="api_token.revoke").count() == 1
    assert client.get("/api/accounts/me", **bearer(secret)).status_code == 401
    _old, old_secret = api_token_create(
        actor=user,
        name="old",
        scopes=["read"],
        days=1,
        now=timezone.now() - timedelta(days=2),
    )
    assert client.get("/api/accounts/me", **bearer(old_secret)).status_code == 401
    user.is_active = False
    user.save()
    _t, inactive = api_token_create(actor=user, name="x", scopes=["read"])
    assert client.get("/api/accounts/me", **bearer(inactive)).status_code == 401


def test_only_the_owner_revokes_and_bad_input_is_refused(client: Client) -> None:
    owner, other = learner_in(30178), learner_in(30178)
    token, _secret = api_token_create(actor=owner, name="a", scopes=["read"])
    with pytest.raises(AccountError):
        api_token_revoke(actor=other, token_id=str(token.pk))
    for kwargs in ({"name": " "}, {"scopes": ["admin"]}, {"days": 0}):
        args = {"name": "n", "scopes": ["read"], "days": 30} | kwargs
        with pytest.raises(AccountError):
            api_token_create(actor=owner, **args)  # type: ignore[arg-type]
    assert ApiToken.objects.count() == 1
    client.force_login(other)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "không tồn tại" in response.content.decode()
    assert ApiToken.objects.get().revoked_at is None
    page = client.post("/accounts/tokens/", {"name": "", "scopes": []})
    assert page.status_code == 400


def test_session_writes_still_need_the_csrf_header() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role("commune_officer", commune_code=30178))
    docs = client.get("/api/docs").content.decode()
    found = re.search(r'data-csrf-token="([^"]+)"', docs)
    assert found is not None and 'data-api-csrf="true"' in docs
    url, body = "/api/assessment/supervisions", {"place": "", "minutes": 60}
    assert client.post(url, body, "application/json").status_code == 403
    tried = client.post(url, body, "application/json", HTTP_X_CSRFTOKEN=found.group(1))
    assert tried.status_code == 201  # what "Try it out" on /api/docs sends


def test_every_operation_is_described_in_plain_words_with_an_example(
    client: Client,
) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["components"]["securitySchemes"]["ApiTokenAuth"]["scheme"] == (
        "bearer"
    )
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            name = op["operationId"].rsplit("_api_", 1)[-1]
            default = name.replace("_", " ").title()
            where = f"{method.upper()} {path}"
            assert op.get("summary") and op["summary"] != default, where
            assert len(op.get("description", "")) > 60, where
            assert "Example" in op["description"] or "/api/" in op["description"], where


def test_no_token_secret_reaches_the_user_model() -> None:
    user = learner_in(30178)
    _t, secret = api_token_create(actor=user, name="n", scopes=["read"])
    assert secret not in str(User.objects.values().get(pk=user.pk))
