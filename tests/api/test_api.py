from __future__ import annotations

import importlib
import json
import uuid
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import translation
from tests.factories import learner_in

from hocvuso.api.urls import api
from hocvuso.core.errors import HocvusoError

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


def json_error(response: HttpResponse, status: int) -> str:
    """Return the ``detail`` of a JSON error response with ``status``."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail
    return detail


def test_unknown_api_path_is_json_404(client: Client) -> None:
    assert json_error(client.get("/api/nope"), 404) == "Không tìm thấy."
    assert json_error(client.get("/api/geo/nope/deeper"), 404) == "Không tìm thấy."


def test_errors_follow_the_chosen_language_not_the_browser(client: Client) -> None:
    english_phone = client.get("/api/nope", HTTP_ACCEPT_LANGUAGE="en")
    assert json_error(english_phone, 404) == "Không tìm thấy."  # Vietnamese first
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert json_error(client.get("/api/nope"), 404) == "Not found."
    missing = client.get("/api/geo/provinces/999")
    assert json_error(missing, 404) == "There is no province with code 999."


def test_endpoint_errors_are_translated(client: Client) -> None:
    missing = client.get("/api/geo/provinces/999")
    assert json_error(missing, 404) == "Không có tỉnh/thành phố mã 999."
    assert "Không có khung năng lực" in json_error(
        client.get("/api/frameworks/nope"), 404
    )
    assert "Không có khóa học" in json_error(
        client.get("/api/learning/courses/nope"), 404
    )
    invalid = json_error(client.get("/api/geo/communes?limit=0"), 422)
    assert invalid.startswith("Dữ liệu gửi lên không hợp lệ") and "limit" in invalid
    assert json_error(client.get("/api/accounts/me"), 401) == "Bạn cần đăng nhập."


def test_method_not_allowed_is_json_405(client: Client) -> None:
    response = client.delete("/api/geo/provinces")
    assert json_error(response, 405) == "Không dùng được phương thức này ở đây."
    assert "GET" in response["Allow"]


def test_failed_csrf_check_is_json_403() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner_in(30178))
    body = {"lesson": "x", "event_id": str(uuid.uuid4())}
    response = client.post("/api/learning/progress", body, "application/json")
    assert "Tải lại trang" in json_error(response, 403)


def test_service_errors_are_json_with_their_status(client: Client) -> None:
    client.force_login(learner_in(30178))
    response = client.post("/api/assessment/supervisions", {}, "application/json")
    assert "cán bộ" in json_error(response, 403)
    body = {"lesson": "nope", "event_id": str(uuid.uuid4())}
    missing = client.post("/api/learning/progress", body, "application/json")
    assert json_error(missing, 404) == "Không có bài học 'nope'."


def _error_classes() -> list[type[HocvusoError]]:
    """Import every app's ``errors`` module; return every ``HocvusoError`` class."""
    for app in django_apps.get_app_configs():
        if app.name.startswith("hocvuso.") and (Path(app.path) / "errors.py").exists():
            importlib.import_module(f"{app.name}.errors")
    found: list[type[HocvusoError]] = []
    todo = [HocvusoError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_router_app_error_derives_from_the_common_base() -> None:
    for app in django_apps.get_app_configs():
        root = Path(app.path)
        if not (root / "api.py").exists() or not (root / "errors.py").exists():
            continue
        module = importlib.import_module(f"{app.name}.errors")
        exceptions = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Exception)
            and obj.__module__ == module.__name__
        ]
        assert exceptions, app.name
        assert [e for e in exceptions if not issubclass(e, HocvusoError)] == []


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__qualname__)
def test_every_error_class_maps_to_a_json_client_error(
    cls: type[HocvusoError], rf: RequestFactory
) -> None:
    exc = cls.__new__(cls)
    HocvusoError.__init__(exc, "")
    with translation.override("vi"):
        response = api.on_exception(rf.get("/api/x"), exc)
    status = response.status_code
    assert 400 <= status < 500 or status == 503  # 503: operators must act
    assert status == cls.status
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["detail"] == exc.message != ""
