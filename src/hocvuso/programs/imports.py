"""Excel/CSV templates of targets and populations, and their all-or-nothing import.

A template is generated for a unit and a year: one row per unit the officer
may set (a province's own row, then one per commune), one column per
indicator × group (targets) or per group (populations), filled with the values
already stored. Row 1 carries the labels, row 2 the machine keys (``ma_don_vi``,
``ten_don_vi``, then ``<indicator>`` or ``<indicator>:<group>``; for
populations ``total`` or ``<group>``); data start at row 3.

An import reads every cell first and lists every error with its row and
column (unknown unit code, a unit outside the officer's units, not a number,
negative, over 100 for a percentage, unknown indicator or group); with one
error nothing is written. Empty cells leave the stored value as it is, and a
value equal to the stored one writes nothing, so importing the same file
twice changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from hocvuso.geo.models import Commune, Province
from hocvuso.programs.access import UnitRef, unit_name
from hocvuso.programs.models import ALL_GROUPS, Indicator, Population, Target, UnitLevel
from hocvuso.programs.target_errors import (
    CellError,
    ImportRejected,
    SteerInvalid,
    SteerNotAllowed,
)
from hocvuso.programs.targets import (
    group_labels,
    indicator_label,
    indicators_for_level,
    parse_number,
    population_groups,
    population_set_checked,
    population_value_check,
    target_may_set,
    target_set_checked,
    target_value_check,
)

if TYPE_CHECKING:
    from hocvuso.programs.targets import Actor

Kind = Literal["targets", "population"]
Format = Literal["xlsx", "csv"]
KINDS: tuple[Kind, ...] = ("targets", "population")
UNIT_KEY = "ma_don_vi"
NAME_KEY = "ten_don_vi"
TOTAL_KEY = "total"
KEY_ROW = 2
FIRST_DATA_ROW = 3
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS = 300
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_COMMUNE_DIGITS = re.compile(r"^\d{1,6}$")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    indicator: Indicator | None  # None for a population column
    group: str


@dataclass(frozen=True)
class Template:
    filename: str
    content_type: str
    content: bytes


def template_units(actor: Actor, unit: UnitRef) -> list[UnitRef]:
    """Return the units of a template of ``unit`` the actor may set, in order."""
    candidates: list[UnitRef] = []
    if unit.level != UnitLevel.NATION:
        candidates.append(unit)
    if unit.level == UnitLevel.PROVINCE:
        candidates.extend(
            UnitRef(UnitLevel.COMMUNE, unit.province_code, code)
            for code in Commune.objects.filter(province_id=unit.province_code)
            .order_by("code")
            .values_list("code", flat=True)
        )
    elif unit.level == UnitLevel.NATION:
        candidates.extend(
            UnitRef.province(code)
            for code in Province.objects.order_by("code").values_list("code", flat=True)
        )
    allowed = [u for u in candidates if target_may_set(actor, u)]
    if not allowed:
        raise SteerNotAllowed(_("You may not set the targets of this unit."))
    return allowed


def template_columns(kind: Kind, levels: set[str]) -> list[Column]:
    """Return the value columns of a template whose rows are at ``levels``."""
    return _columns(kind, levels)


def _columns(kind: Kind, levels: set[str]) -> list[Column]:
    labels = group_labels()
    if kind == "population":
        return [
            Column(
                key=grp or TOTAL_KEY,
                label=labels.get(grp, grp),
                indicator=None,
                group=grp,
            )
            for grp in population_groups()
        ]
    seen: dict[str, Indicator] = {}
    for level in sorted(levels):
        for ind in indicators_for_level(level):
            seen.setdefault(ind.code, ind)
    cols = []
    for ind in sorted(seen.values(), key=lambda i: (i.order, i.code)):
        for grp in [ALL_GROUPS, *ind.target_groups]:
            label = indicator_label(ind)
            if grp:
                label = f"{label} — {labels.get(grp, grp)}"
            if ind.is_percentage:
                label = f"{label} (%)"
            key = f"{ind.code}:{grp}" if grp else ind.code
            cols.append(Column(key=key, label=label, indicator=ind, group=grp))
    return cols


def _names(units: Sequence[UnitRef]) -> dict[UnitRef, str]:
    codes = [u.commune_code for u in units if u.level == UnitLevel.COMMUNE]
    communes = dict(Commune.objects.filter(code__in=codes).values_list("code", "name"))
    provinces = dict(Province.objects.values_list("code", "name"))
    out = {}
    for u in units:
        if u.level == UnitLevel.COMMUNE:
            out[u] = communes.get(u.commune_code, str(u.commune_code))
        else:
            out[u] = provinces.get(u.province_code, str(u.province_code))
    return out


def _stored(
    kind: Kind, units: Sequence[UnitRef], year: int
) -> dict[tuple[UnitRef, str], Decimal | int]:
    """Return the stored values of the template's cells, by unit and key."""
    provinces = {u.province_code for u in units}
    wanted = set(units)
    out: dict[tuple[UnitRef, str], Decimal | int] = {}
    if kind == "targets":
        for prov, comm, ind, grp, value in Target.objects.filter(
            year=year, province_id__in=provinces
        ).values_list("province_id", "commune_id", "indicator", "group", "value"):
            u = _row_unit(prov, comm)
            if u in wanted:
                out[(u, f"{ind}:{grp}" if grp else ind)] = value
    else:
        for prov, comm, grp, count in Population.objects.filter(
            year=year, province_id__in=provinces
        ).values_list("province_id", "commune_id", "group", "value"):
            u = _row_unit(prov, comm)
            if u in wanted:
                out[(u, grp or TOTAL_KEY)] = count
    return out


