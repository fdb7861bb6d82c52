"""Report files of a unit and period: Excel, PDF and CSV, all from ``figures``.

Every number in a report is read through :func:`hocvuso.programs.figures.figures`
(the one read path the dashboards use), so a file matches the screen for the
same unit and period. A report has one part per level: the unit itself, then
the units under it (a province's communes; the nation's provinces and
communes). Rows are built a chunk of units at a time so that a large export
neither holds every row in memory (CSV streams them) nor reports progress only
at the end.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import fontpkg_be_vietnam_pro
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from hocvuso.framework.models import TargetGroup
from hocvuso.geo.models import Commune, Province
from hocvuso.programs.access import UnitRef, unit_name
from hocvuso.programs.figures import (
    Figure,
    child_units,
    data_as_of,
    figures,
    indicators_active,
)
from hocvuso.programs.models import ApprovalState, Indicator, UnitLevel

CHUNK = 200  # units per figures() call
Progress = Callable[[int, int], None]  # (units done, units in all)


@dataclass(frozen=True)
class Part:
    """One level of a report: its title and units."""

    level: str
    title: str
    units: list[UnitRef]


@dataclass(frozen=True)
class Row:
    """One line of a report: a figure with the names it is printed with."""

    level: str
    unit_code: str
    unit_name: str
    indicator: Indicator
    group: str
    group_name: str
    figure: Figure

    @property
    def is_percentage(self) -> bool:
        return self.indicator.is_percentage


def level_title(level: str) -> str:
    return {
        UnitLevel.NATION: _("Nation"),
        UnitLevel.PROVINCE: _("Provinces"),
        UnitLevel.COMMUNE: _("Communes"),
    }[UnitLevel(level)]


def report_parts(unit: UnitRef) -> list[Part]:
    """Return the report's levels: the unit, then every level under it."""
    parts = [Part(unit.level, level_title(unit.level), [unit])]
    if unit.level == UnitLevel.NATION:
        provinces = child_units(unit)
        parts.append(Part(UnitLevel.PROVINCE, level_title("province"), provinces))
        communes = [
            UnitRef(UnitLevel.COMMUNE, prov, code)
            for code, prov in Commune.objects.order_by(
                "province_id", "code"
            ).values_list("code", "province_id")
        ]
        parts.append(Part(UnitLevel.COMMUNE, level_title("commune"), communes))
    elif unit.level == UnitLevel.PROVINCE:
        parts.append(Part(UnitLevel.COMMUNE, level_title("commune"), child_units(unit)))
    return parts


def _names(units: Sequence[UnitRef]) -> dict[UnitRef, str]:
    communes = [u.commune_code for u in units if u.level == UnitLevel.COMMUNE]
    provinces = [u.province_code for u in units if u.level == UnitLevel.PROVINCE]
    out: dict[UnitRef, str] = {}
    by_commune = dict(
        Commune.objects.filter(code__in=communes).values_list("code", "name")
    )
    by_province = dict(
        Province.objects.filter(code__in=provinces).values_list("code", "name")
    )
    for u in units:
        if u.level == UnitLevel.COMMUNE:
            out[u] = by_commune.get(u.commune_code, str(u.commune_code))
        elif u.level == UnitLevel.PROVINCE:
            out[u] = by_province.get(u.province_code, str(u.province_code))
        else:
            out[u] = unit_name(u)
    return out


def unit_code(unit: UnitRef) -> str:
    if unit.level == UnitLevel.COMMUNE:
        return f"{unit.commune_code:05d}"
    if unit.level == UnitLevel.PROVINCE:
        return f"{unit.province_code:02d}"
    return "VN"


def indicator_name(indicator: Indicator) -> str:
    lang = get_language() or "vi"
    if lang.startswith("en") and indicator.name_en:
        return indicator.name_en
    return indicator.name_vi


def group_names() -> dict[str, str]:
    names = {g.slug: g.name for g in TargetGroup.objects.all()}
    names[""] = _("All groups")
    return names


