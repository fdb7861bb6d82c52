from __future__ import annotations

import pytest
from django.test import Client

from hocvuso.core.text import fold
from hocvuso.geo.models import Commune, Province
from hocvuso.geo.services import geo_units_load

pytestmark = pytest.mark.django_db


def test_all_units_of_the_two_level_government_are_loaded() -> None:
    assert Province.objects.count() == 34
    assert Commune.objects.count() == 3321
    types = set(Commune.objects.values_list("division_type", flat=True))
    assert types == {"xã", "phường", "đặc khu"}


def test_reload_is_idempotent() -> None:
    report = geo_units_load()
    assert (report.created, report.updated) == (0, 0)
    assert (report.provinces, report.communes) == (34, 3321)


def test_reload_repairs_changed_names() -> None:
    Commune.objects.filter(code=30178).update(name="sai", name_folded="sai")
    report = geo_units_load()
    assert report.updated == 1
    assert Commune.objects.get(code=30178).name == "Xã Mỹ An Hưng"


def test_fold_removes_diacritics() -> None:
    assert fold("  Xã Mỹ An   Hưng ") == "xa my an hung"
    assert fold("Đặc khu Phú Quốc") == "dac khu phu quoc"


def test_api_lists_34_provinces(client: Client) -> None:
    data = client.get("/api/geo/provinces").json()
    assert len(data) == 34
    assert data[0] == {
        "code": 1,
        "name": "Thành phố Hà Nội",
        "short_name": "Hà Nội",
        "division_type": "thành phố trung ương",
        "codename": "ha_noi",
    }


def test_communes_of_all_provinces_add_up(client: Client) -> None:
    total = 0
    for p in client.get("/api/geo/provinces").json():
        total += len(client.get(f"/api/geo/provinces/{p['code']}/communes").json())
    assert total == 3321


def test_search_ignores_diacritics(client: Client) -> None:
    data = client.get("/api/geo/communes", {"q": "my an hung"}).json()
    assert data["count"] == 1 and data["items"][0]["name"] == "Xã Mỹ An Hưng"
    scoped = client.get("/api/geo/provinces/82/communes", {"q": "MỸ AN"}).json()
    assert [c["code"] for c in scoped] == [30178]
    assert client.get("/api/geo/provinces", {"q": "dong thap"}).json()[0]["code"] == 82


def test_pagination(client: Client) -> None:
    first = client.get("/api/geo/communes", {"limit": 10}).json()
    second = client.get("/api/geo/communes", {"limit": 10, "offset": 10}).json()
    assert first["count"] == 3321 and len(first["items"]) == 10
    assert {c["code"] for c in first["items"]}.isdisjoint(
        c["code"] for c in second["items"]
    )


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/geo/provinces/abc/communes", 422),
        ("/api/geo/provinces/999/communes", 404),
        ("/api/geo/provinces/999", 404),
        ("/api/geo/communes?limit=0", 422),
        ("/api/geo/communes?limit=100000", 422),
        ("/api/geo/communes?offset=-1", 422),
        ("/api/geo/communes?province=abc", 422),
        ("/api/geo/communes?q=" + "x" * 101, 422),
    ],
)
def test_bad_input_gets_4xx_with_message(client: Client, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.json()["detail"]