def _row_unit(prov: int, comm: int | None) -> UnitRef:
    if comm is None:
        return UnitRef.province(prov)
    return UnitRef(UnitLevel.COMMUNE, prov, comm)


def _title(kind: Kind, year: int) -> str:
    if kind == "targets":
        return _("Targets %(year)d") % {"year": year}
    return _("Population %(year)d") % {"year": year}


def _instructions(kind: Kind, unit: UnitRef, year: int) -> list[str]:
    lines = [
        _title(kind, year) + " — " + unit_name(unit),
        "",
        _("How to fill in this file:"),
        _("1. Fill in one row per unit. Do not change columns A and B."),
        _("2. Row 2 holds the column codes: do not change or delete it."),
        _("3. Write numbers only (a comma or a dot for decimals)."),
        _("4. A percentage is between 0 and 100; no value may be negative."),
        _("5. Leave a cell empty to keep the value already stored."),
        _(
            "6. Upload the file on the import page. If one cell is wrong, nothing is "
            "saved and every error is listed with its cell: fix them and upload "
            "again."
        ),
        _("7. Importing the same file twice changes nothing."),
    ]
    if kind == "population":
        lines[5] = _("3. Write whole numbers of people.")
        lines[6] = _("4. No value may be negative.")
    return lines


def template_build(
    *, actor: Actor, unit: UnitRef, year: int, kind: Kind, fmt: Format
) -> Template:
    """Return the template of ``unit`` for ``year``, filled with stored values."""
    with translation.override("vi"):
        units = template_units(actor, unit)
        cols = _columns(kind, {u.level for u in units})
        names = _names(units)
        stored = _stored(kind, units, year)
        header = [_("Unit code"), _("Unit name"), *[c.label for c in cols]]
        keys = [UNIT_KEY, NAME_KEY, *[c.key for c in cols]]
        body = [
            [u.slug, names[u], *[stored.get((u, c.key)) for c in cols]] for u in units
        ]
        base = f"{'chi-tieu' if kind == 'targets' else 'dan-so'}-{unit.slug}-{year}"
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerow(keys)
            for row in body:
                writer.writerow(["" if v is None else v for v in row])
            return Template(
                filename=f"{base}.csv",
                content_type="text/csv; charset=utf-8",
                content=("\ufeff" + out.getvalue()).encode("utf-8"),
            )
        return Template(
            filename=f"{base}.xlsx",
            content_type=XLSX_TYPE,
            content=_xlsx(kind, unit, year, header, keys, body, cols),
        )


