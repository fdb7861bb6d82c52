from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from tests.factories import learner_in, user_with_role
from tests.learning.packfactory import lesson_path, replace, write_pack

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import role_assign
from hocvuso.core.models import AuditLog
from hocvuso.core.tasks import tasks_run_pending
from hocvuso.learning.models import Lesson
from hocvuso.packs.media import media_storage
from hocvuso.packs.models import PackUpload
from hocvuso.packs.uploads import pack_upload_create, pack_upload_run

pytestmark = pytest.mark.django_db
URL = "/admin/packs/contentpack/upload/"


def zipped(root: Path) -> SimpleUploadedFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for p in root.rglob("*"):
            if p.is_file():
                zf.write(p, p.relative_to(root).as_posix())
    return SimpleUploadedFile("pack.zip", out.getvalue(), "application/zip")


@pytest.fixture
def editor_client(client: Client, tmp_path: Path, settings: object) -> Client:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    admin = user_with_role(Role.NATIONAL_ADMIN)
    editor = learner_in(30178)
    role_assign(actor=admin, user=editor, role=Role.CONTENT_EDITOR)
    client.force_login(editor)
    return client


def _status_url(response: HttpResponse) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    return str(response["Location"])


def test_editor_uploads_a_pack_and_follows_its_import(
    editor_client: Client,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = editor_client.post(URL, {"file": zipped(write_pack(tmp_path / "p"))})
    status_url = _status_url(response)
    waiting = editor_client.get(status_url).content.decode()
    assert 'http-equiv="refresh"' in waiting and "Đang chờ xử lý" in waiting
    assert not Lesson.objects.exists()  # nothing happens in the request
    for callback in queued:  # the transaction commits: the task is queued
        callback()
    assert PackUpload.objects.get().status == PackUpload.Status.QUEUED
    assert tasks_run_pending() == 1  # the worker's turn
    upload = PackUpload.objects.get()
    assert upload.status == PackUpload.Status.DONE and upload.actor is not None
    assert Lesson.objects.filter(course__pack__slug="test-pack").count() == 2
    page = editor_client.get(status_url).content.decode()
    assert "Đã nhập test-pack" in page and 'http-equiv="refresh"' not in page
    assert "lessons created" in page
    assert not media_storage().exists(upload.stored_name)  # the zip is discarded
    listing = editor_client.get("/admin/packs/contentpack/").content.decode()
    assert "test-pack" in listing and "upload/" in listing


def test_invalid_pack_lists_problems_and_imports_nothing(
    editor_client: Client,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    root = write_pack(tmp_path / "p")
    replace(lesson_path(root), "level: CB1", "level: Q1")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(URL, {"file": zipped(root)})
    tasks_run_pending()
    body = editor_client.get(_status_url(response)).content.decode()
    assert "unknown level" in body and "chưa nhập gì" in body
    assert not Lesson.objects.exists()
    assert PackUpload.objects.get().status == PackUpload.Status.FAILED


def test_a_file_that_is_no_zip_is_refused_at_once(editor_client: Client) -> None:
    junk = SimpleUploadedFile("x.zip", b"not a zip", "application/zip")
    response = editor_client.post(URL, {"file": junk})
    assert response.status_code == 200
    assert "not a valid zip" in response.content.decode()
    assert not PackUpload.objects.exists()


def test_an_interrupted_import_runs_again_without_importing_twice(
    tmp_path: Path, settings: object
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    data = zipped(write_pack(tmp_path / "p")).read()
    upload = pack_upload_create(actor=None, label="p.zip", data=data, force=True)
    # The worker was killed after it had started: the row says "importing".
    PackUpload.objects.filter(pk=upload.pk).update(status=PackUpload.Status.IMPORTING)
    assert pack_upload_run(upload_id=upload.id).status == PackUpload.Status.DONE
    again = pack_upload_run(upload_id=upload.id)  # the task delivered twice
    assert again is not None and again.status == PackUpload.Status.DONE
    assert AuditLog.objects.filter(action="content_pack.import").count() == 1
    assert pack_upload_run(upload_id=uuid.uuid4()) is None


def test_learner_cannot_upload(client: Client) -> None:
    client.force_login(learner_in(30178))
    assert client.get(URL).status_code == 302  # to the admin login


def test_a_new_version_shows_its_changes_and_waits_for_the_editor(
    editor_client: Client,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from hocvuso.packs.services import pack_import
    from hocvuso.packs.source import PackSource

    root = write_pack(tmp_path / "p")
    pack_import(source=PackSource.open(root), actor=None)
    replace(root / "pack.yaml", 'version: "1.0"', 'version: "1.1"')
    replace(lesson_path(root, 2), "Nội dung bài 2.", "Nội dung mới của bài 2.")
    for lang in ("", "en"):
        lesson_path(root, 1, lang).unlink()
    stamp = list(Lesson.objects.values_list("slug", "updated_at", "archived"))
    with django_capture_on_commit_callbacks(execute=True):
        page = editor_client.post(URL, {"file": zipped(root)})
    assert page.status_code == 200
    body = page.content.decode()
    assert "test-pack 1.0" in body and "1.1" in body
    assert "safety-lesson-2" in body and "safety-lesson-1" in body
    assert 'name="apply"' in body and 'name="cancel"' in body
    held = body.split('name="held" value="')[1].split('"')[0]
    # Nothing is imported nor queued until the editor applies it.
    assert not PackUpload.objects.exists() and tasks_run_pending() == 0
    assert list(Lesson.objects.values_list("slug", "updated_at", "archived")) == stamp
    with django_capture_on_commit_callbacks(execute=True):
        applied = editor_client.post(
            URL, {"held": held, "label": "pack.zip", "apply": "1"}
        )
    _status_url(applied)
    assert tasks_run_pending() == 1
    assert PackUpload.objects.get().status == PackUpload.Status.DONE
    assert Lesson.objects.get(slug="safety-lesson-1").archived
    # Applying twice (a double click, a reload) queues nothing more.
    again = editor_client.post(URL, {"held": held, "apply": "1"}, follow=True)
    assert "đã được áp dụng hoặc đã hủy" in again.content.decode()
    assert PackUpload.objects.count() == 1


def test_the_editor_can_cancel_a_new_version(
    editor_client: Client, tmp_path: Path
) -> None:
    from hocvuso.packs.services import pack_import
    from hocvuso.packs.source import PackSource

    root = write_pack(tmp_path / "p")
    pack_import(source=PackSource.open(root), actor=None)
    replace(lesson_path(root, 2), "Nội dung bài 2.", "Nội dung mới của bài 2.")
    body = editor_client.post(URL, {"file": zipped(root)}).content.decode()
    held = body.split('name="held" value="')[1].split('"')[0]
    done = editor_client.post(URL, {"held": held, "cancel": "1"}, follow=True)
    assert "chưa nhập gì" in done.content.decode()
    assert not PackUpload.objects.exists()
    assert not media_storage().exists(f"packs/uploads/held/{held}.zip")
    bad = editor_client.post(URL, {"held": "not-a-key", "apply": "1"})
    assert bad.status_code == 400
