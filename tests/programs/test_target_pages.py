"""Pages and API of targets, populations, manual values and approval."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client, override_settings
from openpyxl import load_workbook
from tests.factories import user_with_role
from tests.programs.steer_helpers import Steer, steer

from hocvuso.accounts.models import Role
from hocvuso.programs.models import Approval, ApprovalState, ManualValue, Target

PDF = b"%PDF-1.4\n% evidence\n"
TODAY = date(2026, 7, 15)


@pytest.fixture
def s(db: None, tmp_path: Path) -> Iterator[Steer]:
    with (
        override_settings(MEDIA_ROOT=tmp_path),
        mock.patch("django.utils.timezone.localdate", return_value=TODAY),
    ):
        yield steer()


def _client(user: object) -> Client:
    c = Client()
    c.force_login(user)  # type: ignore[arg-type]
    return c


def _column(content: bytes, key: str) -> str:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    return next(str(c.column_letter) for c in ws[2] if c.value == key)


def test_a_commune_officer_imports_targets_through_the_pages(s: Steer) -> None:
    c = _client(s.officer_a)
    home = c.get("/programs/targets/")
    assert home.status_code == 302 and home["Location"].endswith(f"/c{s.a.code}/")
    page = c.get(f"/programs/targets/c{s.a.code}/?year=2026")
    assert page.status_code == 200
    assert "Chỉ tiêu 2026" in page.content.decode()
    t = c.get(f"/programs/targets/c{s.a.code}/template/?year=2026&kind=targets")
    assert t.status_code == 200 and "attachment" in t["Content-Disposition"]
    wb = load_workbook(io.BytesIO(t.content))
    wb.worksheets[0][f"{_column(t.content, 'reached')}3"] = 800
    wb.worksheets[0][f"{_column(t.content, 'passed')}3"] = 130  # over 100 %
    bad = io.BytesIO()
    wb.save(bad)
    bad.seek(0)
    bad.name = "chi-tieu.xlsx"
    refused = c.post(
        f"/programs/targets/c{s.a.code}/import/",
        {"year": 2026, "kind": "targets", "file": bad},
    )
    assert refused.status_code == 422
    html = refused.content.decode()
    assert f"{_column(t.content, 'passed')}3" in html and "100" in html
    assert not Target.objects.exists()
    wb.worksheets[0][f"{_column(t.content, 'passed')}3"] = 70
    good = io.BytesIO()
    wb.save(good)
    good.seek(0)
    good.name = "chi-tieu.xlsx"
    done = c.post(
        f"/programs/targets/c{s.a.code}/import/",
        {"year": 2026, "kind": "targets", "file": good},
    )
    assert done.status_code == 200
    assert Target.objects.get(indicator="reached").value == 800
    page = c.get(f"/programs/targets/c{s.a.code}/?year=2026").content.decode()
    assert 'value="800"' in page and 'value="70"' in page
    # The form: a bad field saves nothing; a good one saves.
    r = c.post(
        f"/programs/targets/c{s.a.code}/?year=2026",
        {"year": 2026, "t-reached": "900", "t-passed:farmers": "-1"},
    )
    assert r.status_code == 200 and "aria-invalid" in r.content.decode()
    assert Target.objects.get(indicator="reached").value == 800
    r = c.post(
        f"/programs/targets/c{s.a.code}/?year=2026",
        {"year": 2026, "t-reached": "900", "t-passed:farmers": "50"},
    )
    assert r.status_code == 302
    assert Target.objects.get(indicator="reached").value == 900


def test_a_province_sees_its_target_beside_its_communes_sum(s: Steer) -> None:
    c = _client(s.province_officer)
    for unit, value in ((f"c{s.a.code}", 100), (f"c{s.b.code}", 50)):
        c.post(
            f"/programs/targets/{unit}/?year=2026", {"year": 2026, "t-reached": value}
        )
    c.post(
        f"/programs/targets/p{s.a.province_id}/?year=2026",
        {"year": 2026, "t-reached": 200},
    )
    html = c.get(f"/programs/targets/p{s.a.province_id}/?year=2026").content.decode()
    assert "150" in html and 'value="200"' in html
    assert "disagrees" in html


def test_population_and_manual_values_pages(s: Steer) -> None:
    c = _client(s.officer_a)
    r = c.post(
        f"/programs/population/c{s.a.code}/?year=2026",
        {"year": 2026, "p-total": "5000", "p-farmers": "1200"},
    )
    assert r.status_code == 302
    html = c.get(f"/programs/population/c{s.a.code}/?year=2026").content.decode()
    assert 'value="5000"' in html
    upload = io.BytesIO(PDF)
    upload.name = "bien-ban.pdf"
    r = c.post(
        f"/programs/manual/c{s.a.code}/?year=2026&month=6",
        {
            "year": 2026,
            "month": 6,
            "indicator": "ehealth",
            "value": "321",
            "note": "Trạm y tế xã",
            "evidence": upload,
        },
    )
    assert r.status_code == 302
    row = ManualValue.objects.get()
    html = c.get(f"/programs/manual/c{s.a.code}/?year=2026&month=6").content.decode()
    assert "321" in html and f"/programs/manual/evidence/{row.pk}/" in html
    file = c.get(f"/programs/manual/evidence/{row.pk}/")
    assert file.status_code == 200 and b"".join(file.streaming_content) == PDF
    assert (
        _client(s.officer_b).get(f"/programs/manual/evidence/{row.pk}/").status_code
        == 403
    )
    bad = io.BytesIO(b"MZ")
    bad.name = "x.exe"
    r = c.post(
        f"/programs/manual/c{s.a.code}/?year=2026&month=6",
        {
            "year": 2026,
            "month": 6,
            "indicator": "ehealth",
            "value": "1",
            "evidence": bad,
        },
    )
    assert r.status_code == 422 and "PDF" in r.content.decode()


def test_the_province_approves_a_submitted_month_on_the_pages(s: Steer) -> None:
    commune = _client(s.officer_a)
    province = _client(s.province_officer)
    r = commune.post(
        f"/programs/approval/c{s.a.code}/act/",
        {"year": 2026, "month": 6, "action": "submit", "back": "commune"},
    )
    assert r.status_code == 302
    queue = province.get(
        f"/programs/approval/p{s.a.province_id}/?year=2026&month=6"
    ).content.decode()
    assert "Phê duyệt" in queue and s.a.name in queue
    # The commune cannot approve itself.
    assert (
        commune.post(
            f"/programs/approval/c{s.a.code}/act/",
            {"year": 2026, "month": 6, "action": "approve"},
        ).status_code
        == 403
    )
    province.post(
        f"/programs/approval/c{s.a.code}/act/",
        {"year": 2026, "month": 6, "action": "approve", "back": "province"},
    )
    assert Approval.objects.get().state == ApprovalState.APPROVED
    html = commune.get(
        f"/programs/manual/c{s.a.code}/?year=2026&month=6"
    ).content.decode()
    assert "bị khóa" in html and 'name="value"' not in html
    # Returning an approved month is refused with a message.
    r = province.post(
        f"/programs/approval/c{s.a.code}/act/",
        {"year": 2026, "month": 6, "action": "return", "comment": "x"},
        follow=True,
    )
    assert "Chỉ trả lại được tháng đã gửi." in r.content.decode()


def _urls(s: Steer) -> list[tuple[str, str, dict[str, object]]]:
    a = f"c{s.a.code}"
    return [
        ("get", f"/programs/targets/{a}/", {}),
        ("post", f"/programs/targets/{a}/", {"year": 2026, "t-reached": "1"}),
        ("get", f"/programs/targets/{a}/template/?year=2026", {}),
        ("get", f"/programs/targets/{a}/import/", {}),
        ("post", f"/programs/targets/{a}/import/", {"year": 2026}),
        ("get", f"/programs/population/{a}/", {}),
        ("post", f"/programs/population/{a}/", {"year": 2026, "p-total": "1"}),
        ("get", f"/programs/manual/{a}/", {}),
        ("post", f"/programs/manual/{a}/", {"indicator": "ehealth", "value": "1"}),
        ("get", f"/programs/approval/{a}/", {}),
        ("post", f"/programs/approval/{a}/act/", {"action": "submit", "month": 6}),
        ("get", f"/api/programs/targets?unit={a}&year=2026", {}),
        ("get", f"/api/programs/population?unit={a}&year=2026", {}),
        ("get", f"/api/programs/targets/template?unit={a}&year=2026", {}),
        ("get", f"/api/programs/manual-values?unit={a}&year=2026&month=6", {}),
        ("get", f"/api/programs/approvals?unit={a}&year=2026", {}),
    ]


def test_another_communes_officer_is_refused_everywhere(s: Steer) -> None:
    other_province = user_with_role(
        Role.PROVINCE_OFFICER, province_code=s.x.province_id
    )
    for officer in (s.officer_b, s.officer_x, other_province):
        c = _client(officer)
        for method, url, data in _urls(s):
            r = getattr(c, method)(url, data)
            assert r.status_code == 403, (method, url, r.status_code)
        a = f"c{s.a.code}"
        for url, body in (
            (
                "/api/programs/targets",
                {"unit": a, "year": 2026, "indicator": "reached", "value": "1"},
            ),
            ("/api/programs/population", {"unit": a, "year": 2026, "value": 1}),
        ):
            r = c.put(url, json.dumps(body), content_type="application/json")
            assert r.status_code == 403, url
        r = c.post(
            "/api/programs/approvals/submit",
            json.dumps({"unit": a, "year": 2026, "month": 6}),
            content_type="application/json",
        )
        assert r.status_code == 403
        r = c.post(
            "/api/programs/targets/import",
            {"unit": a, "year": 2026, "file": io.BytesIO(b"x")},
        )
        assert r.status_code == 403
        r = c.post(
            "/api/programs/manual-values",
            {"unit": a, "year": 2026, "month": 6, "indicator": "ehealth", "value": "1"},
        )
        assert r.status_code == 403
    anonymous = Client()
    assert (
        anonymous.get(f"/api/programs/targets?unit=c{s.a.code}&year=2026").status_code
        == 401
    )
    assert anonymous.get(f"/programs/targets/c{s.a.code}/").status_code == 302
    assert not Target.objects.exists() and not Approval.objects.exists()


def test_the_api_sets_imports_and_approves(s: Steer) -> None:
    officer = Client(enforce_csrf_checks=True)
    officer.force_login(s.officer_a)
    a = f"c{s.a.code}"
    body = {
        "unit": a,
        "year": 2026,
        "indicator": "passed",
        "group": "farmers",
        "value": "45",
    }
    r = officer.put(
        "/api/programs/targets", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 403  # no CSRF token
    officer.get(f"/programs/targets/{a}/")  # sets the CSRF cookie
    token = officer.cookies["csrftoken"].value
    r = officer.put(
        "/api/programs/targets",
        json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 200 and r.json()["created"] is True
    r = officer.put(
        "/api/programs/targets",
        json.dumps({**body, "value": "150"}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 422 and "100" in r.json()["detail"]
    rows = officer.get(f"/api/programs/targets?unit={a}&year=2026").json()
    assert {(x["indicator"], x["group"]): x["own"] for x in rows}[
        ("passed", "farmers")
    ] == "45.00"
    t = officer.get(f"/api/programs/targets/template?unit={a}&year=2026&format=csv")
    assert t.status_code == 200 and t.content.startswith("\ufeff".encode())
    filled = t.content.decode("utf-8-sig").splitlines()
    keys = filled[1].split(",")
    cells = filled[2].split(",")
    cells[keys.index("reached")] = "abc"
    upload = io.BytesIO(("\ufeff" + "\n".join([*filled[:2], ",".join(cells)])).encode())
    upload.name = "t.csv"
    r = officer.post(
        "/api/programs/targets/import",
        {"unit": a, "year": 2026, "kind": "targets", "file": upload},
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 422
    [error] = r.json()["errors"]
    assert error["row"] == 3 and error["header"] == "reached"
    r = officer.post(
        "/api/programs/approvals/submit",
        json.dumps({"unit": a, "year": 2026, "month": 6}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    r = officer.post(
        "/api/programs/approvals/approve",
        json.dumps({"unit": a, "year": 2026, "month": 6}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 403
    boss = _client(s.province_officer)
    r = boss.post(
        "/api/programs/approvals/approve",
        json.dumps({"unit": a, "year": 2026, "month": 6}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "approved"
    r = boss.post(
        "/api/programs/approvals/return",
        json.dumps({"unit": a, "year": 2026, "month": 6, "comment": "x"}),
        content_type="application/json",
    )
    assert (
        r.status_code == 409 and r.json()["detail"] == "Chỉ trả lại được tháng đã gửi."
    )
    r = officer.post(
        "/api/programs/manual-values",
        {"unit": a, "year": 2026, "month": 6, "indicator": "ehealth", "value": "5"},
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 409
    states = officer.get(f"/api/programs/approvals?unit={a}&year=2026").json()
    assert states[5] == {"month": 6, "state": "approved"}


def test_a_national_admin_steers_the_nation(s: Steer) -> None:
    c = _client(user_with_role(Role.NATIONAL_ADMIN))
    html = c.get("/programs/targets/vn/?year=2026").content.decode()
    assert "Các tỉnh, thành phố (34)" in html
    assert c.get("/programs/approval/vn/").status_code == 200
    assert c.get("/programs/population/vn/").status_code == 200
    assert c.get("/programs/manual/vn/").status_code == 404
    assert c.get("/programs/targets/p999/").status_code == 404
    t = c.get("/programs/targets/vn/template/?year=2026")
    rows = list(load_workbook(io.BytesIO(t.content)).worksheets[0].iter_rows(min_row=3))
    assert len(rows) == 34


def test_the_province_sees_a_communes_months_without_submit_buttons(s: Steer) -> None:
    html = _client(s.province_officer).get(f"/programs/approval/c{s.a.code}/?year=2026")
    assert html.status_code == 200
    assert 'value="submit"' not in html.content.decode()
    mine = _client(s.officer_a).get(f"/programs/approval/c{s.a.code}/?year=2026")
    assert 'value="submit"' in mine.content.decode()
