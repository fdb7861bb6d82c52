"""Manual values with evidence, for indicators hocvuso has no data for.

A value per unit (commune or province) × month × indicator × group, entered by
the unit's officers (or those above) with an evidence note and, optionally, a
file. The file is checked (size, and its first bytes must match its type:
PDF, JPEG, PNG, XLSX or DOCX) and stored under a random name in
``programs/evidence/<year>/``; the name the officer gave it is never used as
a path. A commune's approved month is locked: a change needs the province to
reopen it. Every change is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hocvuso.accounts.models import User
from hocvuso.core.services import audit_record
from hocvuso.programs.access import UnitRef, unit_allowed
from hocvuso.programs.approval import month_locked
from hocvuso.programs.models import ALL_GROUPS, Indicator, ManualValue, UnitLevel
from hocvuso.programs.target_errors import SteerConflict, SteerInvalid, SteerNotAllowed
from hocvuso.programs.targets import (
    indicators_for_level,
    parse_number,
    unit_fields,
)

if TYPE_CHECKING:
    from hocvuso.programs.targets import Actor

# extension → (content type, the bytes the file must start with)
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
}
MAX_NOTE = 4000


@dataclass(frozen=True)
class Evidence:
    """An uploaded evidence file: the name the officer gave it and its bytes."""

    name: str
    content: bytes


def manual_indicators(level: str) -> list[Indicator]:
    """Return the active indicators with a manual numerator at ``level``."""
    return [ind for ind in indicators_for_level(level) if ind.is_manual]


def evidence_check(evidence: Evidence) -> str:
    """Return the file's extension, or raise why it cannot be kept as evidence."""
    limit = int(getattr(settings, "HOCVUSO_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))
    if not evidence.content:
        raise SteerInvalid(_("The evidence file is empty."))
    if len(evidence.content) > limit:
        raise SteerInvalid(
            _("The evidence file is too large (at most %(mb)s MB).")
            % {"mb": f"{limit / (1024 * 1024):g}"}
        )
    ext = PurePosixPath(evidence.name.replace("\\", "/")).suffix.lower()
    kind = EVIDENCE_TYPES.get(ext)
    if kind is None:
        raise SteerInvalid(_("Evidence must be a PDF, JPEG, PNG, XLSX or DOCX file."))
    if not evidence.content.startswith(kind[1]):
        raise SteerInvalid(_("The file's content does not match its type."))
    return ".jpg" if ext == ".jpeg" else ext


def evidence_content_type(name: str) -> str:
    ext = PurePosixPath(name).suffix.lower()
    return EVIDENCE_TYPES.get(ext, ("application/octet-stream", ()))[0]


@dataclass(frozen=True)
class ManualChange:
    value: ManualValue
    created: bool
    changed: bool


def _unit_filter(unit: UnitRef) -> dict[str, object]:
    if unit.level == UnitLevel.COMMUNE:
        return {"commune_id": unit.commune_code}
    return {"province_id": unit.province_code, "commune__isnull": True}


def manual_value_set(
    *,
    actor: Actor,
    unit: UnitRef,
    year: int,
    month: int,
    indicator: str,
    group: str = ALL_GROUPS,
    value: object,
    note: str = "",
    evidence: Evidence | None = None,
) -> ManualChange:
    """Set the unit's manual value of a month, with its evidence.

    The same value and note again (and no new file) writes nothing. Raises
    ``SteerConflict`` while the commune's month is approved.
    """
    if unit.level == UnitLevel.NATION:
        raise SteerInvalid(_("Manual values are entered by a commune or a province."))
    if not unit_allowed(actor, unit):
        raise SteerNotAllowed(_("You do not steer this unit."))
    if not 1 <= month <= 12 or not 2020 <= year <= 2100:
        raise SteerInvalid(_("No such month."))
    ind = next((i for i in manual_indicators(unit.level) if i.code == indicator), None)
    if ind is None:
        raise SteerInvalid(
            _("The indicator %(code)s takes no manual value.") % {"code": indicator}
        )
    if group != ALL_GROUPS and group not in ind.target_groups:
        raise SteerInvalid(
            _("The indicator %(code)s has no target group %(group)s.")
            % {"code": ind.code, "group": group}
        )
    number = parse_number(value)
    if number < 0:
        raise SteerInvalid(_("A value cannot be negative."))
    if number > Decimal("999999999999"):
        raise SteerInvalid(_("The number is too large."))
    number = number.quantize(Decimal("0.01"))
    note = note.strip()[:MAX_NOTE]
    ext = evidence_check(evidence) if evidence is not None else ""
    file_name = ""
    try:
        with transaction.atomic():
            if month_locked(unit=unit, year=year, month=month):
                raise SteerConflict(
                    _(
                        "This month is approved: its values are locked. Ask the "
                        "province to reopen it."
                    )
                )
            if evidence is not None:
                file_name = default_storage.save(
                    f"programs/evidence/{year}/{uuid.uuid4().hex}{ext}",
                    ContentFile(evidence.content),
                )
            return _write(
                actor=actor,
                unit=unit,
                key={
                    "year": year,
                    "month": month,
                    "indicator": ind.code,
                    "group": group,
                },
                value=number,
                note=note,
                file_name=file_name,
            )
    except BaseException:
        if file_name:
            default_storage.delete(file_name)
        raise


def _write(
    *,
    actor: Actor,
    unit: UnitRef,
    key: dict[str, object],
    value: Decimal,
    note: str,
    file_name: str,
) -> ManualChange:
    user = actor if isinstance(actor, User) else None
    lookup = {**key, **_unit_filter(unit)}
    row = ManualValue.objects.select_for_update().filter(**lookup).first()
    described = {k: v for k, v in key.items()} | {"unit": unit.slug}
    if row is None:
        fresh = ManualValue(
            **key,
            **unit_fields(unit),
            value=value,
            evidence_note=note,
            entered_by=user,
        )
        fresh.evidence_file.name = file_name
        try:
            with transaction.atomic():
                fresh.save(force_insert=True)
        except IntegrityError:
            row = ManualValue.objects.select_for_update().get(**lookup)
        else:
            audit_record(
                actor=actor,
                action="programs.manual_value.set",
                obj=fresh,
                after={
                    **described,
                    "value": str(value),
                    "note": note,
                    "evidence": file_name,
                },
            )
            return ManualChange(fresh, created=True, changed=True)
    if row.value == value and row.evidence_note == note and not file_name:
        return ManualChange(row, created=False, changed=False)
    before = {
        **described,
        "value": str(row.value),
        "note": row.evidence_note,
        "evidence": row.evidence_file.name,
    }
    row.value = value
    row.evidence_note = note
    if file_name:
        row.evidence_file.name = file_name
    row.entered_by = user
    row.save()
    audit_record(
        actor=actor,
        action="programs.manual_value.set",
        obj=row,
        before=before,
        after={
            **described,
            "value": str(value),
            "note": note,
            "evidence": row.evidence_file.name,
        },
    )
    return ManualChange(row, created=False, changed=True)


def manual_values(*, unit: UnitRef, year: int, month: int) -> list[ManualValue]:
    """Return the unit's manual values of the month."""
    if unit.level == UnitLevel.NATION:
        return []
    return list(
        ManualValue.objects.filter(year=year, month=month, **_unit_filter(unit))
        .select_related("entered_by")
        .order_by("indicator", "group")
    )


def manual_value_unit(row: ManualValue) -> UnitRef:
    """Return the unit a manual value belongs to."""
    if row.commune_id is not None:
        return UnitRef(UnitLevel.COMMUNE, row.province_id or 0, row.commune_id)
    return UnitRef.province(row.province_id or 0)