def _xlsx(
    kind: Kind,
    unit: UnitRef,
    year: int,
    header: list[str],
    keys: list[str],
    body: Sequence[Sequence[object]],
    cols: list[Column],
) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _title(kind, year)[:31]
    ws.append(header)
    ws.append(keys)
    for row in body:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[KEY_ROW]:
        cell.font = Font(size=8, color="666666")
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 28
    last = FIRST_DATA_ROW + max(len(body), 1) - 1
    whole = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        error=_("Write a whole number, 0 or more."),
        showErrorMessage=True,
    )
    number = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        error=_("Write a number, 0 or more."),
        showErrorMessage=True,
    )
    percent = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        error=_("Write a percentage between 0 and 100."),
        showErrorMessage=True,
    )
    for dv in (whole, number, percent):
        ws.add_data_validation(dv)
    for i, col in enumerate(cols, start=3):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = 18
        rng = f"{letter}{FIRST_DATA_ROW}:{letter}{last}"
        if col.indicator is None:
            whole.add(rng)
        elif col.indicator.is_percentage:
            percent.add(rng)
        else:
            number.add(rng)
    guide = wb.create_sheet(_("Instructions")[:31])
    for line in _instructions(kind, unit, year):
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=13)
    guide.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- import


@dataclass
class ImportReport:
    """What an import did (nothing when ``errors`` is not empty)."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0
    units: int = 0
    errors: list[CellError] = field(default_factory=list)


def _read_rows(data: bytes) -> Iterator[list[object]]:
    if data[:2] == b"PK":
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a bad zip
            raise SteerInvalid(
                _("This file is not an Excel file we can read.")
            ) from exc
        ws = wb.worksheets[0]
        for cells in ws.iter_rows(values_only=True):
            yield list(cells)
        wb.close()
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SteerInvalid(
            _("This CSV file is not in UTF-8: save it as “CSV UTF-8”.")
        ) from None
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            sample, delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    for values in csv.reader(io.StringIO(text), dialect):
        yield list(values)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_unit(raw: object) -> UnitRef | None:
    text = str(raw).strip().lower()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    if _COMMUNE_DIGITS.match(text):
        text = f"c{int(text)}"
    if text.startswith("c") and text[1:].isdigit():
        commune = Commune.objects.filter(code=int(text[1:])).first()
        return UnitRef.commune(commune) if commune else None
    if text.startswith("p") and text[1:].isdigit():
        code = int(text[1:])
        return (
            UnitRef.province(code)
            if Province.objects.filter(code=code).exists()
            else None
        )
    return None


@dataclass(frozen=True)
class _Cell:
    unit: UnitRef
    column: Column
    value: Decimal | int


def import_file(
    *,
    actor: Actor,
    unit: UnitRef,
    year: int,
    kind: Kind,
    data: bytes,
    dry_run: bool = False,
) -> ImportReport:
    """Import a filled template of ``unit``: all cells, or none on any error.

    Raises ``ImportRejected`` (422) carrying every error with its row and
    column; the database is then untouched.
    """
    if not data:
        raise SteerInvalid(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise SteerInvalid(
            _("The file is too large (at most %(mb)d MB).")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    errors: list[CellError] = []
    cells: list[_Cell] = []
    rows = _read_rows(data)
    columns: dict[int, Column] = {}
    header_found = False
    seen_units: dict[UnitRef, int] = {}
    labels = group_labels()
    known_indicators = {
        ind.code: ind
        for level in (UnitLevel.PROVINCE, UnitLevel.COMMUNE)
        for ind in indicators_for_level(level)
    }
    pop_groups = population_groups()
    for number, values in enumerate(rows, start=1):
        if number > MAX_ROWS:
            errors.append(
                CellError(
                    number,
                    "",
                    "",
                    _("Too many rows (at most %(n)d).") % {"n": MAX_ROWS},
                )
            )
            break
        if not header_found:
            first = str(values[0]).strip().lower() if values and values[0] else ""
            if first == UNIT_KEY:
                header_found = True
                columns = _header_columns(
                    kind, number, values, known_indicators, pop_groups, labels, errors
                )
            elif number >= 10:
                break
            continue
        if all(_blank(v) for v in values):
            continue
        raw_unit = values[0] if values else None
        row_unit = None if _blank(raw_unit) else _parse_unit(raw_unit)
        if row_unit is None:
            errors.append(
                CellError(
                    number,
                    "A",
                    UNIT_KEY,
                    _("Unknown unit code: %(code)s.")
                    % {
                        "code": "" if raw_unit is None else str(raw_unit).strip() or "—"
                    },
                )
            )
            continue
        if not unit.contains(row_unit) or not target_may_set(actor, row_unit):
            errors.append(
                CellError(
                    number,
                    "A",
                    UNIT_KEY,
                    _("The unit %(code)s is not one whose figures you may set here.")
                    % {"code": row_unit.slug},
                )
            )
            continue
        if row_unit in seen_units:
            errors.append(
                CellError(
                    number,
                    "A",
                    UNIT_KEY,
                    _("The unit %(code)s is already on row %(row)d.")
                    % {"code": row_unit.slug, "row": seen_units[row_unit]},
                )
            )
            continue
        seen_units[row_unit] = number
        levels_ok = {ind.code for ind in indicators_for_level(row_unit.level)}
        for index, col in columns.items():
            raw = values[index] if index < len(values) else None
            if _blank(raw):
                continue
            letter = get_column_letter(index + 1)
            try:
                parsed = parse_number(raw)
                value: Decimal | int
                if col.indicator is None:
                    value = population_value_check(parsed)
                elif col.indicator.code not in levels_ok:
                    raise SteerInvalid(
                        _("This indicator has no target at this unit's level.")
                    )
                else:
                    value = target_value_check(col.indicator, parsed)
            except SteerInvalid as exc:
                errors.append(CellError(number, letter, col.key, exc.message))
                continue
            cells.append(_Cell(row_unit, col, value))
    if not header_found:
        errors.append(
            CellError(
                0,
                "",
                "",
                _(
                    "The row of column codes (starting with “%(key)s”) is missing: "
                    "use the template downloaded from this page."
                )
                % {"key": UNIT_KEY},
            )
        )
    if errors:
        shown = errors[:MAX_ERRORS]
        raise ImportRejected(
            _("The file has %(n)d error(s); nothing was saved.") % {"n": len(errors)},
            shown,
        )
    report = ImportReport(units=len(seen_units))
    if dry_run:
        return report
    with transaction.atomic():
        for cell in cells:
            if cell.column.indicator is None:
                assert isinstance(cell.value, int)
                change = population_set_checked(
                    actor=actor,
                    unit=cell.unit,
                    year=year,
                    group=cell.column.group,
                    value=cell.value,
                )
            else:
                assert isinstance(cell.value, Decimal)
                change = target_set_checked(
                    actor=actor,
                    unit=cell.unit,
                    year=year,
                    ind=cell.column.indicator,
                    group=cell.column.group,
                    value=cell.value,
                )
            if change.created:
                report.created += 1
            elif change.changed:
                report.changed += 1
            else:
                report.unchanged += 1
    return report


def _header_columns(
    kind: Kind,
    number: int,
    values: list[object],
    indicators: dict[str, Indicator],
    pop_groups: list[str],
    labels: dict[str, str],
    errors: list[CellError],
) -> dict[int, Column]:
    """Return the value columns of the key row, listing unknown keys as errors."""
    out: dict[int, Column] = {}
    seen: set[str] = set()
    for index, raw in enumerate(values):
        if index < 2 or _blank(raw):
            continue
        key = str(raw).strip()
        letter = get_column_letter(index + 1)
        if key in seen:
            errors.append(CellError(number, letter, key, _("This column is repeated.")))
            continue
        seen.add(key)
        if kind == "population":
            grp = "" if key == TOTAL_KEY else key
            if grp not in pop_groups:
                errors.append(
                    CellError(
                        number,
                        letter,
                        key,
                        _("Unknown target group: %(group)s.") % {"group": key},
                    )
                )
                continue
            out[index] = Column(key, labels.get(grp, grp), None, grp)
            continue
        code, _sep, grp = key.partition(":")
        ind = indicators.get(code)
        if ind is None:
            errors.append(
                CellError(
                    number,
                    letter,
                    key,
                    _("Unknown indicator: %(code)s.") % {"code": code},
                )
            )
            continue
        if grp and grp not in ind.target_groups:
            errors.append(
                CellError(
                    number,
                    letter,
                    key,
                    _("Unknown target group: %(group)s.") % {"group": grp},
                )
            )
            continue
        out[index] = Column(key, indicator_label(ind), ind, grp)
    return out
