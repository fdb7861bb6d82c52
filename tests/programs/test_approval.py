"""Approval of a commune's month, and manual values with evidence that it locks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from tests.programs.steer_helpers import Steer, steer

from hocvuso.core.models import AuditLog
from hocvuso.programs.access import UnitRef
from hocvuso.programs.approval import (
    approval_approve,
    approval_queue,
    approval_reopen,
    approval_return,
    approval_state,
    approval_states,
    approval_submit,
)
from hocvuso.programs.manual import Evidence, manual_value_set, manual_values
from hocvuso.programs.models import (
    Approval,
    ApprovalState,
    Fact,
    ManualValue,
    UnitLevel,
)
from hocvuso.programs.target_errors import SteerConflict, SteerInvalid, SteerNotAllowed

TODAY = date(2026, 7, 15)
PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture
def s(db: None, tmp_path: Path) -> Iterator[Steer]:
    with override_settings(MEDIA_ROOT=tmp_path):
        yield steer()


def _manual(s: Steer, value: object, **kw: object) -> None:
    manual_value_set(
        actor=kw.pop("actor", s.officer_a),  # type: ignore[arg-type]
        unit=kw.pop("unit", s.unit_a),  # type: ignore[arg-type]
        year=2026,
        month=6,
        indicator=kw.pop("indicator", "ehealth"),  # type: ignore[arg-type]
        value=value,
        **kw,  # type: ignore[arg-type]
    )


def test_a_province_officer_approves_and_the_manual_values_lock(s: Steer) -> None:
    _manual(s, 120, note="Danh sách từ trạm y tế", evidence=Evidence("ds.pdf", PDF))
    Fact.objects.create(
        year=2026,
        level=UnitLevel.COMMUNE,
        province_code=s.a.province_id,
        commune_code=s.a.code,
        month=6,
        indicator="ehealth",
        group="",
        numerator=120,
        refreshed_at=datetime(2026, 7, 1, tzinfo=UTC),
    )
    approval_submit(actor=s.officer_a, unit=s.unit_a, year=2026, month=6, today=TODAY)
    queue = approval_queue(unit=s.province, year=2026, month=6)
    assert queue[0].unit == s.unit_a
    row = approval_approve(actor=s.province_officer, unit=s.unit_a, year=2026, month=6)
    assert row.state == ApprovalState.APPROVED and row.decided_by == s.province_officer
    assert Fact.objects.get(commune_code=s.a.code).approval == ApprovalState.APPROVED
    assert approval_state(unit=s.unit_a, year=2026, month=6) == ApprovalState.APPROVED
    with pytest.raises(SteerConflict) as err:
        _manual(s, 130)
    assert err.value.status == 409
    assert ManualValue.objects.get().value == 120
    approval_reopen(
        actor=s.province_officer, unit=s.unit_a, year=2026, month=6, comment="Sửa"
    )
    _manual(s, 130, note="Danh sách từ trạm y tế")
    assert ManualValue.objects.get().value == 130
    actions = list(
        AuditLog.objects.filter(action__startswith="programs.").values_list(
            "action", flat=True
        )
    )
    for action in (
        "programs.approval.submit",
        "programs.approval.approve",
        "programs.approval.reopen",
    ):
        assert action in actions
    assert actions.count("programs.manual_value.set") == 2


def test_returning_needs_a_comment_and_the_commune_submits_again(s: Steer) -> None:
    approval_submit(actor=s.officer_a, unit=s.unit_a, year=2026, month=6, today=TODAY)
    with pytest.raises(SteerInvalid):
        approval_return(
            actor=s.province_officer, unit=s.unit_a, year=2026, month=6, comment=" "
        )
    row = approval_return(
        actor=s.province_officer,
        unit=s.unit_a,
        year=2026,
        month=6,
        comment="Thiếu minh chứng",
    )
    assert row.state == ApprovalState.RETURNED and row.comment == "Thiếu minh chứng"
    again = approval_submit(
        actor=s.officer_a, unit=s.unit_a, year=2026, month=6, today=TODAY
    )
    assert again.state == ApprovalState.SUBMITTED
    # Submitting twice (a double click) keeps one submission.
    approval_submit(actor=s.officer_a, unit=s.unit_a, year=2026, month=6, today=TODAY)
    assert Approval.objects.count() == 1
    assert AuditLog.objects.filter(action="programs.approval.submit").count() == 2


def test_steps_out_of_order_are_409_and_strangers_403(s: Steer) -> None:
    with pytest.raises(SteerConflict):
        approval_approve(actor=s.province_officer, unit=s.unit_a, year=2026, month=6)
    with pytest.raises(SteerConflict):
        approval_reopen(actor=s.province_officer, unit=s.unit_a, year=2026, month=6)
    with pytest.raises(SteerInvalid):
        approval_submit(
            actor=s.officer_a, unit=s.unit_a, year=2026, month=8, today=TODAY
        )
    with pytest.raises(SteerNotAllowed):
        approval_submit(
            actor=s.officer_b, unit=s.unit_a, year=2026, month=6, today=TODAY
        )
    with pytest.raises(SteerNotAllowed):  # the province decides, it does not submit
        approval_submit(
            actor=s.province_officer, unit=s.unit_a, year=2026, month=6, today=TODAY
        )
    approval_submit(actor=s.officer_a, unit=s.unit_a, year=2026, month=6, today=TODAY)
    for stranger in (s.officer_a, s.officer_b, s.officer_x):
        with pytest.raises(SteerNotAllowed):
            approval_approve(actor=stranger, unit=s.unit_a, year=2026, month=6)
    with pytest.raises(SteerInvalid):
        approval_submit(
            actor=s.province_officer, unit=s.province, year=2026, month=6, today=TODAY
        )
    approval_approve(actor=s.province_officer, unit=s.unit_a, year=2026, month=6)
    with pytest.raises(SteerConflict):
        approval_submit(
            actor=s.officer_a, unit=s.unit_a, year=2026, month=6, today=TODAY
        )
    with pytest.raises(SteerConflict):
        approval_return(
            actor=s.province_officer, unit=s.unit_a, year=2026, month=6, comment="x"
        )


def test_a_province_is_approved_when_all_its_communes_are(s: Steer) -> None:
    states = approval_states(units=[s.province, s.unit_a], year=2026)
    assert states[(s.province, 6)] == ApprovalState.OPEN
    assert states[(s.unit_a, 6)] == ApprovalState.OPEN
    codes = list(s.a.province.communes.values_list("code", flat=True))
    for code in codes:
        Approval.objects.create(
            commune_id=code, year=2026, month=6, state=ApprovalState.SUBMITTED
        )
    assert approval_state(unit=s.province, year=2026, month=6) == "submitted"
    Approval.objects.filter(month=6).update(state=ApprovalState.APPROVED)
    assert approval_state(unit=s.province, year=2026, month=6) == "approved"
    assert approval_state(unit=UnitRef.nation(), year=2026, month=6) == "open"
    assert approval_state(unit=s.province, year=2026, month=5) == "open"


def test_manual_values_check_the_indicator_the_unit_and_the_file(s: Steer) -> None:
    with pytest.raises(SteerInvalid):
        _manual(s, 1, indicator="reached")  # counted by hocvuso, not by hand
    with pytest.raises(SteerNotAllowed):
        _manual(s, 1, actor=s.officer_x)
    with pytest.raises(SteerInvalid):
        _manual(s, -1)
    for name, content in (
        ("virus.exe", b"MZ..."),
        ("fake.pdf", b"<html>not a pdf</html>"),
        ("empty.png", b""),
    ):
        with pytest.raises(SteerInvalid):
            _manual(s, 1, evidence=Evidence(name, content))
    with override_settings(HOCVUSO_EVIDENCE_MAX_BYTES=10), pytest.raises(SteerInvalid):
        _manual(s, 1, evidence=Evidence("big.pdf", PDF))
    assert not ManualValue.objects.exists()
    _manual(s, 7, evidence=Evidence("../../../etc/passwd.pdf", PDF))
    row = ManualValue.objects.get()
    stored = row.evidence_file.name
    assert stored.startswith("programs/evidence/2026/") and ".." not in stored
    assert stored.endswith(".pdf") and "passwd" not in stored
    assert default_storage.open(stored).read() == PDF
    # The province enters its own value for the same month.
    _manual(s, 300, unit=s.province, actor=s.province_officer)
    assert [v.value for v in manual_values(unit=s.province, year=2026, month=6)] == [
        300
    ]
    # The same value again writes nothing.
    before = AuditLog.objects.count()
    _manual(s, 7)
    assert AuditLog.objects.count() == before


def test_the_state_selector_reads_in_a_fixed_number_of_queries(
    s: Steer, django_assert_max_num_queries: Any
) -> None:
    codes = list(s.a.province.communes.values_list("code", flat=True))
    Approval.objects.bulk_create(
        Approval(commune_id=c, year=2026, month=m, state=ApprovalState.APPROVED)
        for c in codes
        for m in (1, 2)
    )
    units = [s.province, UnitRef.nation()] + [
        UnitRef(UnitLevel.COMMUNE, s.a.province_id, c) for c in codes
    ]
    with django_assert_max_num_queries(3):
        states = approval_states(units=units, year=2026)
    assert states[(s.province, 2)] == ApprovalState.APPROVED
    assert states[(s.province, 3)] == ApprovalState.OPEN
    assert len(states) == 12 * len(units)
