"""Approval of a commune's month: submit, approve, return, reopen; and its reads.

The state machine (one :class:`~hocvuso.programs.models.Approval` row per
commune × month, created on first use)::

    open ──submit──▶ submitted ──approve──▶ approved ──reopen──▶ open
    returned ──submit──▶ submitted ──return (comment)──▶ returned

The commune's own officers submit; officers of the province (or above) approve,
return with a comment or reopen. An approved month locks the commune's manual
values for it. Each step is audited, and the commune's fact rows of the month
carry the new state so the figures mark provisional and approved values. A
step repeated (a double click, a retried request) returns the row unchanged;
a step the state does not allow is a 409 with a message saying why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import User
from hocvuso.core.services import audit_record
from hocvuso.geo.models import Commune
from hocvuso.programs.access import UnitRef, unit_decides_for, units_for_user
from hocvuso.programs.models import Approval, ApprovalState, Fact, UnitLevel
from hocvuso.programs.target_errors import (
    SteerConflict,
    SteerInvalid,
    SteerNotAllowed,
)

if TYPE_CHECKING:
    from hocvuso.programs.targets import Actor

MAX_COMMENT = 2000


def _check_period(year: int, month: int, today: date | None) -> None:
    if not 1 <= month <= 12 or not 2020 <= year <= 2100:
        raise SteerInvalid(_("No such month."))
    now = today or timezone.localdate()
    if (year, month) > (now.year, now.month):
        raise SteerInvalid(_("This month has not started yet."))


def _commune_of(unit: UnitRef) -> int:
    if unit.level != UnitLevel.COMMUNE:
        raise SteerInvalid(_("Only a commune's month is submitted and approved."))
    return unit.commune_code


def _row(commune_code: int, year: int, month: int) -> Approval:
    """Return the period's row locked for update, creating it (race-safe)."""
    qs = Approval.objects.select_for_update()
    row = qs.filter(commune_id=commune_code, year=year, month=month).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return Approval.objects.create(
                commune_id=commune_code, year=year, month=month
            )
    except IntegrityError:
        return qs.get(commune_id=commune_code, year=year, month=month)


def _record(actor: Actor, row: Approval, action: str, before: str) -> Approval:
    row.save()
    Fact.objects.filter(
        level=UnitLevel.COMMUNE,
        commune_code=row.commune_id,
        year=row.year,
        month=row.month,
    ).update(approval=row.state)
    audit_record(
        actor=actor,
        action=f"programs.approval.{action}",
        obj=row,
        before={"state": before},
        after={"state": row.state, "comment": row.comment},
    )
    return row


@transaction.atomic
def approval_submit(
    *, actor: Actor, unit: UnitRef, year: int, month: int, today: date | None = None
) -> Approval:
    """Submit the commune's month to the province (again after a return)."""
    code = _commune_of(unit)
    if unit not in units_for_user(actor):
        # Those above decide; only the commune's own officers submit.
        raise SteerNotAllowed(_("Only the commune's officers submit its figures."))
    _check_period(year, month, today)
    row = _row(code, year, month)
    if row.state == ApprovalState.SUBMITTED:
        return row
    if row.state == ApprovalState.APPROVED:
        raise SteerConflict(
            _("This month is already approved; the province must reopen it first.")
        )
    before = row.state
    row.state = ApprovalState.SUBMITTED
    row.submitted_by = actor if isinstance(actor, User) else None
    row.submitted_at = timezone.now()
    return _record(actor, row, "submit", before)


def _decider_row(actor: Actor, unit: UnitRef, year: int, month: int) -> Approval:
    code = _commune_of(unit)
    if not unit_decides_for(actor, unit):
        raise SteerNotAllowed(
            _("Only the province's officers approve a commune's figures.")
        )
    if not 1 <= month <= 12:
        raise SteerInvalid(_("No such month."))
    return _row(code, year, month)


def _decided(actor: Actor, row: Approval, state: str, comment: str) -> None:
    row.state = state
    row.comment = comment.strip()[:MAX_COMMENT]
    row.decided_by = actor if isinstance(actor, User) else None
    row.decided_at = timezone.now()


@transaction.atomic
def approval_approve(
    *, actor: Actor, unit: UnitRef, year: int, month: int, comment: str = ""
) -> Approval:
    """Approve a submitted month: its figures are final, its manual values locked."""
    row = _decider_row(actor, unit, year, month)
    if row.state == ApprovalState.APPROVED:
        return row
    if row.state != ApprovalState.SUBMITTED:
        raise SteerConflict(
            _("The commune has not submitted this month yet: it cannot be approved.")
        )
    before = row.state
    _decided(actor, row, ApprovalState.APPROVED, comment)
    return _record(actor, row, "approve", before)


@transaction.atomic
def approval_return(
    *, actor: Actor, unit: UnitRef, year: int, month: int, comment: str
) -> Approval:
    """Return a submitted month to the commune with a comment saying what to fix."""
    if not comment.strip():
        raise SteerInvalid(_("Say what the commune should correct."))
    row = _decider_row(actor, unit, year, month)
    if row.state == ApprovalState.RETURNED and row.comment == comment.strip():
        return row
    if row.state != ApprovalState.SUBMITTED:
        raise SteerConflict(_("Only a submitted month can be returned."))
    before = row.state
    _decided(actor, row, ApprovalState.RETURNED, comment)
    return _record(actor, row, "return", before)