def report_rows(
    part: Part,
    *,
    year: int,
    month: int,
    indicators: Sequence[Indicator],
    groups: Sequence[str] | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> Iterator[Row]:
    """Yield the part's rows, reading ``figures`` for ``CHUNK`` units at a time."""
    by_code = {ind.code: ind for ind in indicators}
    gnames = group_names()
    for start in range(0, len(part.units), CHUNK):
        chunk = part.units[start : start + CHUNK]
        names = _names(chunk)
        for fig in figures(
            units=chunk, year=year, month=month, indicators=indicators, groups=groups
        ):
            yield Row(
                level=part.level,
                unit_code=unit_code(fig.unit),
                unit_name=names[fig.unit],
                indicator=by_code[fig.indicator],
                group=fig.group,
                group_name=gnames.get(fig.group, fig.group),
                figure=fig,
            )
        if on_chunk is not None:
            on_chunk(len(chunk))


def approval_labels() -> dict[str, str]:
    """Return the approval states' labels in the active language (once per file)."""
    return {state.value: str(state.label) for state in ApprovalState}


def row_note(row: Row) -> str:
    fig = row.figure
    if fig.needs_denominator:
        return _("Needs a population denominator")
    if fig.lagging:
        return _("Behind the path to the target")
    return ""


def headers() -> list[str]:
    return [
        _("Unit code"),
        _("Unit"),
        _("Indicator code"),
        _("Indicator"),
        _("Target group"),
        _("Numerator"),
        _("Denominator"),
        _("Value"),
        _("Year's target"),
        _("Expected by this month"),
        _("Approval"),
        _("Note"),
    ]


def plain_number(value: float | None) -> str:
    """Return a number for CSV: a dot for decimals, at most four of them."""
    if value is None:
        return ""
    rounded = round(value, 4)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.4f}".rstrip("0")


def display_number(value: float | None, *, percent: bool = False) -> str:
    """Return a number as Vietnamese print shows it: 1.234 and 12,5 %."""
    if value is None:
        return "—"
    if percent:
        text = f"{value:,.1f}"
    elif value == int(value):
        text = f"{int(value):,}"
    else:
        text = f"{value:,.2f}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"{text} %" if percent else text


@dataclass(frozen=True)
class Report:
    """What a file is made of: the unit, period and levels."""

    unit: UnitRef
    year: int
    month: int
    data_as_of: datetime | None
    generated_at: datetime
    parts: list[Part]
    indicators: list[Indicator]

    @property
    def unit_count(self) -> int:
        return sum(len(p.units) for p in self.parts)


def report_for(
    unit: UnitRef, *, year: int, month: int, as_of: datetime | None = None
) -> Report:
    return Report(
        unit=unit,
        year=year,
        month=month,
        data_as_of=as_of if as_of is not None else data_as_of(),
        generated_at=timezone.now(),
        parts=report_parts(unit),
        indicators=indicators_active(),
    )


def _local(value: datetime | None) -> str:
    if value is None:
        return _("no refresh yet")
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


# --- Excel ----------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1B3A57")
_WIDTHS = (10, 30, 16, 44, 22, 12, 12, 12, 12, 14, 14, 30)


def _header_cells(ws: WriteOnlyWorksheet) -> list[Cell]:
    out = []
    for text in headers():
        cell = WriteOnlyCell(ws, value=text)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        out.append(cell)
    return out


def _num_cell(ws: WriteOnlyWorksheet, value: float | None, *, percent: bool) -> Cell:
    if value is None:
        return WriteOnlyCell(ws, value=None)
    cell = WriteOnlyCell(ws, value=value / 100 if percent else value)
    cell.number_format = "0.0%" if percent else "#,##0.##"
    return cell


def _count_cell(ws: WriteOnlyWorksheet, value: float | None) -> Cell:
    cell = WriteOnlyCell(ws, value=value)
    if value is not None:
        cell.number_format = "#,##0.##"
    return cell


def report_xlsx(
    report: Report,
    out: io.BufferedIOBase | io.BytesIO,
    *,
    progress: Progress | None = None,
) -> None:
    """Write the report as an .xlsx workbook to ``out``.

    Sheets: "About" (unit, period, data as of) then one per level, each with
    a frozen, filterable header row; percentages carry a % number format (the
    cell holds the fraction, 0.125 shows as 12.5%), counts a thousands format.
    """
    wb = Workbook(write_only=True)
    about = wb.create_sheet(_("About")[:31])
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 60
    bold = Font(bold=True)
    title = WriteOnlyCell(about, value=_("Progress report: Digital Literacy for All"))
    title.font = Font(bold=True, size=14)
    about.append([title])
    for label, value in (
        (_("Unit"), f"{unit_name(report.unit)} ({unit_code(report.unit)})"),
        (_("Period"), _period(report)),
        (_("Data as of"), _local(report.data_as_of)),
        (_("Generated at"), _local(report.generated_at)),
        (_("Levels"), ", ".join(p.title for p in report.parts)),
        (
            _("Percentages"),
            _("Numerator / denominator × 100; population imported per unit."),
        ),
    ):
        head = WriteOnlyCell(about, value=label)
        head.font = bold
        about.append([head, value])
    total = report.unit_count
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    approvals = approval_labels()
    for part in report.parts:
        ws = wb.create_sheet(part.title[:31])
        ws.freeze_panes = "C2"
        for i, width in enumerate(_WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.append(_header_cells(ws))
        lines = 1
        for row in report_rows(
            part,
            year=report.year,
            month=report.month,
            indicators=report.indicators,
            on_chunk=step,
        ):
            fig = row.figure
            pct = row.is_percentage
            ws.append(
                [
                    row.unit_code,
                    row.unit_name,
                    row.indicator.code,
                    indicator_name(row.indicator),
                    row.group_name,
                    _count_cell(ws, fig.numerator),
                    _count_cell(ws, fig.denominator),
                    _num_cell(ws, fig.value, percent=pct),
                    _num_cell(ws, fig.target, percent=pct),
                    _num_cell(ws, fig.expected, percent=pct),
                    approvals.get(fig.approval, fig.approval),
                    row_note(row),
                ]
            )
            lines += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(_WIDTHS))}{lines}"
    wb.save(out)


