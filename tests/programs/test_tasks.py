"""Accountable tasks, inspections and reminders: scoping, evidence, idempotency."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.factories import commune, user_with_role
from tests.programs.helpers import indicators

from hocvuso.accounts.models import Role, User
from hocvuso.core.models import AuditLog
from hocvuso.programs.access import UnitRef
from hocvuso.programs.models import (
    Inspection,
    Notification,
    ProgramTask,
    Target,
    TaskStatus,
    TaskUpdate,
)
from hocvuso.programs.task_services import (
    InspectionIn,
    TaskIn,
    TaskInvalid,
    TaskNotAllowed,
    inspection_create,
    task_create,
    task_reminders_send,
    task_update_add,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam, 10 June
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _setup() -> tuple[UnitRef, UnitRef, User, User, User]:
    c = commune(30178)
    other = (
        type(c).objects.filter(province_id=c.province_id).exclude(code=c.code).first()
    )
    assert other is not None
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=c.code)
    helper = user_with_role(Role.COMMUNITY_HELPER, commune_code=c.code)
    stranger = user_with_role(Role.COMMUNE_OFFICER, commune_code=other.code)
    return UnitRef.commune(c), UnitRef.commune(other), officer, helper, stranger


def _task(
    actor: User,
    unit: UnitRef,
    assignee: User,
    due: date,
    start: date = date(2026, 6, 1),
) -> ProgramTask:
    return task_create(
        actor=actor,
        unit=unit,
        data=TaskIn(
            title="Mở lớp kỹ năng số cho hội nông dân ấp 3",
            assignee_id=assignee.pk,
            responsible_id=actor.pk,
            authority="Chủ tịch UBND xã",
            starts_on=start,
            due_on=due,
            expected_result="30 nông dân hoàn thành bài đánh giá",
            indicator="passed",
        ),
    )


def test_create_update_with_evidence_and_audit() -> None:
    unit, _other, officer, helper, stranger = _setup()
    task = _task(officer, unit, helper, date(2026, 6, 12))
    assert AuditLog.objects.filter(action="programs.task.create").count() == 1
    photo = SimpleUploadedFile("lop-hoc.png", PNG, content_type="image/png")
    update = task_update_add(
        actor=helper,
        task_id=str(task.pk),
        status=TaskStatus.IN_PROGRESS,
        note="Đã mở lớp, 18 người tham gia",
        evidence=photo,
        now=NOW,
    )
    assert update.evidence_kind == "photo" and update.evidence
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    entry = AuditLog.objects.get(action="programs.task.update")
    assert entry.before == {"status": "todo"} and entry.after["status"] == "in_progress"
    with pytest.raises(TaskNotAllowed):
        task_update_add(
            actor=stranger, task_id=str(task.pk), status="done", note="x", now=NOW
        )
    fake = SimpleUploadedFile("bang.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(TaskInvalid, match="không khớp"):
        task_update_add(
            actor=helper, task_id=str(task.pk), status="done", note="x", evidence=fake
        )
    exe = SimpleUploadedFile("virus.exe", b"MZ", "application/octet-stream")
    with pytest.raises(TaskInvalid):
        task_update_add(
            actor=helper, task_id=str(task.pk), status="done", note="x", evidence=exe
        )
    assert TaskUpdate.objects.count() == 1  # refused updates wrote nothing
    with pytest.raises(TaskNotAllowed):
        _task(stranger, unit, helper, date(2026, 6, 12))
    with pytest.raises(TaskInvalid):
        _task(officer, unit, helper, date(2026, 5, 1))  # deadline before start


def test_evidence_size_is_limited(settings: Any) -> None:
    settings.HOCVUSO_TASK_EVIDENCE_MAX = 50
    unit, _other, officer, helper, _stranger = _setup()
    task = _task(officer, unit, helper, date(2026, 6, 12))
    big = SimpleUploadedFile("anh.png", PNG + b"\x00" * 100, content_type="image/png")
    with pytest.raises(TaskInvalid, match="quá lớn"):
        task_update_add(
            actor=helper, task_id=str(task.pk), status="done", note="x", evidence=big
        )


def test_reminders_are_sent_once_per_due_window(settings: Any) -> None:
    settings.HOCVUSO_TASK_REMINDER_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    unit, _other, officer, helper, _stranger = _setup()
    helper.email = "helper@example.org"
    helper.save()
    soon = _task(officer, unit, helper, date(2026, 6, 12))  # in 2 days
    _later = _task(officer, unit, helper, date(2026, 7, 30))
    done = _task(officer, unit, helper, date(2026, 6, 11))
    ProgramTask.objects.filter(pk=done.pk).update(status=TaskStatus.DONE)
    late = _task(officer, unit, helper, date(2026, 6, 5))
    assert task_reminders_send(now=NOW) == 4  # assignee and responsible, twice
    assert task_reminders_send(now=NOW) == 0
    assert task_reminders_send(now=NOW + timedelta(hours=5)) == 0  # same window
    # Only the helper has an address: one mail per notification of theirs.
    assert sorted(m.subject for m in mail.outbox) == [
        "Nhắc việc: nhiệm vụ quá hạn",
        "Nhắc việc: nhiệm vụ sắp đến hạn",
    ]
    assert any("12/06/2026" in m.body for m in mail.outbox)
    notes = Notification.objects.filter(task=soon)
    assert {n.recipient_id for n in notes} == {helper.pk, officer.pk}
    assert {n.kind for n in Notification.objects.filter(task=late)} == {"overdue"}
    ProgramTask.objects.filter(pk=soon.pk).update(due_on=date(2026, 6, 13))
    assert task_reminders_send(now=NOW) == 2  # a new due date: a new window
    assert len(mail.outbox) == 3


def test_the_worker_task_sends_and_reschedules_itself(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from hocvuso.core.tasks import tasks_run_pending
    from hocvuso.programs.task_reminders import task_reminders_schedule

    unit, _other, officer, helper, _stranger = _setup()
    due = date(2026, 6, 11)
    waiting = DBTaskResult.objects.filter(
        task_path__endswith="task_reminders", status=TaskResultStatus.READY
    )
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            _task(officer, unit, helper, due, start=due)  # schedules the run
        assert waiting.count() == 1
        assert not task_reminders_schedule()  # one waiting is enough
        assert tasks_run_pending() == 1
        assert Notification.objects.filter(kind="due_soon").count() == 2
        # The next run waits an hour: nothing is ready now.
        assert waiting.count() == 1 and tasks_run_pending() == 0
    with time_machine.travel(NOW + timedelta(hours=1, seconds=1), tick=False):
        assert tasks_run_pending() == 1  # runs again, writes nothing twice
    assert Notification.objects.filter(kind="due_soon").count() == 2


def test_pages_are_scoped_and_overdue_is_highlighted(client: Client) -> None:
    unit, other, officer, helper, stranger = _setup()
    late = _task(officer, unit, helper, date(2020, 6, 12), start=date(2020, 6, 1))
    client.force_login(officer)
    page = client.get(reverse("programs:tasks", kwargs={"unit": unit.slug}))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="task overdue"' in html and "Quá hạn" in html
    client.force_login(stranger)
    assert (
        client.get(reverse("programs:tasks", kwargs={"unit": unit.slug})).status_code
        == 403
    )
    detail = reverse("programs:task_detail", kwargs={"task_id": late.pk})
    assert client.get(detail).status_code == 403
    assert client.post(detail, {"status": "done", "note": "x"}).status_code == 403
    insp = reverse("programs:inspections", kwargs={"unit": unit.slug})
    assert client.get(insp).status_code == 403
    client.force_login(helper)
    mine = client.get(reverse("programs:tasks_mine")).content.decode()
    assert late.title in mine
    response = client.post(
        detail,
        {
            "status": "done",
            "note": "Hoàn thành",
            "evidence": SimpleUploadedFile("a.png", PNG, "image/png"),
        },
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.status == TaskStatus.DONE
    update = TaskUpdate.objects.get(task=late)
    evidence = reverse("programs:task_evidence", kwargs={"update_id": update.pk})
    assert evidence in client.get(detail).content.decode()
    shown = client.get(evidence)
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    client.force_login(stranger)
    assert client.get(evidence).status_code == 403
    assert other.slug != unit.slug


def test_task_form_creates_and_refuses_bad_dates(client: Client) -> None:
    unit, _other, officer, helper, _stranger = _setup()
    indicators()
    c = commune(unit.commune_code)
    target = Target.objects.create(
        year=2026, province=c.province, commune=c, indicator="passed", value=60
    )
    client.force_login(officer)
    url = reverse("programs:task_new", kwargs={"unit": unit.slug})
    form = client.get(url).content.decode()
    assert str(helper.pk) in form
    data = {
        "title": "Tập huấn tổ công nghệ số",
        "assignee": str(helper.pk),
        "authority": "Chủ tịch UBND xã",
        "starts_on": "2026-06-10",
        "due_on": "2026-06-01",
        "expected_result": "Tổ viên dùng được VNeID",
    }
    bad = client.post(url, data)
    assert bad.status_code == 400 and "không thể trước" in bad.content.decode()
    assert not ProgramTask.objects.exists()
    data["due_on"] = "2026-06-20"
    data["indicator"] = "passed"
    assert client.post(url, data).status_code == 302
    task = ProgramTask.objects.get()
    assert task.assignee_id == helper.pk
    assert task.target == target  # the unit's target for the indicator that year
    page = client.get(reverse("programs:task_detail", kwargs={"task_id": task.pk}))
    html = page.content.decode()
    assert "Tỷ lệ người lớn đạt kỹ năng số cơ bản" in html and "60" in html


def test_inspection_with_follow_up_task(client: Client) -> None:
    unit, _other, officer, helper, stranger = _setup()
    inspection = inspection_create(
        actor=officer,
        unit=unit,
        data=InspectionIn(
            subject="Lớp học ở nhà văn hóa ấp 3",
            inspected_on=date(2026, 6, 9),
            findings="Thiếu thiết bị cho người cao tuổi",
        ),
    )
    with pytest.raises(TaskNotAllowed):
        inspection_create(
            actor=stranger,
            unit=unit,
            data=InspectionIn(subject="x", inspected_on=date(2026, 6, 9), findings="y"),
        )
    task = task_create(
        actor=officer,
        unit=unit,
        data=TaskIn(
            title="Mượn 5 máy tính bảng",
            assignee_id=helper.pk,
            authority="Chủ tịch UBND xã",
            starts_on=date(2026, 6, 10),
            due_on=date(2026, 6, 20),
            expected_result="Đủ thiết bị",
            inspection_id=str(inspection.pk),
        ),
    )
    assert list(inspection.follow_ups.all()) == [task]
    client.force_login(officer)
    html = client.get(
        reverse("programs:inspections", kwargs={"unit": unit.slug})
    ).content.decode()
    assert "Thiếu thiết bị" in html and task.title in html
    assert Inspection.objects.count() == 1
    assert AuditLog.objects.filter(action="programs.inspection.create").count() == 1


def test_notifications_page_and_mark_read(client: Client) -> None:
    unit, _other, officer, helper, stranger = _setup()
    task = _task(officer, unit, helper, date(2026, 6, 12))
    task_reminders_send(now=NOW)
    note = Notification.objects.get(recipient=helper)
    client.force_login(stranger)
    url = reverse("programs:notification_read", kwargs={"notification_id": note.pk})
    client.post(url)
    note.refresh_from_db()
    assert note.read_at is None  # not theirs
    client.force_login(helper)
    page = client.get(reverse("programs:notifications")).content.decode()
    assert task.title in page
    client.post(url)
    note.refresh_from_db()
    assert note.read_at is not None