@transaction.atomic
def approval_reopen(
    *, actor: Actor, unit: UnitRef, year: int, month: int, comment: str = ""
) -> Approval:
    """Reopen an approved month so that the commune can change it again."""
    row = _decider_row(actor, unit, year, month)
    if row.state == ApprovalState.OPEN and row.decided_at is not None:
        return row  # reopened already (a repeated request)
    if row.state != ApprovalState.APPROVED:
        raise SteerConflict(_("Only an approved month can be reopened."))
    before = row.state
    _decided(actor, row, ApprovalState.OPEN, comment)
    return _record(actor, row, "reopen", before)


class _Decision(Protocol):
    def __call__(
        self, *, actor: Actor, unit: UnitRef, year: int, month: int, comment: str
    ) -> Approval: ...


DECISIONS: dict[str, _Decision] = {
    "approve": approval_approve,
    "return": approval_return,
    "reopen": approval_reopen,
}


# ---------------------------------------------------------------- reads


def approval_state(*, unit: UnitRef, year: int, month: int) -> str:
    """Return the approval state of ``unit``'s month (see :func:`approval_states`)."""
    return approval_states(units=[unit], year=year)[(unit, month)]


def approval_states(
    *, units: Sequence[UnitRef], year: int
) -> dict[tuple[UnitRef, int], str]:
    """Return the state of every unit × month 1..12 of ``year``.

    A commune has its own state (``open`` without a row). A province (or the
    nation) is ``approved`` when every one of its communes is, ``submitted``
    when every one is submitted or approved, otherwise ``open``: a figure of
    a province is final only when all of its communes' are. Two queries.
    """
    out: dict[tuple[UnitRef, int], str] = {}
    communes = [u.commune_code for u in units if u.level == UnitLevel.COMMUNE]
    own: dict[tuple[int, int], str] = {}
    if communes:
        own = {
            (c, m): s
            for c, m, s in Approval.objects.filter(
                year=year, commune_id__in=communes
            ).values_list("commune_id", "month", "state")
        }
    wider = [u for u in units if u.level != UnitLevel.COMMUNE]
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    sizes: dict[int, int] = {}
    if wider:
        for prov, month, state, n in (
            Approval.objects.filter(year=year)
            .values_list("commune__province_id", "month", "state")
            .annotate(n=Count("id"))
            .values_list("commune__province_id", "month", "state", "n")
        ):
            counts[(prov, month)][state] = n
        sizes = dict(
            Commune.objects.values_list("province_id")
            .annotate(n=Count("code"))
            .values_list("province_id", "n")
        )
    for unit in units:
        for month in range(1, 13):
            if unit.level == UnitLevel.COMMUNE:
                out[(unit, month)] = own.get(
                    (unit.commune_code, month), ApprovalState.OPEN
                )
                continue
            provs = [unit.province_code] if unit.province_code else list(sizes)
            total = sum(sizes.get(p, 0) for p in provs)
            approved = sum(
                counts[(p, month)].get(ApprovalState.APPROVED, 0) for p in provs
            )
            submitted = sum(
                counts[(p, month)].get(ApprovalState.SUBMITTED, 0) for p in provs
            )
            if total and approved == total:
                out[(unit, month)] = ApprovalState.APPROVED
            elif total and approved + submitted == total:
                out[(unit, month)] = ApprovalState.SUBMITTED
            else:
                out[(unit, month)] = ApprovalState.OPEN
    return out


def month_locked(*, unit: UnitRef, year: int, month: int) -> bool:
    """Return whether ``unit``'s manual values of the month are locked."""
    if unit.level != UnitLevel.COMMUNE:
        return False
    return Approval.objects.filter(
        commune_id=unit.commune_code,
        year=year,
        month=month,
        state=ApprovalState.APPROVED,
    ).exists()


@dataclass(frozen=True)
class QueueRow:
    """One commune's month as a province officer sees it in the queue."""

    unit: UnitRef
    name: str
    state: str
    comment: str
    submitted_at: object


def approval_queue(*, unit: UnitRef, year: int, month: int) -> list[QueueRow]:
    """Return the province's communes for the month, submitted ones first."""
    if unit.level != UnitLevel.PROVINCE:
        return []
    rows = {
        a.commune_id: a
        for a in Approval.objects.filter(
            year=year, month=month, commune__province_id=unit.province_code
        )
    }
    order: dict[str, int] = {
        ApprovalState.SUBMITTED: 0,
        ApprovalState.RETURNED: 1,
        ApprovalState.OPEN: 2,
        ApprovalState.APPROVED: 3,
    }
    out = []
    for code, name in (
        Commune.objects.filter(province_id=unit.province_code)
        .order_by("code")
        .values_list("code", "name")
    ):
        row = rows.get(code)
        out.append(
            QueueRow(
                unit=UnitRef(UnitLevel.COMMUNE, unit.province_code, code),
                name=name,
                state=row.state if row else ApprovalState.OPEN,
                comment=row.comment if row else "",
                submitted_at=row.submitted_at if row else None,
            )
        )
    out.sort(key=lambda r: order.get(r.state, 9))
    return out


def approval_history(*, unit: UnitRef, year: int) -> list[Approval]:
    """Return the commune's rows of the year, by month."""
    if unit.level != UnitLevel.COMMUNE:
        return []
    return list(
        Approval.objects.filter(commune_id=unit.commune_code, year=year).order_by(
            "month"
        )
    )
