"""Templates of targets and populations, and their all-or-nothing import."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from tests.programs.steer_helpers import Steer, steer

from hocvuso.core.models import AuditLog
from hocvuso.programs.imports import import_file, template_build
from hocvuso.programs.models import Population, Target
from hocvuso.programs.target_errors import ImportRejected, SteerNotAllowed


@pytest.fixture
def s(db: None) -> Steer:
    return steer()


def _fill(content: bytes, cells: dict[str, object]) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _column(content: bytes, key: str) -> str:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    for cell in ws[2]:
        if cell.value == key:
            return str(cell.column_letter)
    raise AssertionError(key)


def test_the_template_has_one_row_per_commune_and_a_frozen_header(s: Steer) -> None:
    t = template_build(
        actor=s.province_officer, unit=s.province, year=2026, kind="targets", fmt="xlsx"
    )
    assert t.filename == f"chi-tieu-p{s.a.province_id}-2026.xlsx"
    wb = load_workbook(io.BytesIO(t.content))
    ws, guide = wb.worksheets
    assert ws.freeze_panes == "C3"
    assert guide.title == "Hướng dẫn"
    assert "Điền" in str(guide["A3"].value) or "điền" in str(guide["A3"].value)
    keys = [c.value for c in ws[2]]
    assert keys[:2] == ["ma_don_vi", "ten_don_vi"]
    assert "passed:farmers" in keys and "reached" in keys
    units = [r[0].value for r in ws.iter_rows(min_row=3)]
    assert units[0] == f"p{s.a.province_id}"
    assert f"c{s.a.code}" in units and f"c{s.b.code}" in units
    assert len(units) == 1 + s.a.province.communes.count()
    assert ws.data_validations.dataValidation  # numbers and percentages checked
    mine = template_build(
        actor=s.officer_a, unit=s.unit_a, year=2026, kind="targets", fmt="xlsx"
    )
    rows = list(
        load_workbook(io.BytesIO(mine.content)).worksheets[0].iter_rows(min_row=3)
    )
    assert [r[0].value for r in rows] == [f"c{s.a.code}"]
    with pytest.raises(SteerNotAllowed):
        template_build(
            actor=s.officer_x, unit=s.unit_a, year=2026, kind="targets", fmt="xlsx"
        )


def test_a_commune_officer_imports_targets_from_the_template(s: Steer) -> None:
    t = template_build(
        actor=s.officer_a, unit=s.unit_a, year=2026, kind="targets", fmt="xlsx"
    )
    filled = _fill(
        t.content,
        {
            f"{_column(t.content, 'passed')}3": 60,
            f"{_column(t.content, 'passed:farmers')}3": "45,5",
            f"{_column(t.content, 'reached')}3": 1200,
        },
    )
    report = import_file(
        actor=s.officer_a, unit=s.unit_a, year=2026, kind="targets", data=filled
    )
    assert (report.created, report.changed, report.unchanged) == (3, 0, 0)
    values = {
        (t.indicator, t.group): float(t.value)
        for t in Target.objects.filter(commune=s.a, year=2026)
    }
    assert values == {
        ("passed", ""): 60,
        ("passed", "farmers"): 45.5,
        ("reached", ""): 1200,
    }
    audits = AuditLog.objects.filter(action="programs.target.set").count()
    again = import_file(
        actor=s.officer_a, unit=s.unit_a, year=2026, kind="targets", data=filled
    )
    assert (again.created, again.changed, again.unchanged) == (0, 0, 3)
    assert AuditLog.objects.filter(action="programs.target.set").count() == audits
    # The next template carries the stored values: importing it changes nothing.
    fresh = template_build(
        actor=s.officer_a, unit=s.unit_a, year=2026, kind="targets", fmt="xlsx"
    )
    third = import_file(
        actor=s.officer_a, unit=s.unit_a, year=2026, kind="targets", data=fresh.content
    )
    assert third.created == third.changed == 0


def test_a_bad_import_is_rejected_whole_with_each_cell(s: Steer) -> None:
    t = template_build(
        actor=s.province_officer, unit=s.province, year=2026, kind="targets", fmt="xlsx"
    )
    passed = _column(t.content, "passed")
    reached = _column(t.content, "reached")
    ws = load_workbook(io.BytesIO(t.content)).worksheets[0]
    row_a = next(
        r[0].row for r in ws.iter_rows(min_row=3) if r[0].value == f"c{s.a.code}"
    )
    row_b = next(
        r[0].row for r in ws.iter_rows(min_row=3) if r[0].value == f"c{s.b.code}"
    )
    last = ws.max_row
    filled = _fill(
        t.content,
        {
            f"{reached}{row_a}": 100,  # fine, but must not be saved
            f"{passed}{row_a}": 120,  # over 100 %
            f"{reached}{row_b}": "nhiều",  # not a number
            f"{passed}{row_b}": -5,  # negative
            f"A{last + 1}": "c999999",  # unknown unit
            f"A{last + 2}": f"c{s.x.code}",  # another province's commune
            f"{reached}{last + 2}": 10,
        },
    )
    wb = load_workbook(io.BytesIO(filled))
    wb.worksheets[0][f"{_column(t.content, 'passed:youth')}2"] = "passed:pensioners"
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ImportRejected) as err:
        import_file(
            actor=s.province_officer,
            unit=s.province,
            year=2026,
            kind="targets",
            data=out.getvalue(),
        )
    cells = {(e.cell or e.header): e.message for e in err.value.errors}
    assert set(cells) == {
        f"{_column(t.content, 'passed:youth')}2",
        f"{passed}{row_a}",
        f"{reached}{row_b}",
        f"{passed}{row_b}",
        f"A{last + 1}",
        f"A{last + 2}",
    }
    assert err.value.status == 422
    assert not Target.objects.exists()
    assert not AuditLog.objects.filter(action="programs.target.set").exists()


def test_an_officer_cannot_import_into_another_commune(s: Steer) -> None:
    t = template_build(
        actor=s.officer_a, unit=s.unit_a, year=2026, kind="targets", fmt="xlsx"
    )
    filled = _fill(
        t.content, {"A3": f"c{s.b.code}", f"{_column(t.content, 'reached')}3": 5}
    )
    with pytest.raises(ImportRejected) as err:
        import_file(
            actor=s.officer_a, unit=s.unit_a, year=2026, kind="targets", data=filled
        )
    assert [e.cell for e in err.value.errors] == ["A3"]
    assert not Target.objects.exists()


def test_population_imports_from_csv_with_a_bom(s: Steer) -> None:
    t = template_build(
        actor=s.province_officer,
        unit=s.province,
        year=2026,
        kind="population",
        fmt="csv",
    )
    assert t.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(t.content.decode("utf-8-sig"))))
    keys = rows[1]
    assert keys[:3] == ["ma_don_vi", "ten_don_vi", "total"]
    assert "farmers" in keys
    for row in rows[2:]:
        if row[0] == f"c{s.a.code}":
            row[keys.index("total")] = "5000"
            row[keys.index("farmers")] = "1200"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = ("\ufeff" + out.getvalue()).encode()
    report = import_file(
        actor=s.province_officer,
        unit=s.province,
        year=2026,
        kind="population",
        data=data,
    )
    assert report.created == 2
    assert Population.objects.get(commune=s.a, group="farmers").value == 1200
    bad = data.replace(b"1200", b"12.5")
    with pytest.raises(ImportRejected) as err:
        import_file(
            actor=s.province_officer,
            unit=s.province,
            year=2026,
            kind="population",
            data=bad,
        )
    [error] = err.value.errors
    assert error.header == "farmers" and error.row >= 3
    assert Population.objects.get(commune=s.a, group="farmers").value == 1200


def test_a_file_that_is_not_a_template_is_refused(s: Steer) -> None:
    with pytest.raises(ImportRejected) as err:
        import_file(
            actor=s.officer_a,
            unit=s.unit_a,
            year=2026,
            kind="targets",
            data=b"hello,world\n1,2\n",
        )
    assert "ma_don_vi" in err.value.errors[0].message
