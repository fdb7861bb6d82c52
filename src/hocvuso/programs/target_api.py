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


@router.get("/targets", response={200: list[TargetOut], **ERRORS})
def targets_list(request: HttpRequest, unit: str, year: int) -> list[TargetOut]:
    """List a unit's targets of a year, beside its communes' sum for a province."""
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


@router.put("/targets", response={200: CellChangeOut, **ERRORS})
def targets_set(request: HttpRequest, payload: TargetIn) -> CellChangeOut:
    """Set one target (the same value again changes nothing)."""
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


@router.get("/population", response={200: list[PopulationOut], **ERRORS})
def population_list(request: HttpRequest, unit: str, year: int) -> list[PopulationOut]:
    """List a unit's population per group (and its communes' sum)."""
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


@router.put("/population", response={200: CellChangeOut, **ERRORS})
def population_put(request: HttpRequest, payload: PopulationIn) -> CellChangeOut:
    """Set one population denominator."""
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


@router.get("/targets/template", response={200: None, **ERRORS})
def template_download(
    request: HttpRequest,
    unit: str,
    year: int,
    kind: Literal["targets", "population"] = "targets",
    format: Literal["xlsx", "csv"] = "xlsx",
) -> HttpResponse:
    """Download the Excel or CSV template of a unit (one row per commune)."""
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
    response={200: ImportOut, 422: ImportRejectedOut, 401: DetailOut, 403: DetailOut},
)
def import_upload(
    request: HttpRequest,
    unit: Form[str],
    year: Form[int],
    file: File[UploadedFile],
    kind: Form[Literal["targets", "population"]] = "targets",
) -> Status[ImportOut | ImportRejectedOut] | ImportOut:
    """Import a filled template: every cell, or nothing and the list of errors."""
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


@router.get("/manual-values", response={200: list[ManualValueOut], **ERRORS})
def manual_list(
    request: HttpRequest, unit: str, year: int, month: int
) -> list[ManualValueOut]:
    """List a unit's manual values of a month."""
    ref = _unit(request, unit)
    return [_manual_out(r) for r in manual_values(unit=ref, year=year, month=month)]


@router.post("/manual-values", response={200: ManualValueOut, 409: DetailOut, **ERRORS})
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
    """Set a manual value with its evidence (409 while the month is approved)."""
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


@router.get("/approvals", response={200: list[ApprovalStateOut], **ERRORS})
def approvals_list(
    request: HttpRequest, unit: str, year: int
) -> list[ApprovalStateOut]:
    """Return the approval state of each month of a unit's year."""
    ref = _unit(request, unit)
    states = approval_services.approval_states(units=[ref], year=year)
    return [ApprovalStateOut(month=m, state=states[(ref, m)]) for m in range(1, 13)]


@router.post(
    "/approvals/{action}", response={200: ApprovalOut, 409: DetailOut, **ERRORS}
)
def approvals_act(
    request: HttpRequest,
    action: Literal["submit", "approve", "return", "reopen"],
    payload: ApprovalIn,
) -> ApprovalOut:
    """Submit (commune), approve, return with a comment, or reopen (province)."""
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
