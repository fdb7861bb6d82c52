"""Reports and exports: the files hold figures() numbers; jobs are idempotent."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import override
from openpyxl import load_workbook
from tests.factories import user_with_role
from tests.programs.helpers import AT, province_with_figures, refreshed

from hocvuso.accounts.models import Role
from hocvuso.core.models import AuditLog
from hocvuso.core.tasks import tasks_run_pending
from hocvuso.programs import reports
from hocvuso.programs.access import UnitRef
from hocvuso.programs.export_services import (
    ExportInvalid,
    ExportNotAllowed,
    export_request,
    exports_cleanup,
)
from hocvuso.programs.figures import Figure, figures
from hocvuso.programs.models import ExportJob, ExportState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _by_key(units: list[UnitRef]) -> dict[tuple[str, str, str], Figure]:
    return {
        (reports.unit_code(f.unit), f.indicator, f.group): f
        for f in figures(units=units, year=2026, month=2)
    }


def _export(
    capture: Any, *, actor: Any, unit: UnitRef, fmt: str, month: int = 2
) -> ExportJob:
    with capture(execute=True):
        job, created = export_request(
            actor=actor, unit=unit, year=2026, month=month, fmt=fmt, now=AT
        )
    assert created
    assert tasks_run_pending() == 1
    job.refresh_from_db()
    assert job.state == ExportState.DONE, job.error
    return job


def test_excel_numbers_are_the_figures(
    django_capture_on_commit_callbacks: Any,
) -> None:
    prov, communes = province_with_figures()
    officer = user_with_role(Role.PROVINCE_OFFICER, province_code=prov.province_code)
    job = _export(
        django_capture_on_commit_callbacks, actor=officer, unit=prov, fmt="xlsx"
    )
    assert job.progress == 100
    wb = load_workbook(io.BytesIO(job.file.read()))
    assert wb.sheetnames == ["Giới thiệu", "Tỉnh, thành phố", "Xã, phường"]
    about = {r[0]: r[1] for r in wb["Giới thiệu"].iter_rows(values_only=True) if r}
    assert about["Dữ liệu tính đến"] == "07:00 01/06/2026"  # AT in Vietnam's time
    assert about["Kỳ báo cáo"] == "Năm 2026, tháng 1–2"
    expected = _by_key([prov, *reports.report_parts(prov)[1].units])
    seen = 0
    for name in wb.sheetnames[1:]:
        ws = wb[name]
        assert ws.freeze_panes == "C2"
        header = [c.value for c in ws[1]]
        assert header[:2] == ["Mã đơn vị", "Đơn vị"]
        for row in ws.iter_rows(min_row=2):
            code, _name, ind, _iname, _group = (c.value for c in row[:5])
            with override("vi"):
                names = reports.group_names()
            group = next(g for g in ("", "farmers") if row[4].value == names[g])
            fig = expected[(str(code), str(ind), group)]
            value = row[7]
            if fig.value is None:
                assert value.value is None
            elif ind == "passed":
                assert value.number_format == "0.0%"
                assert value.value * 100 == pytest.approx(fig.value)
            else:
                assert value.value == pytest.approx(fig.value)
            assert row[5].value == pytest.approx(fig.numerator)
            seen += 1
    assert seen == len(expected)
    # The commune with a population: 8 of 40 passed = 20 %.
    first = reports.unit_code(communes[0])
    assert expected[(first, "passed", "")].value == pytest.approx(20.0)
    assert AuditLog.objects.filter(action="programs.export.request").count() == 1


def test_csv_streams_with_a_bom_and_matches_figures(client: Client) -> None:
    prov, _communes = province_with_figures()
    officer = user_with_role(Role.PROVINCE_OFFICER, province_code=prov.province_code)
    client.force_login(officer)
    url = reverse("programs:report_csv", kwargs={"unit": prov.slug})
    response = client.get(url, {"year": 2026, "month": 2})
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)  # type: ignore[arg-type]
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    expected = _by_key([prov, *reports.report_parts(prov)[1].units])
    assert len(rows) == len(expected)
    for row in rows:
        fig = expected[(row["unit_code"], row["indicator"], row["group"])]
        if fig.value is None:
            assert row["value"] == ""
        else:
            assert float(row["value"]) == pytest.approx(fig.value, abs=1e-4)
        assert float(row["numerator"]) == pytest.approx(fig.numerator)
    bad = client.get(url, {"year": "hai nghìn", "month": 2})
    assert bad.status_code == 400
    assert "số nguyên" in bad.content.decode()


def test_pdf_numbers_are_the_figures(
    django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    prov, _communes = province_with_figures()
    officer = user_with_role(Role.PROVINCE_OFFICER, province_code=prov.province_code)
    job = _export(
        django_capture_on_commit_callbacks, actor=officer, unit=prov, fmt="pdf"
    )
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(job.file.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Báo cáo tiến độ" in text
    assert "Tỷ lệ người lớn đạt kỹ năng số cơ bản" in text  # Vietnamese glyphs
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    assert "Be-Vietnam-Pro" in fonts
    own = figures(units=[prov], year=2026, month=2)
    children = figures(
        units=reports.report_parts(prov)[1].units, year=2026, month=2, groups=[""]
    )
    for fig in [*own, *children]:
        if fig.value is not None and fig.value != 0:
            shown = reports.display_number(fig.value, percent=fig.indicator == "passed")
            assert shown in text, (fig, shown)
    # The province's own reached count (3600 + 105) printed Vietnamese style.
    assert "3.705" in text


def test_requests_are_idempotent_per_data_as_of(
    django_capture_on_commit_callbacks: Any,
) -> None:
    _prov, communes = province_with_figures()
    officer = user_with_role(
        Role.COMMUNE_OFFICER, commune_code=communes[0].commune_code
    )
    unit = communes[0]
    with django_capture_on_commit_callbacks(execute=True):
        job, created = export_request(
            actor=officer, unit=unit, year=2026, month=2, fmt="xlsx", now=AT
        )
        again, created_again = export_request(
            actor=officer, unit=unit, year=2026, month=2, fmt="xlsx", now=AT
        )
    assert created and not created_again and again.pk == job.pk
    assert tasks_run_pending() == 1
    done, created = export_request(
        actor=officer, unit=unit, year=2026, month=2, fmt="xlsx", now=AT
    )
    assert done.pk == job.pk and not created and done.state == ExportState.DONE
    assert tasks_run_pending() == 0  # nothing built twice
    refreshed(AT + timedelta(hours=1))  # new data: a new file
    fresh, created = export_request(
        actor=officer, unit=unit, year=2026, month=2, fmt="xlsx", now=AT
    )
    assert created and fresh.pk != job.pk
    assert ExportJob.objects.count() == 2


def test_another_commune_cannot_export_nor_download(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    prov, (mine, theirs) = province_with_figures()
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=mine.commune_code)
    other = user_with_role(Role.COMMUNE_OFFICER, commune_code=theirs.commune_code)
    job = _export(
        django_capture_on_commit_callbacks, actor=officer, unit=mine, fmt="xlsx"
    )
    with pytest.raises(ExportNotAllowed):
        export_request(actor=other, unit=mine, year=2026, month=2, fmt="xlsx", now=AT)
    with pytest.raises(ExportNotAllowed):
        export_request(actor=officer, unit=prov, year=2026, month=2, fmt="xlsx", now=AT)
    client.force_login(other)
    for name in ("programs:export_job", "programs:export_download"):
        assert client.get(reverse(name, kwargs={"job_id": job.pk})).status_code == 403
    page = client.get(reverse("programs:reports", kwargs={"unit": mine.slug}))
    assert page.status_code == 403
    csv_url = reverse("programs:report_csv", kwargs={"unit": mine.slug})
    assert client.get(csv_url).status_code == 403
    client.force_login(officer)
    response = client.get(
        reverse("programs:export_download", kwargs={"job_id": job.pk})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_pages_request_follow_and_download(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _prov, (mine, _theirs) = province_with_figures()
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=mine.commune_code)
    client.force_login(officer)
    home = client.get(reverse("programs:reports_home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("programs:reports", kwargs={"unit": mine.slug})
    url = reverse("programs:reports", kwargs={"unit": mine.slug})
    assert "Báo cáo Excel" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"year": 2026, "month": 2, "format": "xlsx"})
    job = ExportJob.objects.get()
    job_url = reverse("programs:export_job", kwargs={"job_id": job.pk})
    assert response["Location"] == job_url
    waiting = client.get(job_url).content.decode()
    assert "<progress" in waiting and 'hx-trigger="every 2s"' in waiting
    assert 'http-equiv="refresh"' in waiting  # reloads without JavaScript
    tasks_run_pending()
    status = reverse("programs:export_job_status", kwargs={"job_id": job.pk})
    ready = client.get(status).content.decode()
    assert "hx-trigger" not in ready and "Tải báo cáo" in ready
    # The same request again leads to the same job.
    again = client.post(url, {"year": 2026, "month": 2, "format": "xlsx"})
    assert again["Location"] == job_url
    bad = client.post(url, {"year": 2026, "month": 13, "format": "xlsx"})
    assert bad.status_code == 400 and "từ 1 đến 12" in bad.content.decode()
    bad = client.post(url, {"year": 2026, "month": 2, "format": "doc"})
    assert bad.status_code == 400
    assert ExportJob.objects.count() == 1


def test_cleanup_expires_old_files(django_capture_on_commit_callbacks: Any) -> None:
    _prov, (mine, _theirs) = province_with_figures()
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=mine.commune_code)
    job = _export(
        django_capture_on_commit_callbacks, actor=officer, unit=mine, fmt="xlsx"
    )
    path = Path(job.file.path)
    assert path.exists()
    assert job.expires_at is not None
    assert exports_cleanup(now=job.expires_at - timedelta(minutes=1)) == 0
    assert exports_cleanup(now=job.expires_at) == 1
    assert exports_cleanup(now=job.expires_at) == 0
    job.refresh_from_db()
    assert job.state == ExportState.EXPIRED and not job.file and not path.exists()
    again, created = export_request(
        actor=officer, unit=mine, year=2026, month=2, fmt="xlsx", now=AT
    )
    assert created and again.pk != job.pk


def test_bad_period_is_refused() -> None:
    prov, _ = province_with_figures()
    officer = user_with_role(Role.PROVINCE_OFFICER, province_code=prov.province_code)
    with pytest.raises(ExportInvalid):
        export_request(actor=officer, unit=prov, year=1999, month=2, fmt="pdf", now=AT)
    assert not ExportJob.objects.exists()


def test_a_failed_build_is_recorded_and_can_be_asked_again(
    client: Client,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _prov, (mine, _theirs) = province_with_figures()
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=mine.commune_code)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(reports, "report_xlsx", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = export_request(
            actor=officer, unit=mine, year=2026, month=2, fmt="xlsx", now=AT
        )
    tasks_run_pending()
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and job.error == "OSError"
    assert not job.file
    client.force_login(officer)
    page = client.get(reverse("programs:export_job", kwargs={"job_id": job.pk}))
    assert "không thành công" in page.content.decode()
    assert "hx-trigger" not in page.content.decode()
    download = reverse("programs:export_download", kwargs={"job_id": job.pk})
    assert client.get(download).status_code == 404
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        again, created = export_request(
            actor=officer, unit=mine, year=2026, month=2, fmt="xlsx", now=AT
        )
    assert created and again.pk != job.pk
    tasks_run_pending()
    again.refresh_from_db()
    assert again.state == ExportState.DONE


def test_the_nations_pdf_stops_at_the_provinces() -> None:
    province_with_figures()
    report = reports.report_for(UnitRef.nation(), year=2026, month=2)
    assert [p.level for p in report.parts] == ["nation", "province", "commune"]
    html = reports.report_html(report)
    assert html.count("<h2>") == 2
    assert "Xã, phường" not in html


def test_a_job_whose_task_was_lost_does_not_wait_for_ever(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    _prov, (mine, _theirs) = province_with_figures()
    officer = user_with_role(Role.COMMUNE_OFFICER, commune_code=mine.commune_code)
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = export_request(
            actor=officer, unit=mine, year=2026, month=2, fmt="pdf", now=AT
        )
    job.refresh_from_db()
    assert job.task_id  # recorded once the task is enqueued
    # The worker's recovery gave up on it (its worker died too often).
    DBTaskResult.objects.filter(pk=job.task_id).update(status=TaskResultStatus.FAILED)
    client.force_login(officer)
    page = client.get(reverse("programs:export_job", kwargs={"job_id": job.pk}))
    assert "không thành công" in page.content.decode()
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and job.error == "TaskLost"
    again, created = export_request(
        actor=officer, unit=mine, year=2026, month=2, fmt="pdf", now=AT
    )
    assert created and again.pk != job.pk
    # A pruned task row counts as lost too.
    DBTaskResult.objects.all().delete()
    ExportJob.objects.filter(pk=again.pk).update(task_id=str(job.task_id))
    third, created = export_request(
        actor=officer, unit=mine, year=2026, month=2, fmt="pdf", now=AT
    )
    assert created and third.pk not in (job.pk, again.pk)
