"""API of targets, populations, manual values and approval (officers only).

Mounted under ``/api/programs/``. The session cookie signs requests in, so
every write needs the CSRF token (``X-CSRFToken`` header), as the other
routers do. Units are named as in the pages (``p<code>``, ``c<code>``): a
unit outside the officer's scope is 403, an unknown one 404. Errors are
``{"detail": …}`` in the request's language; a rejected import is 422 with
``errors``, one per cell.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth
from pydantic import Field

from hocvuso.programs import approval as approval_services
from hocvuso.programs.access import UnitRef, unit_for_request
from hocvuso.programs.imports import import_file, template_build
from hocvuso.programs.manual import Evidence, manual_value_set, manual_values
from hocvuso.programs.target_errors import ImportRejected
from hocvuso.programs.targets import (
    population_rows,
    population_set,
    target_rows,
    target_set,
)

router = Router(auth=django_auth, tags=["programs: targets and approval"])


class DetailOut(Schema):
    detail: str


ERRORS: dict[int, type[Schema]] = {
    401: DetailOut,
    403: DetailOut,
    404: DetailOut,
    422: DetailOut,
}


def _unit(request: HttpRequest, slug: str) -> UnitRef:
    return unit_for_request(request, slug)


class TargetOut(Schema):
    indicator: str
    group: str
    label: str
    group_label: str
    is_percentage: bool
    own: Decimal | None
    communes_sum: Decimal | None
    communes_set: int
    disagrees: bool


class TargetIn(Schema):
    unit: str = Field(max_length=10, examples=["c30178"])
    year: int
    indicator: str = Field(max_length=60)
    group: str = Field(default="", max_length=40)
    value: Decimal | str = Field(examples=["60"])


class CellChangeOut(Schema):
    id: str
    value: Decimal
    created: bool
    changed: bool


@router.get(
    "/targets",
    summary="List a unit's targets",
    response={200: list[TargetOut], **ERRORS},
)
def targets_list(request: HttpRequest, unit: str, year: int) -> list[TargetOut]:
    """A unit's targets for a year, one per indicator × group; for a province, each
    beside the sum of its communes' targets and how many communes have one.
    Officers of the unit or above only.

    Example: `GET /api/programs/targets?unit=c30178&year=2026`
    """
    ref = _unit(request, unit)
    return [
        TargetOut(
            indicator=r.indicator,
            group=r.group,
            label=r.indicator_label,
            group_label=r.group_label,
            is_percentage=r.is_percentage,
            own=r.own,
            communes_sum=r.communes_sum,
            communes_set=r.communes_set,
            disagrees=r.disagrees,
        )
        for r in target_rows(unit=ref, year=year)
    ]


@router.put(
    "/targets", summary="Set one target", response={200: CellChangeOut, **ERRORS}
)
def targets_set(request: HttpRequest, payload: TargetIn) -> CellChangeOut:
    """Set one target of a unit: year, indicator, group and value (a percentage is
    0–100). Setting the value it already has changes nothing; every change is
    audited. Who may set it follows `HOCVUSO_TARGETS_SET_BY`.

    Example: `PUT /api/programs/targets` with
    `{"unit": "c30178", "year": 2026, "indicator": "basic-skills",
    "group": "", "value": 80}`
    """
    ref = _unit(request, payload.unit)
    change = target_set(
        actor=request.user,
        unit=ref,
        year=payload.year,
        indicator=payload.indicator,
        group=payload.group,
        value=payload.value,
    )
    return CellChangeOut(
        id=change.pk,
        value=Decimal(change.value),
        created=change.created,
        changed=change.changed,
    )


class PopulationOut(Schema):
    group: str
    group_label: str
    own: int | None
    communes_sum: int | None


class PopulationIn(Schema):
    unit: str = Field(max_length=10)
    year: int
    group: str = Field(default="", max_length=40)
    value: int | str
    source: str = Field(default="", max_length=200)


@router.get(
    "/population",
    summary="List a unit's population",
    response={200: list[PopulationOut], **ERRORS},
)
def population_list(request: HttpRequest, unit: str, year: int) -> list[PopulationOut]:
    """A unit's population denominators for a year, per target group (for a
    province also the sum of its communes'). They turn counts into percentages.

    Example: `GET /api/programs/population?unit=p82&year=2026`
    """
    ref = _unit(request, unit)
    return [
        PopulationOut(
            group=r.group,
            group_label=r.group_label,
            own=r.own,
            communes_sum=r.communes_sum,
        )
        for r in population_rows(unit=ref, year=year)
    ]


@router.put(
    "/population",
    summary="Set one population figure",
    response={200: CellChangeOut, **ERRORS},
)
def population_put(request: HttpRequest, payload: PopulationIn) -> CellChangeOut:
    """Set the population of one unit, year and target group (a whole number of
    people). The same value again changes nothing; changes are audited.

    Example: `PUT /api/programs/population` with
    `{"unit": "c30178", "year": 2026, "group": "farmers", "value": 5200}`
    """
    ref = _unit(request, payload.unit)
    change = population_set(
        actor=request.user,
        unit=ref,
        year=payload.year,
        group=payload.group,
        value=payload.value,
        source=payload.source,
    )
    return CellChangeOut(
        id=change.pk,
        value=Decimal(change.value),
        created=change.created,
        changed=change.changed,
    )


@router.get(
    "/targets/template",
    summary="Download a targets template",
    response={200: None, **ERRORS},
)
def template_download(
    request: HttpRequest,
    unit: str,
    year: int,
    kind: Literal["targets", "population"] = "targets",
    format: Literal["xlsx", "csv"] = "xlsx",
) -> HttpResponse:
    """Download the Excel (`format=xlsx`) or CSV (`format=csv`) template of a unit
    and year: one row per commune, one column per indicator × group, filled
    with the values already stored. Fill it and send it to the import.

    Example: `GET /api/programs/targets/template?unit=p82&year=2026&format=xlsx`
    """
    ref = _unit(request, unit)
    t = template_build(actor=request.user, unit=ref, year=year, kind=kind, fmt=format)
    response = HttpResponse(t.content, content_type=t.content_type)
    response["Content-Disposition"] = f'attachment; filename="{t.filename}"'
    return response


class CellErrorOut(Schema):
    row: int
    column: str
    cell: str
    header: str
    message: str


class ImportOut(Schema):
    created: int
    changed: int
    unchanged: int
    units: int


class ImportRejectedOut(Schema):
    detail: str
    errors: list[CellErrorOut]


@router.post(
    "/targets/import",
    summary="Import a filled targets template",
    response={200: ImportOut, 422: ImportRejectedOut, 401: DetailOut, 403: DetailOut},
)
def import_upload(
    request: HttpRequest,
    unit: Form[str],
    year: Form[int],
    file: File[UploadedFile],
    kind: Form[Literal["targets", "population"]] = "targets",
) -> Status[ImportOut | ImportRejectedOut] | ImportOut:
    """Import a filled template (multipart field `file`): every cell is stored, or
    nothing is and the answer (422) lists each error with its row and column
    (unknown unit, not a number, over 100 %, unknown group). Importing the
    same file again changes nothing.

    Example: `POST /api/programs/targets/import` (multipart: `unit`, `year`, `file`)
    """
    ref = _unit(request, unit)
    try:
        report = import_file(
            actor=request.user, unit=ref, year=year, kind=kind, data=file.read()
        )
    except ImportRejected as exc:
        return Status(
            422,
            ImportRejectedOut(
                detail=exc.message,
                errors=[
                    CellErrorOut(
                        row=e.row,
                        column=e.column,
                        cell=e.cell,
                        header=e.header,
                        message=e.message,
                    )
                    for e in exc.errors
                ],
            ),
        )
    return ImportOut(
        created=report.created,
        changed=report.changed,
        unchanged=report.unchanged,
        units=report.units,
    )


class ManualValueOut(Schema):
    id: str
    indicator: str
    group: str
    year: int
    month: int
    value: Decimal
    note: str
    has_evidence: bool


def _manual_out(row: object) -> ManualValueOut:
    from hocvuso.programs.models import ManualValue

    assert isinstance(row, ManualValue)
    return ManualValueOut(
        id=str(row.pk),
        indicator=row.indicator,
        group=row.group,
        year=row.year,
        month=row.month,
        value=row.value,
        note=row.evidence_note,
        has_evidence=bool(row.evidence_file),
    )


@router.get(
    "/manual-values",
    summary="List a unit's manual values",
    response={200: list[ManualValueOut], **ERRORS},
)
def manual_list(
    request: HttpRequest, unit: str, year: int, month: int
) -> list[ManualValueOut]:
    """The values officers entered by hand for a unit and month (for indicators
    hocvuso cannot count, such as the e-health book), with their evidence notes.

    Example: `GET /api/programs/manual-values?unit=c30178&year=2026&month=3`
    """
    ref = _unit(request, unit)
    return [_manual_out(r) for r in manual_values(unit=ref, year=year, month=month)]


@router.post(
    "/manual-values",
    summary="Enter a manual value",
    response={200: ManualValueOut, 409: DetailOut, **ERRORS},
)
def manual_set(
    request: HttpRequest,
    unit: Form[str],
    year: Form[int],
    month: Form[int],
    indicator: Form[str],
    value: Form[str],
    group: Form[str] = "",
    note: Form[str] = "",
    evidence: File[UploadedFile | None] = None,
) -> ManualValueOut:
    """Enter or change a manual value of a unit and month with its evidence (a
    note and optionally a PDF, image or spreadsheet). Refused with 409 while
    the month is approved: the province must reopen it first. Audited.

    Example: `POST /api/programs/manual-values` (multipart: `unit`, `year`,
    `month`, `indicator`, `value`, `note`, `evidence`)
    """
    ref = _unit(request, unit)
    change = manual_value_set(
        actor=request.user,
        unit=ref,
        year=year,
        month=month,
        indicator=indicator,
        group=group,
        value=value,
        note=note,
        evidence=(
            Evidence(evidence.name or "", evidence.read())
            if evidence is not None
            else None
        ),
    )
    return _manual_out(change.value)


class ApprovalIn(Schema):
    unit: str = Field(max_length=10, examples=["c30178"])
    year: int
    month: int
    comment: str = Field(default="", max_length=2000)


class ApprovalOut(Schema):
    unit: str
    year: int
    month: int
    state: str
    comment: str
    decided_at: datetime | None


class ApprovalStateOut(Schema):
    month: int
    state: str


@router.get(
    "/approvals",
    summary="List the approval state of a year",
    response={200: list[ApprovalStateOut], **ERRORS},
)
def approvals_list(
    request: HttpRequest, unit: str, year: int
) -> list[ApprovalStateOut]:
    """The approval state of each month of a unit's year: open, submitted,
    approved or returned (with the province's comment).

    Example: `GET /api/programs/approvals?unit=c30178&year=2026`
    """
    ref = _unit(request, unit)
    states = approval_services.approval_states(units=[ref], year=year)
    return [ApprovalStateOut(month=m, state=states[(ref, m)]) for m in range(1, 13)]


@router.post(
    "/approvals/{action}",
    summary="Submit, approve, return or reopen a month",
    response={200: ApprovalOut, 409: DetailOut, **ERRORS},
)
def approvals_act(
    request: HttpRequest,
    action: Literal["submit", "approve", "return", "reopen"],
    payload: ApprovalIn,
) -> ApprovalOut:
    """Move a commune's month through approval: `submit` (the commune),
    `approve`, `return` with a comment, or `reopen` (the province). A step the
    current state does not allow answers 409; every step is audited.

    Example: `POST /api/programs/approvals/approve` with
    `{"unit": "c30178", "year": 2026, "month": 3}`
    """
    ref = _unit(request, payload.unit)
    if action == "submit":
        row = approval_services.approval_submit(
            actor=request.user, unit=ref, year=payload.year, month=payload.month
        )
    else:
        row = approval_services.DECISIONS[action](
            actor=request.user,
            unit=ref,
            year=payload.year,
            month=payload.month,
            comment=payload.comment,
        )
    return ApprovalOut(
        unit=ref.slug,
        year=row.year,
        month=row.month,
        state=row.state,
        comment=row.comment,
        decided_at=row.decided_at,
    )
