"""Open data and the progress API publish what the public pages show."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories import user_with_role
from tests.programs.dash_data import YEAR, world

from hocvuso.accounts.models import Role
from hocvuso.programs.access import UnitRef
from hocvuso.programs.figures import figures

pytestmark = pytest.mark.django_db

Q = {"year": YEAR, "month": 3}


def _body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_matches_the_dashboard_and_hides_small_counts() -> None:
    w = world()
    response = Client().get(reverse("progress:indicators_csv"), Q)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "public" in response["Cache-Control"] and not response.cookies
    rows = {
        (r["unit_id"], r["period"], r["indicator"], r["group"]): r
        for r in _rows(_body(response))
    }
    dash = {
        (f.unit, f.indicator, f.group): f
        for f in figures(units=[w.home, w.province], year=YEAR, month=3)
    }
    home = rows[(w.home.slug, "2026-03", "reached", "all")]
    assert float(home["value"]) == dash[(w.home, "reached", "")].value == 30
    passed = rows[(w.home.slug, "2026-03", "passed", "all")]
    assert float(passed["value"]) == pytest.approx(dash[(w.home, "passed", "")].value)
    assert passed["unit_of_measure"] == "percent" and passed["count"] == "6"
    hidden = rows[(w.neighbour.slug, "2026-03", "passed", "all")]
    assert hidden["suppressed"] == "true" and hidden["count"] == hidden["value"] == ""
    assert rows[("vn", "2026-03", "reached", "all")]["value"] == "63"
    assert rows[(w.province.slug, "2026-03", "reached", "all")]["target"] == "200"
    assert all(r["status"] == "provisional" for r in rows.values())


def test_datapackage_validates_with_frictionless(tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    world()
    client = Client()
    descriptor = client.get(reverse("progress:datapackage")).json()
    schema = descriptor["resources"][1]["schema"]
    assert schema["primaryKey"] == ["unit_id", "period", "indicator", "group"]
    assert schema["foreignKeys"][0]["reference"]["resource"] == "units"
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor))
    (tmp_path / "units.csv").write_bytes(
        _body(client.get(reverse("progress:units_csv")))
    )
    (tmp_path / "indicators.csv").write_bytes(
        _body(client.get(reverse("progress:indicators_csv"), Q))
    )
    report = frictionless.Package(
        str(tmp_path / "datapackage.json"), basepath=str(tmp_path)
    ).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


def test_dcat_catalogue_names_the_distributions() -> None:
    response = Client().get(reverse("progress:catalogue"))
    assert response["Content-Type"].startswith("application/ld+json")
    record = response.json()
    assert record["@type"] == "dcat:Catalog"
    dataset = record["dcat:dataset"][0]
    urls = [d["dcat:accessURL"]["@id"] for d in dataset["dcat:distribution"]]
    assert any(u.endswith("/progress/data/indicators.csv") for u in urls)
    assert any(u.endswith("/progress/data/datapackage.json") for u in urls)
    assert dataset["dct:license"]["@id"].endswith("CC_BY_4_0")


def test_progress_api_is_public_cacheable_and_agrees_with_the_page() -> None:
    w = world()
    response = Client().get(f"/api/progress/{w.province.slug}", Q)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert (
        "public" in response["Cache-Control"] and "max-age" in response["Cache-Control"]
    )
    assert not response.cookies
    data = response.json()
    own = {(f["indicator"], f["group"]): f for f in data["figures"]}
    assert own[("reached", "all")]["value"] == 42
    assert own[("passed", "farmers")]["suppressed"] is True
    assert own[("passed", "farmers")]["count"] is None
    kids = {c["unit"]: c for c in data["children"]}
    neighbour = {f["indicator"]: f for f in kids[w.neighbour.slug]["figures"]}
    assert neighbour["passed"]["suppressed"] and neighbour["reached"]["value"] == 12
    assert Client().get("/api/progress/c999999", Q).status_code == 404
    bad = Client().get("/api/progress/vn", {"month": 13})
    assert bad.status_code == 400 and "tháng" in bad.json()["detail"]


def test_the_api_shows_no_more_to_an_officer_than_to_anyone() -> None:
    w = world()
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=w.home.commune_code)
    signed_in = Client()
    signed_in.force_login(officer)
    anon = Client().get(f"/api/progress/{w.neighbour.slug}", Q).json()
    mine = signed_in.get(f"/api/progress/{w.neighbour.slug}", Q).json()
    assert anon == mine
    assert UnitRef.nation().slug == "vn"