def _period(report: Report) -> str:
    return _("Year %(year)s, months 1–%(month)s") % {
        "year": report.year,
        "month": report.month,
    }


# --- CSV ------------------------------------------------------------------

CSV_FIELDS = (
    "level",
    "unit_code",
    "unit_name",
    "year",
    "month",
    "indicator",
    "indicator_name",
    "group",
    "numerator",
    "denominator",
    "value",
    "target",
    "approval",
)


class _Echo:
    def write(self, value: str) -> str:
        return value


def report_csv_lines(report: Report) -> Iterator[str]:
    """Yield the report as CSV lines, UTF-8 with a BOM first (Excel reads it).

    Columns are stable machine names (open data style); numbers use a dot.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(CSV_FIELDS)
    for part in report.parts:
        for row in report_rows(
            part, year=report.year, month=report.month, indicators=report.indicators
        ):
            fig = row.figure
            yield writer.writerow(
                [
                    part.level,
                    row.unit_code,
                    row.unit_name,
                    report.year,
                    report.month,
                    row.indicator.code,
                    indicator_name(row.indicator),
                    row.group,
                    plain_number(fig.numerator),
                    plain_number(fig.denominator),
                    plain_number(fig.value),
                    plain_number(fig.target),
                    fig.approval,
                ]
            )


# --- PDF ------------------------------------------------------------------


@cache
def font_dir() -> Path:
    """Return the folder of the Be Vietnam Pro font files (Vietnamese glyphs)."""
    return Path(fontpkg_be_vietnam_pro.__file__).parent / "files"


@dataclass(frozen=True)
class PdfLine:
    unit: str
    indicator: str
    group: str
    value: str
    target: str
    approval: str
    lagging: bool


def _pdf_line(row: Row, *, with_unit: bool, approvals: dict[str, str]) -> PdfLine:
    fig = row.figure
    pct = row.is_percentage
    return PdfLine(
        unit=row.unit_name if with_unit else "",
        indicator=indicator_name(row.indicator),
        group=row.group_name,
        value=display_number(fig.value, percent=pct)
        if not fig.needs_denominator
        else _("needs denominator"),
        target=display_number(fig.target, percent=pct),
        approval=approvals.get(fig.approval, fig.approval),
        lagging=fig.lagging,
    )


def report_html(report: Report, *, progress: Progress | None = None) -> str:
    """Return the HTML the PDF is printed from.

    The unit's own figures list every group; the units directly under it
    list the all-groups total (one line per unit × indicator keeps a
    province's communes readable on A4). The nation's PDF stops at the
    provinces: its 3,321 communes belong in the Excel or CSV file.
    """
    parts = report.parts[:2]
    total = sum(len(p.units) for p in parts)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    sections = []
    approvals = approval_labels()
    for i, part in enumerate(parts):
        own = i == 0
        lines = [
            _pdf_line(row, with_unit=not own, approvals=approvals)
            for row in report_rows(
                part,
                year=report.year,
                month=report.month,
                indicators=report.indicators,
                groups=None if own else [""],
                on_chunk=step,
            )
        ]
        sections.append({"title": part.title, "own": own, "lines": lines})
    return render_to_string(
        "programs/report_pdf.html",
        {
            "unit_name": unit_name(report.unit),
            "unit_code": unit_code(report.unit),
            "period": _period(report),
            "data_as_of": _local(report.data_as_of),
            "generated_at": _local(report.generated_at),
            "sections": sections,
            "font_regular": (font_dir() / "BeVietnamPro-Regular.ttf").as_uri(),
            "font_bold": (font_dir() / "BeVietnamPro-Bold.ttf").as_uri(),
        },
    )


def report_pdf(report: Report, *, progress: Progress | None = None) -> bytes:
    """Return the report as an A4 PDF (WeasyPrint; the font is embedded)."""
    from weasyprint import HTML

    html = report_html(report, progress=progress)
    pdf: bytes = HTML(string=html, base_url=str(font_dir())).write_pdf()
    return pdf
